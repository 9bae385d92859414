"""Scrutiny: the crime and disorder committee's reviews of the partnership, their
recommendations (tracked like actions: owner, due date, status) and the partnership's responses,
published on a public page; another partnership's coordinator reaches none of them."""

from __future__ import annotations

import datetime as dt

import pytest

from cdrp.accounts.models import AuditEvent
from cdrp.partnerships.models import Group, Membership, Organisation, Person, Seat
from cdrp.scrutiny.models import Recommendation, Review
from conftest import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(partnership):
    council = Organisation(slug="rev-council", name="Borough Council", kind="district_council")
    council.save()
    group = Group(partnership=partnership, slug="sg", name="Strategy group", kind="strategy")
    group.save()
    seat = Seat(group=group, label="Head of community safety", organisation=council)
    seat.save()
    person = Person(slug="head-cs", name="Head of Community Safety")
    person.save()
    Membership(seat=seat, person=person, role="member").save()
    return person


def test_a_review_its_recommendations_and_the_responses(client, partnership, coordinator, owner):
    p = partnership.slug
    client.force_login(coordinator)
    response = client.post(
        f"/scrutiny/{p}/manage/reviews/new",
        {
            "title": "Review of the partnership's work on anti-social behaviour",
            "committee": "Overview and Scrutiny Committee",
            "started_on": "12/1/2026",
            "reported_on": "20/4/2026",
            "summary": "The committee heard from the police, the council and housing.",
            "report_url": "https://example.org/report.pdf",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get()
    page = f"/scrutiny/{p}/manage/reviews/{review.pk}/"
    assert response["Location"] == page
    for text, due in (
        ("Publish ASB case outcomes quarterly", "30/9/2026"),
        ("Train staff in the community trigger", "31/1/2026"),
    ):
        response = client.post(
            f"/scrutiny/{p}/manage/reviews/{review.pk}/recommendations",
            {"text": text, "owner": owner.pk, "due": due},
        )
        assert response.status_code == 302
    publish, train = Recommendation.objects.order_by("text")
    assert (publish.owner, publish.due, publish.status) == (owner, dt.date(2026, 9, 30), "open")
    client.post(
        f"/scrutiny/{p}/manage/recommendations/{publish.pk}/respond",
        {"decision": "accepted", "response": "Outcomes will be published from July."},
    )
    client.post(
        f"/scrutiny/{p}/manage/recommendations/{publish.pk}/close",
        {"outcome": "First quarterly report published."},
    )
    client.post(
        f"/scrutiny/{p}/manage/recommendations/{train.pk}/respond",
        {"decision": "not_accepted", "response": "Training is already given yearly."},
    )
    publish.refresh_from_db()
    train.refresh_from_db()
    assert publish.status == "done" and publish.decision == "accepted"
    assert publish.closed_on == dt.date.today()
    assert train.status == "dropped" and train.decision == "not_accepted"
    # A closed recommendation is not closed twice.
    assert (
        client.post(
            f"/scrutiny/{p}/manage/recommendations/{publish.pk}/close", {"outcome": "again"}
        ).status_code
        == 400
    )

    client.logout()
    body = client.get(f"/scrutiny/{p}/reviews/").content.decode()
    assert "Review of the partnership&#x27;s work on anti-social behaviour" in body
    assert "started 12 January 2026, reported 20 April 2026" in body
    assert "Accepted</strong> (" in body and "Outcomes will be published from July." in body
    assert "Outcome: First quarterly report published." in body
    assert "Not accepted</strong>" in body
    events = AuditEvent.objects.filter(model="scrutiny.Recommendation", user=coordinator)
    assert events.filter(action="create").count() == 2
    assert events.filter(action="update").count() == 3


def test_an_open_recommendation_past_its_due_date_is_overdue(client, partnership, owner):
    review = Review(
        partnership=partnership, title="R", committee="C", started_on=dt.date(2025, 1, 1)
    )
    review.save()
    Recommendation(
        review=review, text="Late one", owner=owner, due=dt.date.today() - dt.timedelta(days=1)
    ).save()
    body = client.get(f"/scrutiny/{partnership.slug}/reviews/").content.decode()
    assert "Overdue" in body


def test_an_owner_must_sit_in_the_partnership(client, partnership, coordinator, owner):
    review = Review(
        partnership=partnership, title="R", committee="C", started_on=dt.date(2025, 1, 1)
    )
    review.save()
    stranger = Person(slug="stranger", name="Someone elsewhere")
    stranger.save()
    client.force_login(coordinator)
    response = client.post(
        f"/scrutiny/{partnership.slug}/manage/reviews/{review.pk}/recommendations",
        {"text": "x", "owner": stranger.pk, "due": "1/1/2027"},
    )
    assert response.status_code == 400
    assert not Recommendation.objects.exists()


def test_another_partnerships_coordinator_reaches_no_review(
    client, partnership, other_partnership, owner
):
    review = Review(
        partnership=partnership, title="Ours", committee="C", started_on=dt.date(2025, 1, 1)
    )
    review.save()
    rec = Recommendation(review=review, text="Ours", owner=owner, due=dt.date(2027, 1, 1))
    rec.save()
    client.force_login(user_with_role("preston-coord", other_partnership, "coordinator"))
    theirs, mine = other_partnership.slug, partnership.slug
    assert client.get(f"/scrutiny/{theirs}/manage/reviews/{review.pk}/").status_code == 404
    assert "Ours" not in client.get(f"/scrutiny/{theirs}/reviews/").content.decode()
    for slug, code in ((theirs, 404), (mine, 403)):
        assert (
            client.post(
                f"/scrutiny/{slug}/manage/reviews/{review.pk}/recommendations",
                {"text": "x", "owner": owner.pk, "due": "1/1/2027"},
            ).status_code
            == code
        )
        assert (
            client.post(
                f"/scrutiny/{slug}/manage/recommendations/{rec.pk}/respond",
                {"decision": "accepted", "response": "x"},
            ).status_code
            == code
        )
        assert (
            client.post(
                f"/scrutiny/{slug}/manage/recommendations/{rec.pk}/close", {"outcome": "x"}
            ).status_code
            == code
        )
    rec.refresh_from_db()
    assert rec.status == "open" and rec.decision == "" and rec.version == 1
    assert Recommendation.objects.count() == 1
