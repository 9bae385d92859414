"""Public summaries of approved strategic assessments: drafted from the assessment (its
recommended priorities, its main findings on trends, what the community said), edited by the
coordinator, and published by a carried decision of the strategy group."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from cdrp.analysis.errors import RefusedInput
from cdrp.community.models import AssessmentSummary
from cdrp.meetings.services import strategy_decisions

__all__ = ["draft", "publish", "published_summaries"]

_APPROVED = ("approved", "published")


def _section(document: dict, section_id: str) -> dict:
    return next((s for s in document.get("sections", []) if s.get("id") == section_id), {})


def draft(assessment) -> AssessmentSummary:
    """The summary of `assessment` (drafted from its document the first time)."""
    found = AssessmentSummary.objects.filter(assessment=assessment).first()
    if found is not None:
        return found
    if assessment.status not in _APPROVED or assessment.kind != "strategic":
        raise RefusedInput("assessment", "Only an approved strategic assessment gets a summary")
    document = assessment.document or {}
    priorities = _section(document, "priorities").get("recommended") or []
    trends = [
        f["text"]
        for section_id in ("levels", "changes")
        for f in _section(document, section_id).get("findings", [])[:2]
    ]
    community = [f["text"] for f in _section(document, "community").get("findings", [])]
    summary = AssessmentSummary(
        assessment=assessment,
        priorities="\n".join(str(p) for p in priorities),
        trends="\n\n".join(trends),
        community="\n\n".join(community),
    )
    summary.save()
    return summary


@transaction.atomic
def publish(summary: AssessmentSummary, decision, user=None, on: dt.date | None = None):
    """Publish the summary by a carried decision of the partnership's strategy group."""
    partnership = summary.assessment.partnership
    if partnership is None:
        raise RefusedInput("assessment", "The assessment belongs to no partnership")
    if decision is None or not strategy_decisions(partnership).filter(pk=decision.pk).exists():
        raise RefusedInput(
            "decision", "Choose a carried decision of the strategy group that publishes it"
        )
    if not summary.priorities.strip() or not summary.trends.strip():
        raise RefusedInput("priorities", "A summary needs its priorities and trends")
    summary.approval_decision = decision
    summary.approved_by = user if getattr(user, "is_authenticated", False) else None
    from django.utils import timezone

    summary.approved_at = timezone.now()
    summary.published_on = on or decision.meeting.date
    summary.save()
    return summary


def published_summaries(partnership):
    return (
        AssessmentSummary.objects.filter(
            assessment__partnership=partnership, published_on__isnull=False
        )
        .select_related("assessment", "approval_decision__meeting")
        .order_by("-published_on")
    )
