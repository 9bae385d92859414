"""Background task that builds a strategic assessment (run by `cdrp worker`)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django_tasks import task

from cdrp.accounts.audit import acting_as
from cdrp.core.progress import task_progress
from cdrp.intelligence import documents
from cdrp.intelligence.assessments import build
from cdrp.intelligence.models import Assessment
from cdrp.partnerships.models import Partnership

#: What a rebuild carries over onto the draft it replaces.
REBUILT_FIELDS = (
    "title",
    "months",
    "document",
    "fingerprint",
    "parameters",
    "annual",
    "built_at",
    "built_by",
    "build_seconds",
)


def save_replacing_draft(record: Assessment) -> Assessment:
    """Save a freshly built (unsaved) assessment. When the partnership already has a draft of
    the same kind for the same period, that draft is rebuilt in place (same record, a new
    version) instead of a second draft being added beside it; any further drafts of that
    period (left by earlier builds) are deleted. Reviewed, approved or published assessments
    are never touched: a rebuild beside them is a new draft."""
    with transaction.atomic():
        drafts = list(
            Assessment.objects.select_for_update()
            .filter(
                partnership=record.partnership,
                kind=record.kind,
                period_start=record.period_start,
                period_end=record.period_end,
                status=Assessment.Status.DRAFT,
            )
            .order_by("-built_at", "-pk")
        )
        if not drafts:
            record.save()
            return record
        kept, *extra = drafts
        for field in REBUILT_FIELDS:
            setattr(kept, field, getattr(record, field))
        kept.save_checked(kept.version)
        for duplicate in extra:
            duplicate.delete()
        return kept


def assessment_url(record: Assessment) -> str:
    """The page of an assessment built for a partnership (one built for districts by hand
    has none)."""
    if record.partnership is None:
        return ""
    return reverse(
        "intelligence:assessment-detail",
        kwargs={"partnership": record.partnership.slug, "pk": record.pk},
    )


@task(queue_name="documents")
def render_assessment_pdf_task(assessment_id: int, version: int) -> dict:
    """Render (and store) the PDF and the XLSX annex of one version of an assessment ahead of
    their first download; the public PDF too once it is published. Nothing when the record
    has moved on since."""
    record = Assessment.objects.filter(pk=assessment_id, version=version).first()
    if record is None:
        return {"assessment": assessment_id, "rendered": []}
    rendered = [documents.assessment_pdf(record).kind, documents.assessment_xlsx(record).kind]
    if record.status == Assessment.Status.PUBLISHED:
        rendered.append(documents.assessment_pdf(record, public=True).kind)
    return {"assessment": assessment_id, "rendered": rendered}


def render_when_saved(record: Assessment) -> None:
    """Queue the PDF of the record as now saved, once the transaction commits."""
    transaction.on_commit(lambda: render_assessment_pdf_task.enqueue(record.pk, record.version))


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
    """Build and save an assessment (as `cdrp assess`), replacing the draft of the same period;
    returns its id, title and page."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    partnership = Partnership.objects.get(pk=partnership_id)
    annual = Assessment.objects.filter(pk=annual_id).first() if annual_id else None
    label = f"Build the {'refresh' if kind == 'refresh' else 'strategic assessment'}"
    with task_progress(context.task_result.id, label, user) as report, acting_as(user):
        built = build(
            partnership=partnership,
            end=end,
            months=months,
            kind=kind,
            annual=annual,
            user=user,
            report=report,
            save=False,
        )
        record = save_replacing_draft(built)
        render_when_saved(record)
        url = assessment_url(record)
        report.result(url, f"Open the draft: {record.title}")
    return {"assessment": record.pk, "title": record.title, "url": url}
