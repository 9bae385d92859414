"""Why did the total change: contributions of categories and areas to a change between periods.

A change in a total count is the sum of the changes of its parts, so each category's (or area's,
or category-in-area's) contribution is its own change, and the contributions add up exactly to
the total change. For a partnership *rate* whose areas' populations also change, the change is
split into a rate effect and a population-composition effect (Kitagawa 1955), which also add up
exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["PER", "contributions", "rate_change_decomposition"]

#: Rates are per this many residents.
PER = 1000


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        raise ValueError(f"the frame has no '{column}' column (columns: {list(frame.columns)})")
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    if np.any(np.isnan(values)):
        raise ValueError(f"column '{column}' has a missing value; a missing month is not a zero")
    return values


def contributions(
    frame: pd.DataFrame,
    *,
    by: Sequence[str] = ("category",),
    current: str = "current",
    baseline: str = "baseline",
) -> pd.DataFrame:
    """Each group's contribution to the change in the total count.

    Parameters
    ----------
    frame : pandas.DataFrame
        Counts for the two periods per cell (e.g. per district and category, as returned by
        :func:`cdrp.analysis.change.compare_periods`).
    by : sequence of str, default ``("category",)``
        Columns to group by (e.g. ``("district",)`` or ``("district", "category")``).
    current, baseline : str
        Columns of the current and baseline counts.

    Returns
    -------
    pandas.DataFrame
        One row per group, largest absolute contribution first: the ``by`` columns,
        ``current``, ``baseline``, ``contribution`` (current - baseline), ``share_of_change``
        (contribution / total change; NaN when the total did not change) and
        ``share_of_movement`` (absolute contribution / sum of absolute contributions, which
        stays meaningful when rises and falls cancel out). Contributions sum to the total
        change.

    Examples
    --------
    >>> df = pd.DataFrame({"category": ["Burglary", "Drugs", "Robbery"],
    ...                    "current": [120, 50, 10], "baseline": [100, 60, 10]})
    >>> contributions(df)[["category", "contribution", "share_of_change"]]
       category  contribution  share_of_change
    0  Burglary            20              2.0
    1     Drugs           -10             -1.0
    2   Robbery             0              0.0
    """
    by = list(by)
    for column in by:
        if column not in frame.columns:
            raise ValueError(f"the frame has no '{column}' column (columns: {list(frame.columns)})")
    data = pd.DataFrame(
        {
            **{column: frame[column].to_numpy() for column in by},
            "current": _numbers(frame, current),
            "baseline": _numbers(frame, baseline),
        }
    )
    grouped = data.groupby(by, sort=True, dropna=False)[["current", "baseline"]].sum()
    grouped["contribution"] = grouped["current"] - grouped["baseline"]
    total = grouped["contribution"].sum()
    movement = grouped["contribution"].abs().sum()
    grouped["share_of_change"] = grouped["contribution"] / total if total != 0 else np.nan
    grouped["share_of_movement"] = (
        grouped["contribution"].abs() / movement if movement != 0 else np.nan
    )
    out = grouped.reset_index()
    if np.all(np.mod(out[["current", "baseline"]].to_numpy(), 1) == 0):
        for column in ("current", "baseline", "contribution"):
            out[column] = out[column].astype(np.int64)
    order = np.lexsort((np.arange(len(out)), -out["contribution"].abs().to_numpy()))
    result: pd.DataFrame = out.iloc[order].reset_index(drop=True)
    return result


def rate_change_decomposition(
    frame: pd.DataFrame,
    *,
    area: str = "area",
    current: str = "current",
    baseline: str = "baseline",
    population_current: str = "population_current",
    population_baseline: str = "population_baseline",
    per: float = PER,
) -> pd.DataFrame:
    """Split the change in an overall rate into each area's rate and population-share effects.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per area with counts and populations for both periods.
    area, current, baseline, population_current, population_baseline : str
        Column names.
    per : float, default ``PER`` (1,000)
        Rates are per this many residents.

    Returns
    -------
    pandas.DataFrame
        Per area: ``rate_current``, ``rate_baseline``, ``rate_effect``,
        ``composition_effect`` and ``contribution`` (their sum). The contributions sum to the
        change in the overall rate.

    Notes
    -----
    With area rates ``r_i`` and population shares ``w_i`` the overall rate is
    ``sum_i w_i r_i``, and its change is exactly
    ``sum_i mean(w_i) * delta r_i + sum_i mean(r_i) * delta w_i`` (Kitagawa 1955), where the
    means are over the two periods.

    References
    ----------
    Kitagawa, E. M. (1955). Components of a difference between two rates. Journal of the
    American Statistical Association 50, 1168-1194.

    Examples
    --------
    >>> df = pd.DataFrame({"area": ["A", "B"], "current": [30, 10], "baseline": [20, 10],
    ...                    "population_current": [1000, 1000],
    ...                    "population_baseline": [1000, 1000]})
    >>> rate_change_decomposition(df)[["area", "rate_effect", "composition_effect"]]
      area  rate_effect  composition_effect
    0    A          5.0                 0.0
    1    B          0.0                 0.0
    """
    if area not in frame.columns:
        raise ValueError(f"the frame has no '{area}' column (columns: {list(frame.columns)})")
    c1, c0 = _numbers(frame, current), _numbers(frame, baseline)
    p1, p0 = _numbers(frame, population_current), _numbers(frame, population_baseline)
    bad = ~((p1 > 0) & (p0 > 0))
    if bad.any():
        names = ", ".join(str(a) for a in frame.loc[bad, area])
        raise ValueError(f"no population for {names} in one of the periods")
    r1, r0 = c1 / p1 * per, c0 / p0 * per
    w1, w0 = p1 / p1.sum(), p0 / p0.sum()
    rate_effect = (w1 + w0) / 2 * (r1 - r0)
    composition = (r1 + r0) / 2 * (w1 - w0)
    return pd.DataFrame(
        {
            area: frame[area].to_numpy(),
            "rate_current": r1,
            "rate_baseline": r0,
            "rate_effect": rate_effect,
            "composition_effect": composition,
            "contribution": rate_effect + composition,
        }
    )
