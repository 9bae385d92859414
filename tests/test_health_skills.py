"""The annual skills and knowledge review: the matrix, gaps, training actions raised at the
meeting, and the compliance rule SKILLS-REVIEW reading it through the evidence interface."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import user_with_role

pytestmark = pytest.mark.django_db
ON = dt.date(2022, 9, 28)


@pytest.fixture
def review(demo_registry):
    from cdrp.accounts.audit import acting_as
    from cdrp.health import skills
    from cdrp.meetings.agenda import arrange_meeting

    strategy = demo_registry.strategy_group()
    with acting_as(None, "test"):
        meeting = arrange_meeting(strategy, ON)
        return skills.record_review(demo_registry, strategy, ON, meeting)


def test_the_compliance_rule_reads_the_review(demo_registry, review):
    from cdrp.accounts.audit import acting_as
    from cdrp.partnerships import compliance

    check = compliance.RULES["SKILLS-REVIEW"].check
    finding = check(demo_registry, dt.date(2023, 3, 31))
    assert finding.status == compliance.Status.MET
    assert finding.summary == "Latest skills and knowledge review: 28 September 2022."
    assert check(demo_registry, dt.date(2023, 12, 1)).status == compliance.Status.NOT_MET
    with acting_as(None, "test"):
        review.delete()
    assert (
        check(demo_registry, dt.date(2023, 3, 31)).summary
        == "No skills and knowledge review is recorded."
    )


def test_matrix_gaps_and_training_actions(review):
    from cdrp.accounts.audit import acting_as
    from cdrp.health import skills
    from cdrp.meetings.models import Action
    from cdrp.partnerships.models import Person

    people = skills.members(review.group, ON)
    assert len(people) >= 6
    with acting_as(None, "test"):
        for i, person in enumerate(people):
            skills.rate(review, person, "law", 3)
            skills.rate(review, person, "scrutiny", 2 if i == 0 else 1)
        m = skills.matrix(review)
        assert m["rated"] == len(people)
        assert [c["competence"].key for c in m["gaps"]] == ["scrutiny"]
        assert m["rows"][1]["gaps"][0].key == "scrutiny"
        item = skills.add_training(
            review, "scrutiny", "Scrutiny briefing", people[0], dt.date(2023, 1, 31)
        )
    assert item.action.meeting == review.meeting and item.action.status == Action.Status.OPEN
    assert Action.objects.filter(group=review.group, description="Scrutiny briefing").count() == 1
    assert skills.matrix(review)["untrained_gaps"] == []
    outsider = Person(slug="nobody", name="Nobody (placeholder)")
    outsider.save()
    with pytest.raises(skills.SkillsRefused) as refused:
        skills.rate(review, outsider, "law", 2)
    assert refused.value.field == "person"


def test_the_review_page_needs_a_member_and_edits_need_a_coordinator(review, client, demo_registry):
    url = reverse(
        "health:skills-review", kwargs={"partnership": demo_registry.slug, "pk": review.pk}
    )
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(user_with_role("m", demo_registry, "member"))
    assert client.get(url).status_code == 200
    rate = reverse(
        "health:skills-rate", kwargs={"partnership": demo_registry.slug, "pk": review.pk}
    )
    person = review.group.current_memberships(ON).first().person
    data = {"person": person.slug, "competence": "finance", "level": 2}
    assert client.post(rate, data).status_code == 403
    client.force_login(user_with_role("c", demo_registry, "coordinator"))
    assert client.post(rate, data).status_code == 302
    assert review.ratings.get(person=person, competence="finance").level == 2
    # Another partnership's address does not reach this review.
    other = reverse("health:skills-review", kwargs={"partnership": "chorley-csp", "pk": review.pk})
    client.force_login(user_with_role("x", None, None, superuser=True))
    assert client.get(other).status_code == 404
