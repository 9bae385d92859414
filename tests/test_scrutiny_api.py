"""The scrutiny JSON API: anyone reads the committee's reviews, their recommendations and the
partnership's responses (what the public page shows, no owner's name); another partnership's
review or recommendation is 404 through this partnership's address."""

from __future__ import annotations

import datetime as dt

import pytest

from cdrp.partnerships.models import Person
from cdrp.scrutiny import services
from cdrp.scrutiny.models import Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(partnership):
    owner = Person(slug="head-cs", name="Head of Community Safety")
    owner.save()
    review = Review(
        partnership=partnership,
        title="Review of anti-social behaviour",
        committee="Overview and Scrutiny Committee",
        started_on=dt.date(2026, 1, 12),
        report_url="javascript:alert(1)",
    )
    review.save()
    answered = services.add_recommendation(
        review, "Publish ASB case outcomes quarterly", owner, dt.date(2099, 9, 30)
    )
    services.respond_to_recommendation(answered, "partly", "Half-yearly, from April.")
    late = services.add_recommendation(
        review, "Train staff in the community trigger", owner, dt.date(2020, 1, 31)
    )
    return review, answered, late


def test_anyone_reads_reviews_recommendations_and_responses(client, partnership, reviewed):
    review, answered, late = reviewed
    base = f"/api/partnerships/{partnership.slug}/scrutiny"
    body = client.get(f"{base}/reviews").json()
    assert [r["title"] for r in body] == ["Review of anti-social behaviour"]
    assert body[0]["report_url"] == ""  # never a javascript: address
    recs = {r["text"]: r for r in body[0]["recommendations"]}
    assert recs["Publish ASB case outcomes quarterly"]["decision"] == "partly"
    assert recs["Publish ASB case outcomes quarterly"]["response"] == "Half-yearly, from April."
    assert recs["Publish ASB case outcomes quarterly"]["responded_on"] is not None
    assert recs["Train staff in the community trigger"]["overdue"] is True
    assert "owner" not in recs["Train staff in the community trigger"]
    assert "Head of Community Safety" not in client.get(f"{base}/reviews").content.decode()

    one = client.get(f"{base}/reviews/{review.pk}").json()
    assert len(one["recommendations"]) == 2
    overdue = client.get(f"{base}/recommendations", {"overdue": "true"}).json()
    assert [r["id"] for r in overdue] == [late.pk]
    assert client.get(f"{base}/recommendations/{answered.pk}").json()["review"] == review.pk
    assert client.get(f"{base}/recommendations", {"status": "done"}).json() == []
    assert client.get(f"{base}/recommendations", {"status": "nonsense"}).status_code == 400


def test_another_partnerships_reviews_are_404(client, partnership, other_partnership, reviewed):
    review, answered, _ = reviewed
    theirs = f"/api/partnerships/{other_partnership.slug}/scrutiny"
    assert client.get(f"{theirs}/reviews").json() == []
    assert client.get(f"{theirs}/recommendations").json() == []
    assert client.get(f"{theirs}/reviews/{review.pk}").status_code == 404
    assert client.get(f"{theirs}/recommendations/{answered.pk}").status_code == 404
    assert client.get("/api/partnerships/no-such-one/scrutiny/reviews").status_code == 404
