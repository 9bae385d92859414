"""Status of each indicator of the plan against its current target: the figure so far, the
projection to the end of the target period with its 95% interval, and the status with its
reasoning (`cdrp.analysis.performance`), row by row in the plan's order."""

from __future__ import annotations

from typing import Any

from cdrp.analysis.errors import RefusedInput
from cdrp.analysis.months import label as month_label
from cdrp.analysis.months import month_range, parse_month, shift, span_label
from cdrp.analysis.performance import (
    STATUSES,
    PerformanceError,
    assess,
    check_target,
    format_value,
    project_year_end,
    resolve_target,
    sparkline,
)
from cdrp.analysis.readings import target_reading
from cdrp.performance.family import family_rate
from cdrp.performance.figures import (
    current_target,
    harm_weights,
    indicator_codes,
    indicator_measure,
    indicator_series,
    weight_map,
)
from cdrp.performance.store import StoreData, load_store_data
from cdrp.plans.models import Indicator, Plan, Target
from cdrp.store import Store

__all__ = [
    "ORDER",
    "TAG",
    "by_priority",
    "exceptions",
    "indicator_status",
    "needed_span",
    "plan_indicators",
    "plan_performance",
    "status_counts",
]

TAG = {
    "on track": "govuk-tag--green",
    "at risk": "govuk-tag--yellow",
    "off track": "govuk-tag--red",
    "no data": "govuk-tag--grey",
    "not started": "govuk-tag--grey",
    "no target": "govuk-tag--grey",
    "cannot judge": "govuk-tag--grey",
}
#: Order in which rows are listed among exceptions and in summaries.
ORDER = (*STATUSES, "no target", "cannot judge")


def _names(data: StoreData | None, codes: list[str]) -> str:
    names = [
        str(data.districts["district_name"].get(c, c)) if data is not None else c for c in codes
    ]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _describe_target(target: Target) -> str:
    """The target in words, before it is resolved to a figure (for rows that cannot be)."""
    direction = target.indicator.direction
    bound = "at most" if direction == "lower" else "at least"
    if target.kind == Target.Kind.ABSOLUTE:
        return f"{bound} {target.value.normalize():,f}" if target.value is not None else "–"
    if target.kind == Target.Kind.CHANGE:
        value = target.value.normalize() if target.value is not None else "?"
        base = (
            span_label(target.baseline_start, target.baseline_end)
            if target.baseline_start and target.baseline_end
            else "no baseline"
        )
        return f"{value:+f}% on the baseline ({base})" if target.value is not None else base
    return "better than the family average"


def indicator_status(
    indicator: Indicator,
    target: Target | None,
    store: Store | str | None,
    as_of: str,
    *,
    data: StoreData | None = None,
) -> dict:
    """An indicator's figure so far, projection, interval and status against `target` as of
    the month `as_of`, with the reasoning and the months for a sparkline.

    Returns
    -------
    dict
        ``indicator``, ``target`` (records), ``measure``, ``direction``, ``status``,
        ``reasoning``, ``value``, ``projection``, ``low``, ``high``, ``target_value``,
        ``target_text``, ``period``, ``months`` (``[{"month", "value"}]``, value None when
        missing), ``spark_target`` (the target's monthly level), ``sparkline`` (SVG),
        ``error`` (the field at fault when the target cannot be judged) and display texts.
    """
    as_of = parse_month(as_of, "as_of")
    measure = indicator_measure(indicator)
    direction = indicator.direction
    row: dict = {
        "indicator": indicator,
        "target": target,
        "measure": measure,
        "direction": direction,
        "as_of": as_of,
        "value": None,
        "projection": None,
        "low": None,
        "high": None,
        "target_value": None,
        "target_text": "",
        "period": None,
        "months": [],
        "spark_target": None,
        "error": None,
    }
    if target is None:
        row.update(status="no target", reasoning="This indicator has no target yet.")
        return _finish(row)
    try:
        check_target(
            target.kind,
            target.value,
            target.period_start,
            target.period_end,
            target.baseline_start,
            target.baseline_end,
        )
        period = month_range(target.period_start, target.period_end)
    except RefusedInput as exc:
        return _cannot(row, exc, _describe_target(target))
    row["period"] = (period[0], period[-1])
    first = shift(period[0], -12)
    last = max(first, min(as_of, period[-1]))
    if target.kind == Target.Kind.CHANGE:
        first = min(first, target.baseline_start)
        last = max(last, min(as_of, target.baseline_end))
    store_indicator = indicator.source == Indicator.Source.STORE
    if store_indicator and (data is None or data.start > first or data.end < last):
        data = load_store_data(store, first, max(last, as_of))
    try:
        series = indicator_series(indicator, store, first, last, data=data)
    except PerformanceError as exc:
        return _cannot(row, exc, _describe_target(target))
    held = series[series["covered"]]
    observed = dict(zip(held["month"], held["value"], strict=True))
    covered = set(held["month"])
    codes = indicator_codes(indicator) if store_indicator or measure == "rate" else []
    year = int(period[-1][:4])
    population = None
    if measure in ("rate", "harm rate"):
        if data is None:
            data = load_store_data(store, first, last)
        population = data.population(codes, year)
        if not population:
            return _cannot(
                row,
                PerformanceError("areas", f"no population for {', '.join(codes)}"),
                _describe_target(target),
            )
    variance = (
        dict(zip(held["month"], held["variance"], strict=True))
        if measure.startswith("harm")
        else None
    )
    # The heaviest category that could be counted, for the harm interval's upper limit.
    max_weight = (
        (
            max(weight_map(list(indicator.categories)).values())
            if indicator.categories
            else float(harm_weights().max())
        )
        if measure.startswith("harm")
        else None
    )
    denominators = (
        dict(zip(held["month"], held["denominator"], strict=True))
        if measure == "proportion"
        else None
    )
    try:
        projection = project_year_end(
            observed,
            period,
            covered,
            observed,
            as_of=as_of,
            variance_by_month=variance,
            population=population,
            denominator_by_month=denominators,
            max_weight=max_weight,
        )
    except PerformanceError as exc:
        return _cannot(row, exc, _describe_target(target))
    try:
        resolved = _resolve(indicator, target, projection, series, covered, data, codes, year)
    except PerformanceError as exc:
        if projection.has_data:
            return _cannot(row, exc, _describe_target(target))
        resolved = None  # e.g. a baseline still to come: nothing to judge yet anyway
    judgement = assess(projection, resolved, direction)
    row.update(
        status=judgement.status,
        reasoning=judgement.reasoning,
        value=projection.value,
        projection=projection.projection if projection.has_data else None,
        low=projection.low,
        high=projection.high,
        target_value=resolved.value if resolved else None,
        target_text=resolved.text if resolved else _describe_target(target),
        projection_detail=projection,
    )
    # Sparkline: the twelve months before the period, then the period so far.
    scale = 1000.0 / population if population else 1.0
    shown = series[series["month"] <= min(as_of, period[-1])]
    values: list[float | None] = []
    r: Any  # a row of the series frame
    for r in shown.itertuples(index=False):
        if not r.covered:
            values.append(None)
        elif measure == "proportion":
            values.append(r.value / r.denominator if r.denominator else None)
        else:
            values.append(float(r.value) * scale)
    row["months"] = [{"month": m, "value": v} for m, v in zip(shown["month"], values, strict=True)]
    if resolved is not None:
        row["spark_target"] = (
            resolved.value if measure == "proportion" else resolved.value / len(period)
        )
        row["spark_from"] = next(
            (i for i, m in enumerate(shown["month"]) if m >= period[0]), len(values)
        )
    return _finish(row)


def _resolve(indicator, target, projection, series, covered, data, codes, year):
    """The target as a figure (None when there is nothing to judge yet)."""
    measure = projection.measure
    period = projection.period
    if target.kind == Target.Kind.FAMILY:
        if indicator.source != Indicator.Source.STORE:
            raise PerformanceError(
                "kind", "a family target needs a store indicator: partner measures have no family"
            )
        if not projection.has_data:
            return None
        rate, members = family_rate(indicator, data, codes, projection.elapsed, year)
        return resolve_target(
            "family",
            None,
            period_months=period,
            direction=indicator.direction,
            measure=measure,
            population=projection.population or data.population(codes, year),
            family_rate=rate,
            family_label=_names(data, members),
            factor=projection.factor,
            months_elapsed=len(projection.elapsed),
        )
    baseline_months = None
    if target.kind == Target.Kind.CHANGE and target.baseline_start and target.baseline_end:
        baseline_months = month_range(
            target.baseline_start,
            target.baseline_end,
            first_field="baseline_start",
            last_field="baseline_end",
        )
    values = dict(zip(series["month"], series["value"], strict=True))
    denominators = (
        dict(zip(series["month"], series["denominator"], strict=True))
        if "denominator" in series
        else None
    )
    return resolve_target(
        target.kind,
        float(target.value) if target.value is not None else None,
        period_months=period,
        direction=indicator.direction,
        measure=measure,
        baseline_months=baseline_months,
        baseline_by_month={m: v for m, v in values.items() if m in covered},
        covered=covered,
        baseline_denominator_by_month=denominators,
        population=projection.population,
    )


def _cannot(row: dict, exc: RefusedInput, text: str) -> dict:
    row.update(
        status="cannot judge",
        reasoning=f"This target cannot be judged: {exc}.",
        error=exc.field,
        target_text=text,
    )
    return _finish(row)


def _finish(row: dict) -> dict:
    m = row["measure"]
    row["tag"] = TAG.get(row["status"], "govuk-tag--grey")
    row["value_text"] = format_value(row["value"], m) if row["value"] is not None else "–"
    row["projection_text"] = (
        format_value(row["projection"], m) if row["projection"] is not None else "–"
    )
    row["interval_text"] = (
        f"{format_value(row['low'], m).removesuffix(' per 1,000')} to "
        f"{format_value(row['high'], m)}"
        if row["low"] is not None and row["projection"] is not None
        else ""
    )
    short, _, detail = row["target_text"].partition(" (")
    row["target_short"] = short
    row["target_detail"] = detail.removesuffix(")")
    row["reading"] = target_reading(
        row["status"],
        row["projection_text"],
        row["interval_text"],
        short or "none",
        month_label(row["period"][1]) if row.get("period") else "",
    )
    indicator = row["indicator"]
    label = f"{indicator.name}: monthly figures"
    if row["months"]:
        label += f" {span_label(row['months'][0]['month'], row['months'][-1]['month'])}"
    if row["spark_target"] is not None:
        label += f"; dashed line: the target's monthly level ({_spark_level(row)})"
    row["sparkline"] = sparkline(
        [p["value"] for p in row["months"]],
        label=label,
        target=row["spark_target"],
        target_from=row.get("spark_from", 0),
    )
    return row


def _spark_level(row: dict) -> str:
    value = row["spark_target"]
    if row["measure"] == "proportion":
        return f"{value:.1%}"
    if row["measure"] in ("rate", "harm rate"):
        return f"{value:,.3f} per 1,000 a month"
    return f"{value:,.0f} a month"


def needed_span(plan: Plan, as_of: str) -> tuple[str, str]:
    """The months the plan's store indicators read up to `as_of`: from twelve months before
    the earliest target period (or its baseline) to `as_of`."""
    first = as_of
    for indicator in Indicator.objects.filter(objective__priority__plan=plan):
        for t in indicator.targets.all():
            try:
                first = min(first, shift(parse_month(t.period_start, "period_start"), -12))
                if t.baseline_start:
                    first = min(first, parse_month(t.baseline_start, "baseline_start"))
            except RefusedInput:
                continue
    return first, as_of


def plan_indicators(plan: Plan):
    """The plan's indicators in its order, with what their statuses read."""
    return (
        Indicator.objects.filter(objective__priority__plan=plan)
        .select_related("objective__priority__plan__partnership", "series")
        .prefetch_related("targets", "objective__priority__plan__partnership__districts")
        .order_by("objective__priority__position", "objective__position", "position", "pk")
    )


def plan_performance(
    plan: Plan, store: Store | str | None, as_of: str, *, data: StoreData | None = None
) -> list[dict]:
    """Every indicator of the plan with its current target (the one whose period holds
    `as_of`), in the plan's order: `indicator_status` rows with ``priority`` and
    ``objective``."""
    as_of = parse_month(as_of, "as_of")
    indicators = list(plan_indicators(plan))
    if data is None and any(i.source == Indicator.Source.STORE for i in indicators):
        first, last = needed_span(plan, as_of)
        data = load_store_data(store, first, last)
    rows = []
    for indicator in indicators:
        row = indicator_status(indicator, current_target(indicator, as_of), store, as_of, data=data)
        row["priority"] = indicator.objective.priority
        row["objective"] = indicator.objective
        rows.append(row)
    return rows


def exceptions(rows: list[dict]) -> list[dict]:
    """Rows off track, then at risk."""
    return [r for s in ("off track", "at risk") for r in rows if r["status"] == s]


def by_priority(rows: list[dict]) -> list[dict]:
    out: list[dict] = []
    for row in rows:
        if not out or out[-1]["priority"].pk != row["priority"].pk:
            out.append({"priority": row["priority"], "rows": []})
        out[-1]["rows"].append(row)
    return out


def status_counts(rows: list[dict]) -> list[dict]:
    seen: dict[str, int] = {}
    for row in rows:
        seen[row["status"]] = seen.get(row["status"], 0) + 1
    return [{"status": s, "count": seen[s], "tag": TAG[s]} for s in ORDER if s in seen]
