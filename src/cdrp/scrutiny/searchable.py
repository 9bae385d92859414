"""What of the scrutiny app the partnership's search finds (`cdrp.search` discovers this
module's INDEXERS): only what its public pages already show.

- crime and disorder committee reviews, and each recommendation with the partnership's
  response and its outcome (the public reviews page);
- the Community Call for Action log: each call's reference, title, the problem as raised and
  its dated steps (the public call page shows all of these);
- Face the People sessions not cancelled (title, venue, panel). The public's questions are not
  indexed: a question waiting for moderation, or not accepted, is never public.
"""

from __future__ import annotations

from django.urls import reverse

from cdrp.scrutiny.models import CommunityCall, PublicSession, Recommendation, Review

__all__ = ["INDEXERS"]


def _reviews_url(partnership) -> str:
    return reverse("scrutiny:reviews", args=[partnership.slug])


def review_entry(review: Review) -> dict:
    return {
        "partnership_id": review.partnership_id,
        "title": review.title,
        "text": f"{review.committee}. {review.summary}",
        "url": _reviews_url(review.partnership),
        "date": review.reported_on or review.started_on,
    }


def recommendation_entry(rec: Recommendation) -> dict:
    review = rec.review
    parts = [rec.text]
    if rec.decision:
        parts.append(f"{rec.get_decision_display()}: {rec.response}")
    if rec.outcome:
        parts.append(f"Outcome: {rec.outcome}")
    return {
        "partnership_id": review.partnership_id,
        "title": f"Recommendation of {review.title}"[:500],
        "text": "\n".join(parts),
        "url": _reviews_url(review.partnership),
        "date": rec.responded_on or rec.due,
    }


def call_entry(call: CommunityCall) -> dict:
    steps = "\n".join(f"{s['what']}: {s['detail']}" for s in call.steps())
    return {
        "partnership_id": call.partnership_id,
        "title": f"{call.reference}: {call.title}",
        "text": f"{call.matter}\nOn behalf of {call.on_behalf_of}\n{steps}",
        "url": reverse("scrutiny:call", args=[call.partnership.slug, call.pk]),
        "date": call.submitted_on,
    }


def session_entry(session: PublicSession) -> dict | None:
    if session.status == PublicSession.Status.CANCELLED:
        return None
    return {
        "partnership_id": session.partnership_id,
        "title": session.title,
        "text": f"Face the People at {session.venue}. {session.panel}",
        "url": reverse("scrutiny:session", args=[session.partnership.slug, session.pk]),
        "date": session.date,
    }


INDEXERS = [
    {
        "kind": "scrutiny-review",
        "label": "Scrutiny reviews",
        "model": Review,
        "entry": review_entry,
        "records": lambda partnership: Review.objects.filter(partnership=partnership),
        "order": 90,
    },
    {
        "kind": "scrutiny-recommendation",
        "label": "Scrutiny recommendations and responses",
        "model": Recommendation,
        "entry": recommendation_entry,
        "records": lambda partnership: Recommendation.objects.filter(
            review__partnership=partnership
        ).select_related("review__partnership"),
        "watch": {Review: lambda review: list(review.recommendations.all())},
        "order": 91,
    },
    {
        "kind": "ccfa",
        "label": "Community Calls for Action",
        "model": CommunityCall,
        "entry": call_entry,
        "records": lambda partnership: CommunityCall.objects.filter(partnership=partnership),
        "order": 92,
    },
    {
        "kind": "face-the-people",
        "label": "Face the People sessions",
        "model": PublicSession,
        "entry": session_entry,
        "records": lambda partnership: PublicSession.objects.filter(partnership=partnership),
        "order": 93,
    },
]
