"""Which plan and which target performance is measured against, and an indicator's monthly
figures: police.uk records of its categories in its districts (harm-weighted by the ONS Crime
Severity Score when asked), or a manual series' entered months (a month with no row is
missing)."""

from __future__ import annotations

import functools

import pandas as pd

from cdrp.analysis.harm import category_name, default_weights
from cdrp.analysis.months import month_range
from cdrp.analysis.performance import PerformanceError
from cdrp.performance.store import StoreData, load_store_data
from cdrp.plans.models import Indicator, Plan, SeriesValue, Target
from cdrp.store import Store

__all__ = [
    "current_target",
    "harm_frame",
    "harm_weights",
    "indicator_codes",
    "indicator_measure",
    "indicator_series",
    "performance_plan",
    "weight_map",
]


def _float_or_nan(value: int | float | None) -> float:
    return float("nan") if value is None else float(value)


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


def indicator_codes(indicator: Indicator) -> list[str]:
    if indicator.areas:
        return list(indicator.areas)
    partnership = indicator.objective.priority.plan.partnership
    return sorted(a.code for a in partnership.districts.all())


def indicator_measure(indicator: Indicator) -> str:
    if indicator.source == Indicator.Source.MANUAL:
        if indicator.series is not None and indicator.series.has_denominator:
            return "proportion"
        return "rate" if indicator.measure == Indicator.Measure.RATE else "count"
    harm = "harm" if indicator.harm_weighted else "count"
    if indicator.measure == Indicator.Measure.RATE:
        return "harm rate" if indicator.harm_weighted else "rate"
    return harm


@functools.lru_cache(maxsize=1)
def harm_weights() -> pd.Series:
    """The default ONS Crime Severity Score weights, read once."""
    return default_weights()


def weight_map(categories: list[str]) -> dict[str, float]:
    weights = harm_weights()
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


def harm_frame(frame: pd.DataFrame, categories: list[str]) -> pd.DataFrame:
    weights = weight_map(categories or sorted(frame["category"].unique()))
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
                    _float_or_nan(rows[m].denominator if m in rows else None) for m in months
                ],
            }
        )
    if data is None or data.start > months[0] or data.end < months[-1]:
        data = load_store_data(store, months[0], months[-1])
    codes = indicator_codes(indicator)
    covered = data.covered(codes)
    frame = _store_frame(indicator, data, codes)
    if indicator.harm_weighted:
        frame = harm_frame(frame, list(indicator.categories or []))
    else:
        frame = frame.assign(value=frame["count"].astype(float), variance=frame["count"])
    by_month = frame.groupby("month")[["value", "variance"]].sum()
    out = pd.DataFrame({"month": months})
    out["covered"] = out["month"].isin(covered)
    out["value"] = out["month"].map(by_month["value"]).fillna(0.0)
    out["variance"] = out["month"].map(by_month["variance"]).fillna(0.0).astype(float)
    out.loc[~out["covered"], ["value", "variance"]] = float("nan")
    return out
