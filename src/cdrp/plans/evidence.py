"""Evidence for the registry's compliance rules: approved revisions of the partnership plan."""

from __future__ import annotations

from django.urls import reverse

from cdrp.analysis.months import Month
from cdrp.partnerships import evidence
from cdrp.plans.models import Plan


def partnership_plans(partnership):
    """Every approved revision, newest first: date = approved, period = the plan's three years."""

    approved = (
        Plan.objects.filter(
            partnership=partnership,
            status__in=[Plan.Status.APPROVED, Plan.Status.SUPERSEDED],
            approved_at__isnull=False,
        )
        .order_by("-approved_at")
        .select_related("approval_decision__meeting")
    )
    for plan in approved:
        start = Month.parse(plan.period_start).first_day
        end = Month.parse(plan.period_end).last_day
        yield evidence.Evidence(
            kind=evidence.PARTNERSHIP_PLAN,
            date=plan.approved_on,
            title=f"{plan.title}, revision {plan.revision}",
            url=reverse(
                "plans:published-plan",
                kwargs={"partnership": partnership.slug, "revision": plan.revision},
            ),
            period_start=start,
            period_end=end,
        )


def connect() -> None:
    evidence.register(evidence.PARTNERSHIP_PLAN, partnership_plans)
