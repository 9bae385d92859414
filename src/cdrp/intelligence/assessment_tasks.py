"""Background task that builds a strategic assessment (run by `cdrp worker`)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from cdrp.accounts.audit import acting_as
from cdrp.core.progress import task_progress
from cdrp.intelligence.assessments import build
from cdrp.intelligence.models import Assessment
from cdrp.partnerships.models import Partnership


@task(takes_context=True)
def build_assessment_task(
    context,
    partnership_id: int,
    end: str | None = None,
    months: int = 12,
    kind: str = "strategic",
    annual_id: int | None = None,
    user_id: int | None = None,
) -> dict:
    """Build and save an assessment (as `cdrp assess`); returns its id and title."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    partnership = Partnership.objects.get(pk=partnership_id)
    annual = Assessment.objects.filter(pk=annual_id).first() if annual_id else None
    label = f"Build the {'refresh' if kind == 'refresh' else 'strategic assessment'}"
    with task_progress(context.task_result.id, label, user) as report, acting_as(user):
        record = build(
            partnership=partnership,
            end=end,
            months=months,
            kind=kind,
            annual=annual,
            user=user,
            report=report,
        )
    return {"assessment": record.pk, "title": record.title}
