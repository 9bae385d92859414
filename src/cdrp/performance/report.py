"""The quarterly performance report for the strategy group: statuses as of the quarter's last
month (capped at the last month held), exceptions first, then each priority; as HTML and PDF."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Max
from django.template.loader import render_to_string

from cdrp.analysis.months import label, quarter_label, quarter_months, quarter_of, shift
from cdrp.analysis.performance import PerformanceError
from cdrp.core import documents as stored
from cdrp.intelligence.documents import LICENCE
from cdrp.performance.status import by_priority, exceptions, plan_performance, status_counts
from cdrp.performance.store import last_month
from cdrp.plans.models import Plan
from cdrp.store import Store

__all__ = [
    "METHOD",
    "available_quarters",
    "quarterly_report",
    "render_report_html",
    "render_report_pdf",
    "report_pdf",
    "report_version",
    "stored_report_pdf",
]


def available_quarters(plan: Plan | None, last: str | None) -> list[dict]:
    """Quarters of the plan period with data held, newest first: ``quarter``, ``label``,
    ``as_of`` (the quarter's last month, capped at the last month held) and ``partial``."""
    if plan is None or last is None:
        return []
    first = plan.period_start
    end = min(plan.period_end, last)
    if end < first:
        return []
    out = []
    q = quarter_of(first)
    while quarter_months(q)[0] <= end:
        q_first, q_last = quarter_months(q)
        out.append(
            {
                "quarter": q,
                "label": quarter_label(q),
                "as_of": min(q_last, last),
                "partial": q_last > last,
            }
        )
        q = quarter_of(shift(q_last, 1))
    return list(reversed(out))


def quarterly_report(plan: Plan, store: Store | str | None, quarter: str) -> dict:
    """The quarterly performance report as data: statuses as of the quarter's last month
    (capped at the last month held), exceptions first, then each priority."""
    first, last_of_quarter = quarter_months(quarter)
    held = last_month(plan.partnership, store) if store is not None else None
    if held is not None and held < first:
        raise PerformanceError(
            "quarter", f"no data is held for {quarter_label(quarter)} yet (data to {held})"
        )
    as_of = min(last_of_quarter, held) if held else last_of_quarter
    rows = plan_performance(plan, store, as_of)
    return {
        "plan": plan,
        "partnership": plan.partnership,
        "quarter": quarter,
        "label": quarter_label(quarter),
        "as_of": as_of,
        "as_of_label": label(as_of),
        "partial": as_of < last_of_quarter,
        "rows": rows,
        "exceptions": exceptions(rows),
        "priorities": by_priority(rows),
        "counts": status_counts(rows),
        "draft": plan.status == Plan.Status.DRAFT,
    }


METHOD = (
    "Each indicator is projected to the end of its target period from the months held so far: "
    "the total so far is scaled by last year's seasonal pattern (last year's total over the "
    "whole period divided by last year's total in the same months), or pro rata when last "
    "year's months are not all held. The 95% interval is the exact Poisson (Garwood) interval "
    "of the count, scaled the same way; for harm-weighted figures the gamma interval for a "
    "weighted sum of Poisson counts (Fay & Feuer 1997), which keeps the skew a few heavily "
    "weighted records give; for proportions the Wilson interval of the figure so "
    "far. An indicator is on track when its projection meets the target, off track when the "
    "whole interval misses it, and at risk when the projection misses but the target lies "
    "inside the interval, so the difference could be chance. A month with no data is missing, "
    "not zero."
)


def render_report_html(report: dict) -> str:
    return render_to_string(
        "performance/report_print.html",
        {**report, "licence": LICENCE, "method": METHOD},
    )


def render_report_pdf(report: dict) -> bytes:
    """The quarterly report as a PDF for the strategy group (WeasyPrint)."""
    from weasyprint import HTML  # a second to import: only when a PDF is asked for

    return HTML(string=render_report_html(report), base_url=str(settings.BASE_DIR)).write_pdf()


def report_pdf(report: dict, object_id: str, version: list | None = None):
    """The quarterly report's PDF, rendered once per version: `version` when given (see
    `report_version`, cheap to compute), else the report's content itself (its figures,
    statuses and words, hashed): the same report gives the stored PDF at once."""
    return stored.cached(
        "performance-report-pdf",
        object_id,
        version if version is not None else [report],
        lambda: render_report_pdf(report),
        "application/pdf",
    )


def _latest(queryset) -> list:
    """(last change, how many) of some records: a save moves the first, a delete the second."""
    found = queryset.aggregate(latest=Max("updated_at"), n=Count("pk"))
    return [found["latest"], found["n"]]


def report_version(plan: Plan, store: Store | str | None, quarter: str) -> list:
    """What the quarterly report is drawn from, as a version, without computing it: the
    incident store's committed version (every import commits a new one), the plan revision's
    version and those of its priorities, objectives, indicators and targets, the partnership's
    manual series and their months, and the partnership's districts. A few aggregate queries:
    the report itself (every indicator's status) is computed only when this version's PDF is
    not stored yet."""
    from cdrp.plans.models import Indicator as IndicatorRecord
    from cdrp.plans.models import ManualSeries, Objective, Priority, SeriesValue, Target

    partnership = plan.partnership
    if store is None:
        store_version = None
    else:
        opened = store if isinstance(store, Store) else Store(store)
        store_version = opened.state().get("version")
    return [
        "performance-report",
        quarter,
        store_version,
        plan.pk,
        plan.version,
        plan.updated_at,
        _latest(Priority.objects.filter(plan=plan)),
        _latest(Objective.objects.filter(priority__plan=plan)),
        _latest(IndicatorRecord.objects.filter(objective__priority__plan=plan)),
        _latest(Target.objects.filter(indicator__objective__priority__plan=plan)),
        _latest(ManualSeries.objects.filter(partnership=partnership)),
        _latest(SeriesValue.objects.filter(series__partnership=partnership)),
        sorted(partnership.districts.values_list("code", flat=True)),
    ]


def stored_report_pdf(plan: Plan, store: Store | str | None, quarter: str, object_id: str):
    """The quarterly report's PDF for one version of what it is drawn from (`report_version`):
    the stored one when held, else the report is computed and rendered (PerformanceError when
    the quarter has no data)."""
    version = report_version(plan, store, quarter)
    return stored.cached(
        "performance-report-pdf",
        object_id,
        version,
        lambda: render_report_pdf(quarterly_report(plan, store, quarter)),
        "application/pdf",
    )
