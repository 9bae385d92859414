"""Exceedance alerts: which area × category had more records this month than it should have?

For a target month ``m`` and each area ``a`` and category ``c``:

* **baseline** ``b_ac`` — the mean monthly count over the ``baseline_months`` calendar months
  before ``m`` (default 12). Months with no data file are *missing*: they are left out of the
  mean, never counted as zero. At least ``min_baseline_months`` of them must have data.
* **seasonal factor** ``s_c`` — how the same calendar month compared with its own baseline in
  earlier years, for the category across all areas (force-wide totals are stable where an
  area's are not): for each of up to ``seasonal_years`` earlier years ``k`` with data,
  ``X_c(m − 12k) / mean X_c(baseline window before m − 12k)``; ``s_c`` is their mean, or 1
  when no earlier year has data (the ``seasonal_years_used`` column says how many were used).
* **expected** ``E = b_ac · s_c``; **upper limit** ``U`` = the ``1 − alpha`` quantile of a
  Poisson distribution with mean ``E`` (scipy ``poisson.ppf``); an **alert** when the observed
  count ``O > U`` and ``O ≥ min_count``. The size of the excess is given as ``O − E`` (records
  above expected), ``O − U`` (above the limit) and ``O / E``; ``p = P(X ≥ O)`` under Poisson(E).

This is the Poisson-limit method of the public-health exceedance literature (e.g. the
"exceedance reporting" of syndromic surveillance) with a seasonal adjustment; a few alerts a
month are expected by chance at ``alpha = 0.01`` across hundreds of area × category cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cdrp.analysis.hotspots import benjamini_hochberg

__all__ = [
    "ALPHA",
    "BASELINE_MONTHS",
    "MIN_BASELINE_MONTHS",
    "MIN_COUNT",
    "SEASONAL_YEARS",
    "exceedances",
]

#: Months before the target month in the baseline.
BASELINE_MONTHS = 12
#: Months of the baseline that must have data.
MIN_BASELINE_MONTHS = 6
#: Earlier years used for the seasonal factor.
SEASONAL_YEARS = 2
#: One-sided level of the Poisson upper limit.
ALPHA = 0.01
#: Fewer records than this never raise an alert.
MIN_COUNT = 5


def _months(values: Iterable[Any]) -> pd.PeriodIndex:
    return pd.PeriodIndex(pd.to_datetime(pd.Index(values).astype(str)), freq="M")


def exceedances(
    counts: pd.DataFrame,
    month: str | pd.Period,
    *,
    baseline_months: int = BASELINE_MONTHS,
    min_baseline_months: int = MIN_BASELINE_MONTHS,
    seasonal_years: int = SEASONAL_YEARS,
    alpha: float = ALPHA,
    min_count: int = MIN_COUNT,
    months_covered: Iterable[Any] | None = None,
    fdr: bool = False,
    only_alerts: bool = True,
) -> pd.DataFrame:
    """Area × category cells of ``month`` above their seasonal Poisson upper limit.

    Parameters
    ----------
    counts : pandas.DataFrame
        Columns ``area``, ``category``, ``month`` (``"YYYY-MM"``, date or Period), ``count``.
        Cells with no records may be absent (they count as zero in months with data).
    month : str or Period
        The month to test.
    baseline_months, min_baseline_months, seasonal_years, alpha, min_count
        See the module docstring; defaults are the module constants.
    months_covered : iterable, optional
        Months with data (default: every month appearing in ``counts``). Months outside it are
        missing, not zero.
    fdr : bool
        Also require the Benjamini–Hochberg adjusted p-value (``q_value``, over every area ×
        category of the month) to be at most ``alpha``, to keep chance alerts rare when many
        cells are tested (off by default: the limit is what analysts know).
    only_alerts : bool
        Return only the alerts (default) or every area × category of the month.

    Returns
    -------
    pandas.DataFrame
        ``area, category, month, observed, baseline_mean, seasonal_factor, seasonal_years_used,
        expected, upper_limit, excess, excess_over_limit, ratio, p_value, q_value, alert``,
        largest excess first.

    Raises
    ------
    ValueError
        Missing columns, no data, a target month without data, or too few baseline months
        (a window longer than the data).

    Examples
    --------
    >>> rows = [("A", "Burglary", f"2022-{m:02d}", 4) for m in range(1, 12)]
    >>> rows += [("A", "Burglary", "2021-12", 4), ("A", "Burglary", "2022-12", 12)]
    >>> df = pd.DataFrame(rows, columns=["area", "category", "month", "count"])
    >>> out = exceedances(df, "2022-12")
    >>> out[["observed", "expected", "upper_limit", "excess", "excess_over_limit"]].values.tolist()
    [[12.0, 4.0, 9.0, 8.0, 3.0]]
    """
    need = {"area", "category", "month", "count"}
    missing = need - set(counts.columns)
    if missing:
        raise ValueError(f"counts needs the columns {sorted(need)}; missing {sorted(missing)}")
    if counts.empty:
        raise ValueError("no records: the counts table is empty")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    df = counts[["area", "category", "count"]].copy()
    df["month"] = _months(counts["month"])
    covered = pd.PeriodIndex(
        sorted(set(_months(months_covered) if months_covered is not None else df["month"])),
        freq="M",
    )
    target = pd.Period(str(month), freq="M")
    if target not in covered:
        raise ValueError(
            f"no data for {target}: the data covers {covered.min()} to {covered.max()}"
            + (f" with {len(covered)} months" if len(covered) else "")
        )
    window = pd.period_range(target - baseline_months, target - 1, freq="M")
    have = window[window.isin(covered)]
    if len(have) < min_baseline_months:
        raise ValueError(
            f"the {baseline_months}-month baseline before {target} ({window[0]} to {window[-1]}) "
            f"has data for {len(have)} months; at least {min_baseline_months} are needed: the "
            f"data starts {covered.min()}, so test a later month or shorten the baseline"
        )

    wide = df.pivot_table(
        index=["area", "category"], columns="month", values="count", aggfunc="sum", fill_value=0
    )
    wide = wide.reindex(columns=covered, fill_value=0)
    baseline = wide[have].mean(axis=1)

    # Seasonal factor per category from force-wide totals in earlier years.
    totals = wide.groupby(level="category").sum()
    ratios = []
    for k in range(1, seasonal_years + 1):
        then = target - 12 * k
        then_window = pd.period_range(then - baseline_months, then - 1, freq="M")
        then_have = then_window[then_window.isin(covered)]
        if then not in covered or len(then_have) < min_baseline_months:
            continue
        base = totals[then_have].mean(axis=1)
        ratios.append((totals[then] / base.where(base > 0)).rename(k))
    if ratios:
        factors = pd.concat(ratios, axis=1)
        seasonal = factors.mean(axis=1).fillna(1.0)
        used = factors.notna().sum(axis=1)
    else:
        seasonal = pd.Series(1.0, index=totals.index)
        used = pd.Series(0, index=totals.index)

    cats = wide.index.get_level_values("category")
    out = pd.DataFrame(
        {
            "area": wide.index.get_level_values("area"),
            "category": cats,
            "month": str(target),
            "observed": wide[target].to_numpy(dtype=float),
            "baseline_mean": baseline.to_numpy(),
            "seasonal_factor": seasonal.reindex(cats).to_numpy(),
            "seasonal_years_used": used.reindex(cats).to_numpy(),
        }
    )
    out["expected"] = out.baseline_mean * out.seasonal_factor
    out["upper_limit"] = stats.poisson.ppf(1 - alpha, out.expected)
    out["excess"] = out.observed - out.expected
    out["excess_over_limit"] = out.observed - out.upper_limit
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = out.observed / out.expected
    out["p_value"] = stats.poisson.sf(out.observed - 1, out.expected)
    out["q_value"] = benjamini_hochberg(out.p_value.to_numpy())
    out["alert"] = (out.observed > out.upper_limit) & (out.observed >= min_count)
    if fdr:
        out["alert"] &= out.q_value <= alpha
    if only_alerts:
        out = out[out.alert]
    return out.sort_values(["excess", "area"], ascending=[False, True]).reset_index(drop=True)
