"""Evidence for the registry's compliance rules: approved strategic assessments and refreshes."""

from __future__ import annotations

from django.urls import reverse

from cdrp.intelligence.models import Assessment
from cdrp.partnerships import evidence


def _assessments(partnership, kind: str, evidence_kind: str):
    approved = Assessment.objects.filter(
        partnership=partnership,
        kind=kind,
        status__in=[Assessment.Status.APPROVED, Assessment.Status.PUBLISHED],
        approved_at__isnull=False,
    ).select_related("approval_decision__meeting")
    for a in approved:
        # The date the strategy group decided, not the day the approval was typed in.
        day = a.approved_on
        if day is None:  # approved_at is set (the filter): never reached
            continue
        yield evidence.Evidence(
            kind=evidence_kind,
            date=day,
            title=f"{a.title} ({a.period_start} to {a.period_end}), approved",
            url=reverse(
                "intelligence:assessment-detail",
                kwargs={"partnership": partnership.slug, "pk": a.pk},
            ),
        )


def strategic(partnership):
    return _assessments(partnership, Assessment.Kind.STRATEGIC, evidence.STRATEGIC_ASSESSMENT)


def refresh(partnership):
    return _assessments(partnership, Assessment.Kind.REFRESH, evidence.ASSESSMENT_REFRESH)


def connect() -> None:
    evidence.register(evidence.STRATEGIC_ASSESSMENT, strategic)
    evidence.register(evidence.ASSESSMENT_REFRESH, refresh)
