"""JSON API: performance against the plan, and the partner measures entered by hand
(registered in cdrp.api).

- ``GET /api/partnerships/{slug}/performance?as_of=YYYY-MM`` — every indicator of the current
  plan with its figure so far, projection, interval, target, status and reasoning (members).
- ``GET /api/partnerships/{slug}/series`` — the manual series and their months (members).
- ``POST /api/partnerships/{slug}/series/{series}/values`` — enter or correct a month
  (coordinators); replacing a month needs the ``version`` of the value it replaces.
"""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from cdrp.accounts.api_auth import AUTH, allow
from cdrp.accounts.policy import Permission
from cdrp.analysis.errors import RefusedInput
from cdrp.analysis.months import parse_month
from cdrp.analysis.performance import PerformanceError
from cdrp.core.models import ConflictError
from cdrp.performance.figures import performance_plan
from cdrp.performance.services import record_series_value
from cdrp.performance.status import plan_performance, status_counts
from cdrp.performance.store import default_store, last_month
from cdrp.plans.models import ManualSeries

router = Router(tags=["performance"])


class PointOut(Schema):
    month: str
    value: float | None


class IndicatorStatusOut(Schema):
    priority: str
    objective: str
    indicator: str
    indicator_id: int
    source: str
    measure: str
    direction: str
    target_kind: str | None
    target: str
    target_value: float | None
    period_start: str | None
    period_end: str | None
    as_of: str
    value: float | None
    projection: float | None
    low: float | None
    high: float | None
    status: str
    reasoning: str
    error_field: str | None
    months: list[PointOut]


class PerformanceOut(Schema):
    partnership: str
    plan_revision: int | None
    plan_title: str | None
    plan_status: str | None
    as_of: str | None
    last_month_held: str | None
    statuses: dict[str, int]
    indicators: list[IndicatorStatusOut]


def _number(value):
    return None if value is None else float(value)


@router.get("/partnerships/{partnership}/performance", response=PerformanceOut, auth=AUTH)
@allow(Permission.VIEW_MEMBER)
def performance(request, partnership: str, as_of: str | None = None):
    """Every indicator of the current plan (the latest approved revision, else the latest
    draft) as of a month (default: the last month held)."""
    part = request.partnership
    plan, _ = performance_plan(part)
    store = default_store()
    last = last_month(part, store) if store is not None else None
    if as_of is not None:
        try:
            as_of = parse_month(as_of, "as_of")
        except RefusedInput as exc:
            raise HttpError(400, str(exc)) from None
    else:
        as_of = last
    rows = plan_performance(plan, store, as_of) if plan is not None and as_of else []
    return {
        "partnership": part.slug,
        "plan_revision": plan.revision if plan else None,
        "plan_title": plan.title if plan else None,
        "plan_status": plan.status if plan else None,
        "as_of": as_of,
        "last_month_held": last,
        "statuses": {c["status"]: c["count"] for c in status_counts(rows)},
        "indicators": [
            {
                "priority": r["priority"].name,
                "objective": r["objective"].text,
                "indicator": r["indicator"].name,
                "indicator_id": r["indicator"].pk,
                "source": r["indicator"].source,
                "measure": r["measure"],
                "direction": r["direction"],
                "target_kind": r["target"].kind if r["target"] else None,
                "target": r["target_text"],
                "target_value": _number(r["target_value"]),
                "period_start": r["period"][0] if r["period"] else None,
                "period_end": r["period"][1] if r["period"] else None,
                "as_of": r["as_of"],
                "value": _number(r["value"]),
                "projection": _number(r["projection"]),
                "low": _number(r["low"]),
                "high": _number(r["high"]),
                "status": r["status"],
                "reasoning": r["reasoning"],
                "error_field": r["error"],
                "months": r["months"],
            }
            for r in rows
        ],
    }


class SeriesValueOut(Schema):
    month: str
    value: int
    denominator: int | None
    note: str
    version: int


class SeriesOut(Schema):
    slug: str
    name: str
    description: str
    source: str
    has_denominator: bool
    values: list[SeriesValueOut]


def _value(v) -> dict:
    return {
        "month": v.month,
        "value": v.value,
        "denominator": v.denominator,
        "note": v.note,
        "version": v.version,
    }


@router.get("/partnerships/{partnership}/series", response=list[SeriesOut], auth=AUTH)
@allow(Permission.VIEW_MEMBER)
def series_list(request, partnership: str):
    """The partnership's manual series (partner measures), each with every month entered."""
    return [
        {
            "slug": s.slug,
            "name": s.name,
            "description": s.description,
            "source": s.source,
            "has_denominator": s.has_denominator,
            "values": [_value(v) for v in s.values.order_by("month")],
        }
        for s in ManualSeries.objects.filter(partnership=request.partnership).prefetch_related(
            "values"
        )
    ]


class SeriesValueIn(Schema):
    month: str
    value: int | str
    denominator: int | str | None = None
    note: str = ""
    version: int | None = None


@router.post(
    "/partnerships/{partnership}/series/{series}/values",
    response={200: SeriesValueOut, 201: SeriesValueOut},
    auth=AUTH,
)
@allow(Permission.ANALYSE)
def series_value(request, partnership: str, series: str, body: SeriesValueIn):
    """Enter a month of a series (201), or replace one (200) by giving the ``version`` of the
    value it replaces: without it 400, with a stale one 409. Bad input is refused with 400 and
    a message naming the field."""
    item = get_object_or_404(ManualSeries, partnership=request.partnership, slug=series)
    try:
        row, created = record_series_value(
            item, body.month, body.value, body.denominator, body.note, version=body.version
        )
    except PerformanceError as exc:
        raise HttpError(400, str(exc)) from None
    except ConflictError as exc:
        raise HttpError(409, str(exc)) from None
    return Status(201 if created else 200, _value(row))
