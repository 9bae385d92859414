"""Performance management of the partnership plan: each indicator's figures, projection and
status against its target, the quarterly report, and the manual series partners enter.

Reads the plan records and the incident store, and calls the pure statistics in
`cdrp.analysis.performance` (projection to the end of the target period with a 95% interval,
the target as a figure, and the status with its reasoning).

- Store indicators count police.uk records of the indicator's categories (slugs) in its
  districts (the partnership's districts when it names none), month by month; a month is held
  when every force the districts belong to has its file. Harm-weighted indicators weight each
  record by the default ONS Crime Severity Score table (`cdrp.analysis.harm.default_weights`).
  Rates use the ONS mid-year estimate of the latest year not after the target period's end.
- Manual indicators read `SeriesValue` rows: a month with no row is missing. A series with a
  denominator is a proportion (its absolute target is a percentage, e.g. 12 for 12%).
- Family targets: each district's family is its 15 most similar districts in England
  (`cdrp.analysis.peers`, as in the strategic assessment), keeping those whose force's data
  covers the elapsed months. The family of a partnership of several districts is the union
  of its districts' families, less its own districts. The family average is the plain mean of
  the members' rates per 1,000 (of the same categories, harm-weighted or not) over the same
  elapsed months, scaled to the end of the period by the projection's factor.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from django.db import transaction

from cdrp.analysis.harm import category_name, default_weights
from cdrp.analysis.performance import (
    STATUSES,
    PerformanceError,
    assess,
    check_target,
    format_value,
    month_range,
    parse_month,
    project_year_end,
    resolve_target,
    shift_month,
    sparkline,
)
from cdrp.core import tables
from cdrp.plans.models import Indicator, ManualSeries, Plan, SeriesValue, Target
from cdrp.store import Store, counts, coverage

__all__ = [
    "METHOD",
    "SeriesValueError",
    "StoreData",
    "TAG",
    "available_quarters",
    "by_priority",
    "check_series_value",
    "create_series",
    "current_target",
    "default_store",
    "exceptions",
    "family_members",
    "indicator_series",
    "indicator_status",
    "indicators_csv",
    "indicators_xlsx",
    "last_month",
    "load_store_data",
    "month_label",
    "performance_plan",
    "plan_performance",
    "plan_review",
    "plan_review_record",
    "quarter_label",
    "quarter_months",
    "quarter_of",
    "quarterly_report",
    "record_series_value",
    "render_report_html",
    "render_report_pdf",
    "series_rows",
    "status_counts",
    "statuses_csv",
    "statuses_xlsx",
]

#: Status → GOV.UK tag colour.
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
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


# --- The incident store, read once for many indicators -----------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


@dataclass
class StoreData:
    """Monthly counts by district and category for a span of months, with coverage and the
    district table (names, forces, populations): one store query serves every indicator."""

    store: Store
    start: str
    end: str
    frame: pd.DataFrame  # month, district, category, count
    districts: pd.DataFrame  # indexed by district_code
    coverage: pd.DataFrame  # police-uk force × month with `missing`
    _covered: dict = field(default_factory=dict)

    def covered(self, codes: list[str]) -> set[str]:
        """Months held for these districts: every force they belong to has the month's file."""
        key = tuple(sorted(codes))
        if key in self._covered:
            return self._covered[key]
        cov = self.coverage
        forces = set(cov["force"]) if len(cov) else set()
        names = self.districts.reindex(list(codes))["force_name"].dropna()
        wanted = {f for f in forces if any(_slug(n).startswith(f) for n in names)} or forces
        held = cov[cov["force"].isin(wanted)] if len(cov) else cov
        if not len(held):
            out: set[str] = set()
        else:
            ok = held.groupby("month")["missing"].apply(lambda s: not s.any())
            out = {str(m) for m in ok[ok].index}
        self._covered[key] = out
        return out

    def last_month(self, codes: list[str] | None = None) -> str | None:
        months = self.covered(codes or list(self.districts.index))
        return max(months) if months else None

    def population(self, codes: list[str], year: int) -> float | None:
        """Residents of the districts from the latest mid-year estimate not after `year`."""
        years = sorted(
            int(m.group(1))
            for c in self.districts.columns
            if (m := re.match(r"population_(\d{4})$", c))
        )
        earlier = [y for y in years if y <= year]
        chosen = max(earlier) if earlier else (min(years) if years else None)
        if chosen is None:
            return None
        values = self.districts.reindex(codes)[f"population_{chosen}"]
        if values.isna().any():
            return None
        return float(values.sum())

    def population_year(self, year: int) -> int | None:
        years = sorted(
            int(m.group(1))
            for c in self.districts.columns
            if (m := re.match(r"population_(\d{4})$", c))
        )
        earlier = [y for y in years if y <= year]
        return max(earlier) if earlier else (min(years) if years else None)


def _read_geo(store: Store, name: str) -> pd.DataFrame:
    with store.fs.open_input_file(store.path(f"_geography/{name}.parquet")) as handle:
        return pq.read_table(handle).to_pandas()


def load_store_data(store: Store | str, start: str, end: str) -> StoreData:
    """Read the counts by month, district and category for ``start..end`` (one query)."""
    store = store if isinstance(store, Store) else Store(store)
    start, end = parse_month(start, "start"), parse_month(end, "end")
    frame = counts(store, ["month", "district", "category"], start=start, end=end, output="pandas")
    if store.exists("_geography/districts.parquet"):
        districts = _read_geo(store, "districts").set_index("district_code")
    else:
        districts = pd.DataFrame(columns=["district_name", "force_name"])
    cov = coverage(store)
    if len(cov):
        cov = cov[cov["source"] == "police-uk"]
    return StoreData(store, start, end, frame, districts, cov)


def default_store() -> Store | None:
    """The incident store named in the settings (None when it cannot be opened: pages still
    show manual indicators)."""
    from cdrp.intelligence.services import incident_store

    try:
        return incident_store()
    except Exception:
        return None


# --- Which plan, which target, which months ----------------------------------------------------


def performance_plan(partnership) -> tuple[Plan | None, bool]:
    """The revision performance is measured against: the latest approved one, else the latest
    draft. Returns (plan, is_draft)."""
    plans = Plan.objects.filter(partnership=partnership).order_by("-revision")
    approved = plans.filter(status=Plan.Status.APPROVED).first()
    if approved is not None:
        return approved, False
    draft = plans.filter(status=Plan.Status.DRAFT).first()
    return draft, draft is not None


def current_target(indicator: Indicator, as_of: str) -> Target | None:
    """The target whose period holds `as_of`; else the latest one already ended; else the
    first one to come."""
    targets = sorted(indicator.targets.all(), key=lambda t: t.period_start)
    if not targets:
        return None
    for t in targets:
        if t.period_start <= as_of <= t.period_end:
            return t
    ended = [t for t in targets if t.period_end < as_of]
    return ended[-1] if ended else targets[0]


def _codes(indicator: Indicator) -> list[str]:
    if indicator.areas:
        return list(indicator.areas)
    partnership = indicator.objective.priority.plan.partnership
    return sorted(a.code for a in partnership.districts.all())


def _measure(indicator: Indicator) -> str:
    if indicator.source == Indicator.Source.MANUAL:
        if indicator.series_id and indicator.series.has_denominator:
            return "proportion"
        return "rate" if indicator.measure == Indicator.Measure.RATE else "count"
    harm = "harm" if indicator.harm_weighted else "count"
    if indicator.measure == Indicator.Measure.RATE:
        return "harm rate" if indicator.harm_weighted else "rate"
    return harm


@functools.lru_cache(maxsize=1)
def _weights() -> pd.Series:
    return default_weights()


def _weight_map(categories: list[str]) -> dict[str, float]:
    weights = _weights()
    out = {}
    for slug in categories:
        name = category_name(slug)
        if name is None or name not in weights.index:
            raise PerformanceError(
                "categories", f"{slug!r} has no harm weight in the Crime Severity Score table"
            )
        out[slug] = float(weights[name])
    return out


def _store_frame(indicator: Indicator, data: StoreData, codes: list[str]) -> pd.DataFrame:
    frame = data.frame
    frame = frame[frame["district"].isin(codes)]
    categories = list(indicator.categories or [])
    if categories:
        frame = frame[frame["category"].isin(categories)]
    return frame


def _harm(frame: pd.DataFrame, categories: list[str]) -> pd.DataFrame:
    weights = _weight_map(categories or sorted(frame["category"].unique()))
    w = frame["category"].map(weights).fillna(0.0)
    return frame.assign(value=frame["count"] * w, variance=frame["count"] * w * w)


def indicator_series(
    indicator: Indicator,
    store: Store | str | None,
    start: str,
    end: str,
    *,
    data: StoreData | None = None,
) -> pd.DataFrame:
    """The indicator's monthly figures from `start` to `end` (``YYYY-MM``).

    Returns
    -------
    pandas.DataFrame
        One row per month: ``month``, ``covered`` (the month is held), ``value`` (records, or
        the harm-weighted sum; NaN when not held), ``variance`` (``Σ w²·n`` for harm, the
        count otherwise; store indicators) or ``denominator`` (manual series).
    """
    months = month_range(start, end)
    if indicator.source == Indicator.Source.MANUAL:
        if indicator.series_id is None:
            raise PerformanceError("series", "a manual indicator needs a manual series")
        rows = {
            v.month: v
            for v in SeriesValue.objects.filter(
                series_id=indicator.series_id, month__gte=months[0], month__lte=months[-1]
            )
        }
        return pd.DataFrame(
            {
                "month": months,
                "covered": [m in rows for m in months],
                "value": [float(rows[m].value) if m in rows else float("nan") for m in months],
                "denominator": [
                    float(rows[m].denominator)
                    if m in rows and rows[m].denominator is not None
                    else float("nan")
                    for m in months
                ],
            }
        )
    if data is None or data.start > months[0] or data.end < months[-1]:
        data = load_store_data(store, months[0], months[-1])
    codes = _codes(indicator)
    covered = data.covered(codes)
    frame = _store_frame(indicator, data, codes)
    if indicator.harm_weighted:
        frame = _harm(frame, list(indicator.categories or []))
    else:
        frame = frame.assign(value=frame["count"].astype(float), variance=frame["count"])
    by_month = frame.groupby("month")[["value", "variance"]].sum()
    out = pd.DataFrame({"month": months})
    out["covered"] = out["month"].isin(covered)
    out["value"] = out["month"].map(by_month["value"]).fillna(0.0)
    out["variance"] = out["month"].map(by_month["variance"]).fillna(0.0).astype(float)
    out.loc[~out["covered"], ["value", "variance"]] = float("nan")
    return out


# --- Families --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _peer_groups(data_dir: str) -> pd.DataFrame:
    from cdrp.analysis.peers import DEFAULT_K, features_from_files, peer_groups

    base = Path(data_dir)
    features = features_from_files(
        base / "iod2019-lad" / "IoD2019_lad.csv",
        base / "ons-population-la" / "la_population_mid2019.csv",
        base / "ons-lsoa2011-national" / "census2011_lsoa_population_households.csv.gz",
    )
    return peer_groups(features, k=DEFAULT_K)


def family_members(codes: list[str], data: StoreData, months: list[str]) -> list[str]:
    """The family of these districts: the union of each one's 15 most similar districts whose
    force holds every one of `months`, less the districts themselves, most similar first."""
    from cdrp.analysis.peers import family
    from cdrp.intelligence.services import demo_data_dir

    groups = _peer_groups(str(demo_data_dir()))
    held_by = {}
    cov = data.coverage
    for force, rows in cov.groupby("force") if len(cov) else []:
        held_by[force] = set(rows.loc[~rows["missing"], "month"].astype(str))
    forces_ok = {f for f, held in held_by.items() if set(months) <= held}
    available = [
        code
        for code, name in data.districts["force_name"].items()
        if isinstance(name, str) and any(_slug(name).startswith(f) for f in forces_ok)
    ]
    members: list[str] = []
    for code in codes:
        try:
            found = family(groups, code, available=available)
        except ValueError as exc:
            raise PerformanceError("kind", str(exc)) from None
        members += [m for m in found if m not in codes and m not in members]
    return members


def _family_rate(
    indicator: Indicator, data: StoreData, codes: list[str], months: list[str], year: int
) -> tuple[float | None, list[str]]:
    members = family_members(codes, data, months)
    rates, named = [], []
    frame = data.frame[data.frame["month"].isin(months)]
    categories = list(indicator.categories or [])
    if categories:
        frame = frame[frame["category"].isin(categories)]
    if indicator.harm_weighted:
        frame = _harm(frame, categories)
    else:
        frame = frame.assign(value=frame["count"].astype(float))
    totals = frame.groupby("district")["value"].sum()
    for member in members:
        pop = data.population([member], year)
        if not pop:
            continue
        rates.append(float(totals.get(member, 0.0)) / (pop / 1000.0))
        named.append(member)
    if not rates:
        return None, []
    return sum(rates) / len(rates), named


# --- Status of one indicator -----------------------------------------------------------------


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
            f"{target.baseline_start} to {target.baseline_end}"
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
    measure = _measure(indicator)
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
    except PerformanceError as exc:
        return _cannot(row, exc, _describe_target(target))
    row["period"] = (period[0], period[-1])
    first = shift_month(period[0], -12)
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
    codes = _codes(indicator) if store_indicator or measure == "rate" else []
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
            max(_weight_map(list(indicator.categories)).values())
            if indicator.categories
            else float(_weights().max())
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
    values = []
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
        rate, members = _family_rate(indicator, data, codes, projection.elapsed, year)
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
            start_field="baseline_start",
            end_field="baseline_end",
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


def _cannot(row: dict, exc: PerformanceError, text: str) -> dict:
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
    indicator = row["indicator"]
    label = f"{indicator.name}: monthly figures"
    if row["months"]:
        label += f" {row['months'][0]['month']} to {row['months'][-1]['month']}"
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


# --- The whole plan ----------------------------------------------------------------------------


def _needed_span(plan: Plan, as_of: str) -> tuple[str, str]:
    first = as_of
    for indicator in Indicator.objects.filter(objective__priority__plan=plan):
        for t in indicator.targets.all():
            try:
                first = min(first, shift_month(parse_month(t.period_start, "period_start"), -12))
                if t.baseline_start:
                    first = min(first, parse_month(t.baseline_start, "baseline_start"))
            except PerformanceError:
                continue
    return first, as_of


def _indicators(plan: Plan):
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
    indicators = list(_indicators(plan))
    if data is None and any(i.source == Indicator.Source.STORE for i in indicators):
        first, last = _needed_span(plan, as_of)
        data = load_store_data(store, first, last)
    rows = []
    for indicator in indicators:
        row = indicator_status(indicator, current_target(indicator, as_of), store, as_of, data=data)
        row["priority"] = indicator.objective.priority
        row["objective"] = indicator.objective
        rows.append(row)
    return rows


def _reviewed_targets(partnership, start: str, end: str) -> tuple[Plan | None, list]:
    """The revision `plan_review` reads and its (indicator, target) pairs over start..end."""
    import calendar
    import datetime

    year, month = int(end[:4]), int(end[5:])
    end_day = datetime.date(year, month, calendar.monthrange(year, month)[1])
    plans = Plan.objects.filter(
        partnership=partnership, status__in=[Plan.Status.APPROVED, Plan.Status.SUPERSEDED]
    ).order_by("-revision")
    for plan in plans:
        if plan.approved_on is not None and plan.approved_on > end_day:
            continue
        pairs = [
            (indicator, target)
            for indicator in _indicators(plan)
            for target in sorted(indicator.targets.all(), key=lambda t: t.period_start)
            if target.period_start <= end and target.period_end >= start
        ]
        if pairs:
            return plan, pairs
    return None, []


def plan_review_record(partnership, start: str, end: str) -> str | None:
    """Which revision `plan_review` would read now (``"<id>@<revision>"``), for staleness."""
    plan, _ = _reviewed_targets(partnership, start, end)
    return _record(plan) if plan is not None else None


def _record(plan: Plan) -> str:
    return f"{plan.pk}@{plan.revision}"


def plan_review(partnership, store: Store | str | None, start: str, end: str) -> dict | None:
    """The strategic assessment's "effectiveness of last year's plan", from the plan records.

    Takes the latest approved (or since superseded) revision approved by the end of `end`
    whose targets' periods overlap the assessment's months `start`..`end`, and judges each such
    target as of `end`: a target whose period has ended is met or not (not met "within chance"
    when the target lies inside the figure's 95% interval); one still running is reported as
    in progress with its status so far. Months the data lacks are named, never assumed.

    Returns
    -------
    dict or None
        ``plan`` (title), ``source`` (which revision, approved when), ``record`` (plan id and
        revision) and ``outcomes`` (rows: ``key``, ``priority``, ``indicator``, ``target``,
        ``figure``, ``outcome``, ``reasoning``); None when no approved plan has such targets.
    """
    start, end = parse_month(start, "start"), parse_month(end, "end")
    plan, pairs = _reviewed_targets(partnership, start, end)
    if plan is None:
        return None
    data = None
    if any(i.source == Indicator.Source.STORE for i, _ in pairs):
        data = load_store_data(store, _needed_span(plan, end)[0], end)
    outcomes = []
    for n, (indicator, target) in enumerate(pairs, start=1):
        as_of = min(end, target.period_end)
        row = indicator_status(indicator, target, store, as_of, data=data)
        period = month_range(target.period_start, target.period_end)
        missing = [
            p["month"] for p in row["months"] if p["month"] >= period[0] and p["value"] is None
        ]
        elapsed = len([m for m in period if m <= as_of])
        if row["status"] in ("cannot judge", "no target", "no data", "not started"):
            outcome = f"cannot be measured: {row['reasoning']}"
        elif missing:
            outcome = f"cannot be measured: no data for {', '.join(missing)}"
        elif as_of < target.period_end:
            outcome = f"in progress ({elapsed} of {len(period)} months): {row['status']}"
        else:
            outcome = {"on track": "met", "at risk": "not met (within chance)"}.get(
                row["status"], "not met"
            )
        figure = row["value_text"]
        if as_of < target.period_end and row["projection"] is not None:
            figure += f" so far; projected {row['projection_text']}"
        outcomes.append(
            {
                "key": str(n),
                "priority": indicator.objective.priority.name,
                "indicator": indicator.name,
                "target": row["target_text"],
                "figure": figure,
                "outcome": outcome,
                "reasoning": row["reasoning"],
            }
        )
    approved = (
        f"approved {plan.approved_on:%-d %B %Y}"
        if plan.approved_on
        else "approval date not recorded"
    )
    return {
        "plan": plan.title,
        "source": f"revision {plan.revision}, {approved}",
        "record": _record(plan),
        "outcomes": outcomes,
    }


def last_month(partnership, store: Store | str | None) -> str | None:
    """The last month held for the partnership's districts (police.uk), else None."""
    store = store if isinstance(store, Store) else Store(store)
    cov = coverage(store)
    if not len(cov):
        return None
    data = StoreData(
        store,
        "",
        "",
        pd.DataFrame(),
        _read_geo(store, "districts").set_index("district_code")
        if store.exists("_geography/districts.parquet")
        else pd.DataFrame(columns=["force_name"]),
        cov[cov["source"] == "police-uk"],
    )
    codes = [a.code for a in partnership.districts.all()]
    return data.last_month(codes or None)


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
    seen = {}
    for row in rows:
        seen[row["status"]] = seen.get(row["status"], 0) + 1
    return [{"status": s, "count": seen[s], "tag": TAG[s]} for s in ORDER if s in seen]


# --- Quarters and the quarterly report ---------------------------------------------------------


def quarter_months(quarter: str) -> tuple[str, str]:
    """First and last month of a calendar quarter written ``YYYY-Qn`` (Q1 = January to March).

    >>> quarter_months("2022-Q3")
    ('2022-07', '2022-09')
    """
    match = _QUARTER.match(str(quarter or ""))
    if not match:
        raise PerformanceError(
            "quarter",
            f"expected a calendar quarter as YYYY-Qn, for example 2022-Q3, got {quarter!r}",
        )
    year, q = int(match.group(1)), int(match.group(2))
    return f"{year:04d}-{3 * q - 2:02d}", f"{year:04d}-{3 * q:02d}"


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def quarter_label(quarter: str) -> str:
    """``"2022-Q3"`` → ``"July to September 2022"``."""
    first, last = quarter_months(quarter)
    return f"{_MONTH_NAMES[int(first[5:]) - 1]} to {_MONTH_NAMES[int(last[5:]) - 1]} {first[:4]}"


def month_label(month: str) -> str:
    return f"{_MONTH_NAMES[int(month[5:7]) - 1]} {month[:4]}"


def available_quarters(plan: Plan, last: str | None) -> list[dict]:
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
        q = quarter_of(shift_month(q_last, 1))
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
        "as_of_label": month_label(as_of),
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
    from django.template.loader import render_to_string

    from cdrp.intelligence.documents import LICENCE

    return render_to_string(
        "plans/performance/report_print.html",
        {**report, "licence": LICENCE, "method": METHOD},
    )


def render_report_pdf(report: dict) -> bytes:
    """The quarterly report as a PDF for the strategy group (WeasyPrint)."""
    from django.conf import settings
    from weasyprint import HTML

    return HTML(string=render_report_html(report), base_url=str(settings.BASE_DIR)).write_pdf()


# --- Exports -----------------------------------------------------------------------------------

STATUS_COLUMNS = [
    ("priority", "Priority"),
    ("objective", "Objective"),
    ("indicator", "Indicator"),
    ("measure", "Measure"),
    ("direction", "Better"),
    ("period", "Target period"),
    ("target", "Target"),
    ("target_value", "Target figure"),
    ("as_of", "As of"),
    ("value", "So far"),
    ("projection", "Projected"),
    ("low", "95% interval from"),
    ("high", "95% interval to"),
    ("status", "Status"),
    ("reasoning", "Reasoning"),
]


def status_records(rows: list[dict]) -> list[dict]:
    def rounded(v):
        return None if v is None else round(float(v), 6)

    return [
        {
            "priority": r["priority"].name,
            "objective": r["objective"].text,
            "indicator": r["indicator"].name,
            "measure": r["measure"],
            "direction": r["direction"],
            "period": f"{r['period'][0]} to {r['period'][1]}" if r["period"] else "",
            "target": r["target_text"],
            "target_value": rounded(r["target_value"]),
            "as_of": r["as_of"],
            "value": rounded(r["value"]),
            "projection": rounded(r["projection"]),
            "low": rounded(r["low"]),
            "high": rounded(r["high"]),
            "status": r["status"],
            "reasoning": r["reasoning"],
        }
        for r in rows
    ]


def series_rows(rows: list[dict]) -> list[dict]:
    """The monthly figures behind each indicator: priority, indicator, month, value (empty
    for a month not held), in the indicator's measure."""
    out = []
    for r in rows:
        for point in r["months"]:
            out.append(
                {
                    "priority": r["priority"].name,
                    "indicator": r["indicator"].name,
                    "measure": r["measure"],
                    "month": point["month"],
                    "value": None if point["value"] is None else round(point["value"], 6),
                }
            )
    return out


def _csv(records: list[dict], columns: list[tuple[str, str]]) -> str:
    return tables.csv_text(
        ([rec[k] for k, _ in columns] for rec in records),
        header=[label for _, label in columns],
    )


def _xlsx(records: list[dict], columns: list[tuple[str, str]], title: str) -> bytes:
    return tables.xlsx_bytes(
        [
            tables.Sheet(
                title,
                [[rec[k] for k, _ in columns] for rec in records],
                header=[label for _, label in columns],
            )
        ]
    )


SERIES_COLUMNS = [
    ("priority", "Priority"),
    ("indicator", "Indicator"),
    ("measure", "Measure"),
    ("month", "Month"),
    ("value", "Value"),
]


def statuses_csv(rows: list[dict]) -> str:
    return _csv(status_records(rows), STATUS_COLUMNS)


def statuses_xlsx(rows: list[dict]) -> bytes:
    return _xlsx(status_records(rows), STATUS_COLUMNS, "Statuses")


def indicators_csv(rows: list[dict]) -> str:
    return _csv(series_rows(rows), SERIES_COLUMNS)


def indicators_xlsx(rows: list[dict]) -> bytes:
    return _xlsx(series_rows(rows), SERIES_COLUMNS, "Indicators")


# --- Manual series: entering a month ----------------------------------------------------------


class SeriesValueError(PerformanceError):
    """A month's value that cannot be saved; ``field`` names the field at fault."""


def _whole(raw, field_name: str, required: bool) -> int | None:
    text = "" if raw is None else str(raw).strip().replace(",", "")
    if text == "":
        if required:
            raise SeriesValueError(field_name, "enter a whole number, zero or more")
        return None
    try:
        number = int(text)
    except ValueError:
        raise SeriesValueError(
            field_name, f"expected a whole number, zero or more, got {raw!r}"
        ) from None
    if number < 0:
        raise SeriesValueError(field_name, f"expected zero or more, got {number}")
    return number


def check_series_value(series: ManualSeries, month, value, denominator=None) -> tuple:
    """Check a month's entry; returns (month, value, denominator) or raises SeriesValueError."""
    try:
        month = parse_month(month, "month")
    except PerformanceError as exc:
        raise SeriesValueError("month", exc.message) from None
    value = _whole(value, "value", True)
    denominator = _whole(denominator, "denominator", series.has_denominator)
    if series.has_denominator:
        if denominator == 0:
            raise SeriesValueError("denominator", "the denominator must be above zero")
        if value > denominator:
            raise SeriesValueError(
                "denominator",
                f"the denominator ({denominator}) is smaller than the value ({value}): it is "
                "the number the value is out of",
            )
    elif denominator is not None:
        raise SeriesValueError(
            "denominator", f"“{series.name}” is a count: leave the denominator empty"
        )
    return month, value, denominator


@transaction.atomic
def record_series_value(
    series: ManualSeries,
    month,
    value,
    denominator=None,
    note: str = "",
    *,
    version: int | None = None,
) -> tuple[SeriesValue, bool]:
    """Enter (or correct) one month of a manual series; returns (row, created).

    A month already entered is replaced only with the `version` of the row being replaced
    (so nobody's figure is overwritten unseen): without it `SeriesValueError` on ``month``;
    with a stale one `cdrp.core.models.ConflictError`.
    """
    month, value, denominator = check_series_value(series, month, value, denominator)
    note = (note or "").strip()
    if len(note) > 300:
        raise SeriesValueError("note", f"keep the note to 300 characters (it has {len(note)})")
    existing = SeriesValue.objects.select_for_update().filter(series=series, month=month).first()
    if existing is None:
        row = SeriesValue.objects.create(
            series=series, month=month, value=value, denominator=denominator, note=note
        )
        return row, True
    if version is None:
        shown = f"{existing.value}" + (
            f" out of {existing.denominator}" if existing.denominator is not None else ""
        )
        raise SeriesValueError(
            "month",
            f"{month} already has a value ({shown}); check it and confirm to replace it",
        )
    existing.value, existing.denominator, existing.note = value, denominator, note
    existing.save_checked(int(version))
    return existing, False


@transaction.atomic
def create_series(
    partnership,
    name: str,
    *,
    description: str = "",
    source: str = "",
    has_denominator: bool = False,
    slug: str | None = None,
) -> ManualSeries:
    """Add a partner measure to be entered month by month; the slug comes from the name."""
    name = (name or "").strip()
    if not name:
        raise SeriesValueError("name", "enter the name of the measure")
    if len(name) > 200:
        raise SeriesValueError("name", f"keep the name to 200 characters (it has {len(name)})")
    slug = _slug(slug or name)[:80].strip("-")
    if not slug:
        raise SeriesValueError("name", "the name needs at least one letter or digit")
    if ManualSeries.objects.filter(partnership=partnership, slug=slug).exists():
        raise SeriesValueError(
            "name", f"the partnership already has a measure called “{name}” ({slug})"
        )
    return ManualSeries.objects.create(
        partnership=partnership,
        slug=slug,
        name=name,
        description=(description or "").strip(),
        source=(source or "").strip()[:200],
        has_denominator=bool(has_denominator),
    )


def series_points(series: ManualSeries) -> list[SeriesValue]:
    return list(series.values.order_by("-month"))
