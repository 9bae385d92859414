"""The strategy group approves an assessment by a decision of one of its meetings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cdrp.intelligence.models import Assessment
from cdrp.meetings.agenda import arrange_meeting
from cdrp.meetings.services import record_decision
from cdrp.partnerships.models import Group, Person
from conftest import user_with_role

pytestmark = pytest.mark.django_db
BODIES = [
    "chorley-director",
    "south-ribble-director",
    "west-lancashire-director",
    "county-director",
    "divisional-commander",
    "fire-area-manager",
    "pct-director",
]


@pytest.fixture
def setup(demo_registry):
    chair = user_with_role("a-chair", demo_registry, "chair")
    rag = Group.objects.get(partnership=demo_registry, slug="rag")
    meeting = arrange_meeting(rag, dt.date(2026, 10, 6))
    people = [Person.objects.get(slug=s) for s in BODIES]
    carried = record_decision(
        meeting, "Approve the strategic assessment", [(p, "for") for p in people]
    )
    now = timezone.now()
    assessment = Assessment.objects.create(
        partnership=demo_registry,
        title="Strategic assessment",
        period_start="2021-12",
        period_end="2022-11",
        status=Assessment.Status.REVIEWED,
        document={"sections": [], "summary": []},
        fingerprint={},
        built_at=now,
        reviewed_at=now,
    )
    return chair, assessment, carried


def test_the_chair_approves_with_the_strategy_groups_carried_decision(client, setup):
    chair, assessment, carried = setup
    assert carried.result == "carried" and carried.votes_for == 7
    client.force_login(chair)
    url = f"/intelligence/assessments/lancashire-south/{assessment.pk}/"
    page = client.get(url).content.decode()
    assert "Approve the strategic assessment" in page  # offered as the approving decision
    client.post(url + "approve/", {"version": assessment.version, "decision": carried.pk})
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.APPROVED
    assert assessment.approval_decision == carried
    assert "decision of 6 October 2026" in client.get(url).content.decode()


def test_a_decision_that_is_not_the_strategy_groups_is_refused(client, setup, demo_registry):
    chair, assessment, carried = setup
    client.force_login(chair)
    url = f"/intelligence/assessments/lancashire-south/{assessment.pk}/approve/"
    client.post(url, {"version": assessment.version, "decision": carried.pk + 999})
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.REVIEWED and assessment.approval_decision is None


def test_a_county_assessment_is_approved_by_the_county_strategy_groups_decision(
    client, demo_registry
):
    """A county partnership decides through its county strategy group, as its plans and spend
    do (cdrp.meetings.services.strategy_decisions): its assessment is approved the same way."""
    from cdrp.partnerships.models import Membership, Partnership

    county = Partnership.objects.get(slug="lancashire-county")
    csg = Group.objects.get(partnership=county, kind=Group.Kind.COUNTY_STRATEGY)
    day = dt.date(2026, 10, 13)
    voters = {
        m.person.pk: m.person
        for m in Membership.objects.filter(seat__group=csg, seat__voting=True).select_related(
            "person"
        )
        if m.start <= day and (m.end is None or m.end >= day)
    }
    assert voters, "the county strategy group has voting members"
    meeting = arrange_meeting(csg, day)
    carried = record_decision(
        meeting, "Approve the county strategic assessment", [(p, "for") for p in voters.values()]
    )
    assert carried.result == "carried"
    now = timezone.now()
    assessment = Assessment.objects.create(
        partnership=county,
        title="County strategic assessment",
        period_start="2021-12",
        period_end="2022-11",
        status=Assessment.Status.REVIEWED,
        document={"sections": [], "summary": []},
        fingerprint={},
        built_at=now,
        reviewed_at=now,
    )
    chair = user_with_role("county-chair", county, "chair")
    client.force_login(chair)
    url = f"/intelligence/assessments/lancashire-county/{assessment.pk}/"
    assert "Approve the county strategic assessment" in client.get(url).content.decode()
    client.post(url + "approve/", {"version": assessment.version, "decision": carried.pk})
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.APPROVED
    assert assessment.approval_decision == carried
