"""What can be done with the accountability records, one step at a time. Each step checks the
record's state and refuses (`Refused`, a `RefusedInput`) what would break the dated log; every
save is audited. Views and the demo call these, never the models' fields directly."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cdrp.analysis.errors import RefusedInput
from cdrp.scrutiny.models import (
    CommunityCall,
    Councillor,
    PublicSession,
    Question,
    Recommendation,
    Review,
)

__all__ = [
    "Refused",
    "response_days",
    "submit_question",
    "moderate",
    "answer",
    "publish_answers",
    "raise_call",
    "screen",
    "refer",
    "record_recommendations",
    "publish_response",
    "add_recommendation",
    "respond_to_recommendation",
    "close_recommendation",
]

Status = CommunityCall.Status


class Refused(RefusedInput):
    """A step the record's state does not allow, or input it cannot take."""


def response_days() -> int:
    """Days the partnership gives itself to publish its response (setting, default 28)."""
    return int(getattr(settings, "CDRP_CCFA_RESPONSE_DAYS", 28))


# Face the People -------------------------------------------------------------------------------


def submit_question(
    session: PublicSession,
    text: str,
    *,
    asked_by: str = "",
    neighbourhood: str = "",
    held_because: str = "",
    today: dt.date | None = None,
) -> Question:
    """A question from the public, waiting for moderation (every one is read before it is
    shown). `held_because` says why the abuse checks flagged it, for the moderator."""
    today = today or timezone.localdate()
    if not session.accepts_questions(today):
        raise Refused("text", "This session is no longer taking questions")
    text = text.strip()
    if not text:
        raise Refused("text", "Enter your question")
    question = Question(
        session=session,
        text=text,
        asked_by=asked_by.strip(),
        neighbourhood=neighbourhood.strip(),
        held_because=held_because[:200],
    )
    question.save()
    return question


def moderate(question: Question, user, *, approve: bool, reason: str = "") -> Question:
    """Approve a waiting question, or reject it with the reason recorded."""
    if question.status != Question.Status.PENDING:
        raise Refused("status", "This question has already been moderated")
    if not approve and not reason.strip():
        raise Refused("reason", "Give the reason for not accepting the question")
    question.status = Question.Status.APPROVED if approve else Question.Status.REJECTED
    question.reason = "" if approve else reason.strip()
    question.moderated_by = user if getattr(user, "pk", None) else None
    question.moderated_at = timezone.now()
    question.save()
    return question


def answer(question: Question, text: str, answered_by: str) -> Question:
    """The answer given at the session (approved questions only)."""
    if question.status not in (Question.Status.APPROVED, Question.Status.ANSWERED):
        raise Refused("answer", "Only an approved question can be answered")
    if not text.strip():
        raise Refused("answer", "Enter the answer given")
    question.answer = text.strip()
    question.answered_by = answered_by.strip()
    question.status = Question.Status.ANSWERED
    question.save()
    return question


def publish_answers(session: PublicSession, today: dt.date | None = None) -> PublicSession:
    """Mark the session held and publish its answers on the public page."""
    if not session.questions.filter(status=Question.Status.ANSWERED).exists():
        raise Refused("session", "Record at least one answer before publishing")
    session.status = PublicSession.Status.HELD
    session.answers_published_on = today or timezone.localdate()
    session.save()
    return session


# Community Call for Action ---------------------------------------------------------------------


def raise_call(
    councillor: Councillor,
    *,
    title: str,
    matter: str,
    on_behalf_of: str,
    routes_tried: str,
    user=None,
    today: dt.date | None = None,
) -> CommunityCall:
    """A councillor's call, numbered in the partnership's sequence."""
    for field, value in (("title", title), ("matter", matter), ("on_behalf_of", on_behalf_of)):
        if not value.strip():
            raise Refused(field, "This is needed to raise a call")
    with transaction.atomic():
        last = CommunityCall.objects.filter(partnership=councillor.partnership_id).aggregate(
            n=Max("number")
        )["n"]
        call = CommunityCall(
            partnership_id=councillor.partnership_id,
            number=(last or 0) + 1,
            councillor=councillor,
            title=title.strip(),
            matter=matter.strip(),
            on_behalf_of=on_behalf_of.strip(),
            routes_tried=routes_tried.strip(),
            submitted_on=today or timezone.localdate(),
            submitted_by=user if getattr(user, "pk", None) else None,
        )
        call.save()
    return call


def _after(call: CommunityCall, day: dt.date, field: str, earlier: dt.date | None) -> None:
    if earlier is not None and day < earlier:
        raise Refused(field, f"This step cannot be dated before {earlier:%-d %B %Y}")


def screen(
    call: CommunityCall,
    *,
    local_matter: bool,
    persistent: bool,
    routes_tried_first: bool,
    reasons: str,
    today: dt.date | None = None,
) -> CommunityCall:
    """Screen the call against the published criteria, with the reasons recorded."""
    today = today or timezone.localdate()
    if call.status != Status.SUBMITTED:
        raise Refused("status", "This call has already been screened")
    if not reasons.strip():
        raise Refused("reasons", "Record the reasons for the screening decision")
    _after(call, today, "screened_on", call.submitted_on)
    call.local_matter, call.persistent = local_matter, persistent
    call.routes_tried_first = routes_tried_first
    call.screening_reasons = reasons.strip()
    call.screened_on = today
    call.status = Status.SCREENED_IN if call.meets_criteria else Status.SCREENED_OUT
    call.save()
    return call


def refer(
    call: CommunityCall,
    *,
    referred: bool,
    committee: str = "",
    reason: str = "",
    today: dt.date | None = None,
) -> CommunityCall:
    """Refer a call that meets the criteria to the council's crime and disorder committee, or
    record why it is not referred (then the partnership's response is due from today)."""
    today = today or timezone.localdate()
    if call.status != Status.SCREENED_IN:
        raise Refused("status", "Only a call that meets the criteria can be referred")
    if referred and not committee.strip():
        raise Refused("committee", "Name the committee it is referred to")
    if not referred and not reason.strip():
        raise Refused("reason", "Record why it is not referred")
    _after(call, today, "referred_on", call.screened_on)
    call.committee = committee.strip()
    call.referral_reason = reason.strip()
    call.referred_on = today
    if referred:
        call.status = Status.REFERRED
    else:
        call.status = Status.NOT_REFERRED
        call.response_due = today + dt.timedelta(days=response_days())
    call.save()
    return call


def record_recommendations(
    call: CommunityCall, text: str, *, on: dt.date | None = None
) -> CommunityCall:
    """The committee's recommendations; the partnership's response is due `response_days()`
    after them."""
    on = on or timezone.localdate()
    if call.status != Status.REFERRED:
        raise Refused("status", "Recommendations are recorded for a referred call")
    if not text.strip():
        raise Refused("recommendations", "Enter the committee's recommendations")
    _after(call, on, "recommendations_on", call.referred_on)
    call.recommendations = text.strip()
    call.recommendations_on = on
    call.response_due = on + dt.timedelta(days=response_days())
    call.status = Status.RECOMMENDED
    call.save()
    return call


def publish_response(call: CommunityCall, text: str, today: dt.date | None = None) -> CommunityCall:
    """Publish the partnership's response (late responses are published too, and shown late)."""
    today = today or timezone.localdate()
    if call.status not in (Status.RECOMMENDED, Status.NOT_REFERRED):
        raise Refused("status", "A response is published once a call is decided")
    if not text.strip():
        raise Refused("response", "Enter the partnership's response")
    call.response = text.strip()
    call.responded_on = today
    call.status = Status.RESPONDED
    call.save()
    return call


# Scrutiny reviews ------------------------------------------------------------------------------


def add_recommendation(review: Review, text: str, owner, due: dt.date) -> Recommendation:
    if not text.strip():
        raise Refused("text", "Enter the recommendation")
    rec = Recommendation(review=review, text=text.strip(), owner=owner, due=due)
    rec.save()
    return rec


def respond_to_recommendation(
    rec: Recommendation, decision: str, response: str, today: dt.date | None = None
) -> Recommendation:
    if decision not in {c for c, _ in Recommendation.Decision.choices if c}:
        raise Refused("decision", "Say whether the recommendation is accepted")
    if not response.strip():
        raise Refused("response", "Enter the partnership's response")
    rec.decision = decision
    rec.response = response.strip()
    rec.responded_on = today or timezone.localdate()
    if decision == Recommendation.Decision.NOT_ACCEPTED and rec.status == rec.Status.OPEN:
        rec.status = rec.Status.DROPPED
        rec.closed_on = rec.responded_on
    rec.save()
    return rec


def close_recommendation(
    rec: Recommendation, outcome: str, *, dropped: bool = False, today: dt.date | None = None
) -> Recommendation:
    if rec.status != rec.Status.OPEN:
        raise Refused("status", "This recommendation is already closed")
    rec.status = rec.Status.DROPPED if dropped else rec.Status.DONE
    rec.outcome = outcome.strip()
    rec.closed_on = today or timezone.localdate()
    rec.save()
    return rec
