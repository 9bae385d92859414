"""JSON API for scrutiny: the crime and disorder committee's reviews of the partnership, their
recommendations and the partnership's responses. Public read (what the public reviews page
shows: no owner's name); every record is found through the partnership in the address, so
another partnership's review or recommendation is 404. Registered in `cdrp.api`."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from cdrp.accounts.api_auth import AUTH, allow, anyone
from cdrp.accounts.policy import Permission
from cdrp.scrutiny.models import Recommendation, Review

router = Router(tags=["scrutiny"])

PUBLIC_AUTH = [*AUTH, anyone]


class RecommendationOut(Schema):
    id: int
    review: int
    text: str
    due: dt.date
    status: str
    overdue: bool
    decision: str
    response: str
    responded_on: dt.date | None
    closed_on: dt.date | None
    outcome: str


class ReviewOut(Schema):
    id: int
    title: str
    committee: str
    started_on: dt.date
    reported_on: dt.date | None
    summary: str
    report_url: str
    recommendations: list[RecommendationOut]


def _recommendation(rec: Recommendation, today: dt.date) -> dict:
    return {
        "id": rec.pk,
        "review": rec.review_id,
        "text": rec.text,
        "due": rec.due,
        "status": rec.status,
        "overdue": rec.is_overdue(today),
        "decision": rec.decision,
        "response": rec.response,
        "responded_on": rec.responded_on,
        "closed_on": rec.closed_on,
        "outcome": rec.outcome,
    }


def _review(review: Review, today: dt.date) -> dict:
    return {
        "id": review.pk,
        "title": review.title,
        "committee": review.committee,
        "started_on": review.started_on,
        "reported_on": review.reported_on,
        "summary": review.summary,
        "report_url": review.report_link,  # only an http(s) address
        "recommendations": [_recommendation(r, today) for r in review.recommendations.all()],
    }


def _reviews(request):
    return Review.objects.filter(partnership=request.partnership).prefetch_related(
        "recommendations"
    )


@router.get(
    "/partnerships/{partnership}/scrutiny/reviews",
    response=list[ReviewOut],
    auth=PUBLIC_AUTH,
)
@allow(Permission.VIEW_PUBLIC)
def review_list(request, partnership: str):
    """The committee's reviews of the partnership, newest first, each with its
    recommendations and the partnership's responses."""
    today = timezone.localdate()
    return [_review(r, today) for r in _reviews(request)]


@router.get(
    "/partnerships/{partnership}/scrutiny/reviews/{scrutiny_review}",
    response=ReviewOut,
    auth=PUBLIC_AUTH,
)
@allow(Permission.VIEW_PUBLIC)
def review_detail(request, partnership: str, scrutiny_review: int):
    """One review with its recommendations and the responses."""
    return _review(get_object_or_404(_reviews(request), pk=scrutiny_review), timezone.localdate())


@router.get(
    "/partnerships/{partnership}/scrutiny/recommendations",
    response=list[RecommendationOut],
    auth=PUBLIC_AUTH,
)
@allow(Permission.VIEW_PUBLIC)
def recommendation_list(request, partnership: str, status: str = "", overdue: bool = False):
    """Every recommendation of the partnership's reviews, by due date, tracked like actions;
    `status` (open, done, dropped) and `overdue=true` narrow the list."""
    today = timezone.localdate()
    found = Recommendation.objects.filter(review__partnership=request.partnership)
    if status:
        if status not in Recommendation.Status.values:
            raise HttpError(400, f"status: one of {', '.join(Recommendation.Status.values)}")
        found = found.filter(status=status)
    out = [_recommendation(r, today) for r in found]
    return [r for r in out if r["overdue"]] if overdue else out


@router.get(
    "/partnerships/{partnership}/scrutiny/recommendations/{scrutiny_rec}",
    response=RecommendationOut,
    auth=PUBLIC_AUTH,
)
@allow(Permission.VIEW_PUBLIC)
def recommendation_detail(request, partnership: str, scrutiny_rec: int):
    """One recommendation: its due date, status, the partnership's response and outcome."""
    rec = get_object_or_404(
        Recommendation, review__partnership=request.partnership, pk=scrutiny_rec
    )
    return _recommendation(rec, timezone.localdate())
