"""Trend and seasonality of monthly counts, with missing months kept missing.

A month for which no data file exists is missing (NaN), never zero: a 12-month rolling total that
includes it is NaN, a same-month comparison with it is NaN, and STL decomposition (Cleveland et
al. 1990, via statsmodels) runs only on a run of at least 36 consecutive months with data;
otherwise the result says why not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cdrp.analysis.change import _periods

__all__ = [
    "PERIOD",
    "STL_MIN_MONTHS",
    "TREND_YEARS",
    "WINDOW",
    "StlResult",
    "consecutive_runs",
    "monthly_series",
    "rolling_total",
    "same_period_last_year",
    "stl_decompose",
    "year_totals",
]

#: Months in a rolling total.
WINDOW = 12
#: Seasonal period of monthly data.
PERIOD = 12
#: STL needs at least three full seasonal cycles of consecutive months.
STL_MIN_MONTHS = 36
#: Years in the multi-year trend table.
TREND_YEARS = 3


def monthly_series(
    frame: pd.DataFrame,
    covered_months: Iterable[object],
    *,
    start: str | pd.Period | None = None,
    end: str | pd.Period | None = None,
    month: str = "month",
    count: str = "count",
) -> pd.Series:
    """Monthly totals over a calendar range: zero for covered months with no rows, NaN otherwise.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with a ``month`` column (``"2022-11"`` or monthly ``Period``) and a ``count``.
    covered_months : iterable
        Months for which data exists.
    start, end : str or pandas.Period, optional
        Range of the series; by default the first and last covered month.
    month, count : str
        Column names.

    Returns
    -------
    pandas.Series
        Float totals indexed by a monthly ``PeriodIndex``; NaN for months with no data.

    Examples
    --------
    >>> df = pd.DataFrame({"month": ["2020-05", "2020-07"], "count": [4, 6]})
    >>> monthly_series(df, ["2020-05", "2020-07"], start="2020-05", end="2020-07").tolist()
    [4.0, nan, 6.0]
    """
    covered = _periods(covered_months, "covered_months")
    if len(covered) == 0:
        raise ValueError("no months are covered: there is no data to make a series from")
    first = pd.Period(start, freq="M") if start is not None else covered.min()
    last = pd.Period(end, freq="M") if end is not None else covered.max()
    if last < first:
        raise ValueError(f"the series ends ({last}) before it starts ({first})")
    index = pd.period_range(first, last, freq="M")
    for column in (month, count):
        if column not in frame.columns:
            raise ValueError(f"the frame has no '{column}' column")
    months = _periods(frame[month], f"column '{month}'")
    stray = sorted({str(m) for m in months[~months.isin(covered)]})
    if stray:
        raise ValueError(f"the counts include months not in covered_months: {', '.join(stray)}")
    totals = pd.Series(pd.to_numeric(frame[count]).to_numpy(), index=months).groupby(level=0).sum()
    series = totals.reindex(index).astype(float)
    is_covered = index.isin(covered)
    series[is_covered & series.isna().to_numpy()] = 0.0
    series[~is_covered] = np.nan
    series.index.name = "month"
    return series


def rolling_total(series: pd.Series, window: int = WINDOW) -> pd.Series:
    """Rolling total of the last ``window`` months, NaN where any of them is missing.

    Parameters
    ----------
    series : pandas.Series
        Monthly counts on a consecutive monthly index (e.g. :func:`monthly_series`).
    window : int, default ``WINDOW`` (12)
        Months per total.

    Returns
    -------
    pandas.Series
        The total of each month and the ``window - 1`` months before it.

    Examples
    --------
    >>> s = pd.Series([1.0, 2.0, np.nan, 4.0, 5.0, 6.0])
    >>> rolling_total(s, 2).tolist()
    [nan, 3.0, nan, nan, 9.0, 11.0]
    """
    return series.rolling(window, min_periods=window).sum()


def same_period_last_year(series: pd.Series) -> pd.DataFrame:
    """Each month beside the same month a year before.

    Parameters
    ----------
    series : pandas.Series
        Monthly counts on a monthly ``PeriodIndex``.

    Returns
    -------
    pandas.DataFrame
        ``count``, ``last_year``, ``difference`` and ``ratio`` per month (NaN where either
        month is missing or outside the series).

    Examples
    --------
    >>> s = pd.Series([10.0] * 12 + [15.0], index=pd.period_range("2021-01", periods=13, freq="M"))
    >>> same_period_last_year(s).loc[pd.Period("2022-01", "M")].tolist()
    [15.0, 10.0, 5.0, 1.5]
    """
    if not isinstance(series.index, pd.PeriodIndex):
        raise ValueError("the series needs a monthly PeriodIndex (see monthly_series)")
    shifted = series.copy()
    shifted.index = shifted.index + 12
    last = shifted.reindex(series.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = series / last
    return pd.DataFrame(
        {"count": series, "last_year": last, "difference": series - last, "ratio": ratio}
    )


def consecutive_runs(series: pd.Series) -> list[tuple[pd.Period, pd.Period, int]]:
    """Runs of consecutive months with data, as ``(first, last, length)``, in time order.

    Parameters
    ----------
    series : pandas.Series
        Monthly counts on a consecutive monthly ``PeriodIndex``, NaN for missing months.

    Returns
    -------
    list of tuple
        ``(first month, last month, number of months)`` for each run.

    Examples
    --------
    >>> months = pd.period_range("2020-01", periods=4, freq="M")
    >>> s = pd.Series([1.0, np.nan, 2.0, 3.0], index=months)
    >>> [(str(a), str(b), n) for a, b, n in consecutive_runs(s)]
    [('2020-01', '2020-01', 1), ('2020-03', '2020-04', 2)]
    """
    runs: list[tuple[pd.Period, pd.Period, int]] = []
    start: pd.Period | None = None
    previous: pd.Period | None = None  # set whenever a run has started
    for month, value in zip(series.index, series, strict=True):  # Series.items()
        present = not pd.isna(value)
        if present and start is None:
            start = month
        if not present and start is not None and previous is not None:
            runs.append((start, previous, len(pd.period_range(start, previous, freq="M"))))
            start = None
        previous = month
    if start is not None and previous is not None:
        runs.append((start, previous, len(pd.period_range(start, previous, freq="M"))))
    return runs


@dataclass(frozen=True)
class StlResult:
    """Outcome of :func:`stl_decompose`: components, or the reason there are none."""

    available: bool
    reason: str
    components: pd.DataFrame | None = None


def stl_decompose(
    series: pd.Series,
    *,
    period: int = PERIOD,
    min_months: int = STL_MIN_MONTHS,
    robust: bool = True,
) -> StlResult:
    """STL decomposition of the latest run of at least ``min_months`` consecutive months.

    Parameters
    ----------
    series : pandas.Series
        Monthly counts on a monthly ``PeriodIndex`` with NaN for missing months.
    period : int, default ``PERIOD`` (12)
        Seasonal period.
    min_months : int, default ``STL_MIN_MONTHS`` (36)
        Shortest run of consecutive months decomposed.
    robust : bool, default True
        Robust LOESS fitting, so a one-off spike (e.g. a lockdown month) does not distort the
        seasonal pattern.

    Returns
    -------
    StlResult
        ``available``; ``reason`` (which months were used, or why it was not done); and
        ``components`` with ``observed``, ``trend``, ``seasonal`` and ``resid``.

    References
    ----------
    Cleveland, R. B., Cleveland, W. S., McRae, J. E. & Terpenning, I. (1990). STL: a seasonal-
    trend decomposition procedure based on loess. Journal of Official Statistics 6, 3-73.

    Examples
    --------
    >>> s = pd.Series(np.arange(30.0), index=pd.period_range("2020-01", periods=30, freq="M"))
    >>> stl_decompose(s).reason
    'seasonal decomposition needs at least 36 consecutive months with data; the longest run is 30 months (2020-01..2022-06)'
    """  # noqa: E501
    from statsmodels.tsa.seasonal import STL

    if not isinstance(series.index, pd.PeriodIndex):
        raise ValueError("the series needs a monthly PeriodIndex (see monthly_series)")
    runs = consecutive_runs(series)
    if not runs:
        return StlResult(False, "there are no months with data")
    qualifying = [run for run in runs if run[2] >= min_months]
    if not qualifying:
        first, last, length = max(runs, key=lambda r: (r[2], r[1]))
        missing = [str(m) for m in series.index[series.isna().to_numpy()]]
        reason = (
            f"seasonal decomposition needs at least {min_months} consecutive months with data; "
            f"the longest run is {length} months ({first}..{last})"
        )
        if missing:
            shown = ", ".join(missing[:6]) + (", …" if len(missing) > 6 else "")
            reason += f"; no data for {shown}"
        return StlResult(False, reason)
    first, last, length = qualifying[-1]
    observed = series.loc[slice(first, last)]
    fit = STL(observed.to_numpy(dtype=float), period=period, robust=robust).fit()
    components = pd.DataFrame(
        {
            "observed": observed.to_numpy(dtype=float),
            "trend": fit.trend,
            "seasonal": fit.seasonal,
            "resid": fit.resid,
        },
        index=observed.index,
    )
    reason = f"decomposed {length} consecutive months ({first}..{last})"
    return StlResult(True, reason, components)


def year_totals(
    series: pd.Series, end: str | pd.Period, *, years: int = TREND_YEARS
) -> pd.DataFrame:
    """Totals of consecutive 12-month years ending ``end``, for a multi-year trend.

    Parameters
    ----------
    series : pandas.Series
        Monthly counts on a monthly ``PeriodIndex`` with NaN for missing months.
    end : str or pandas.Period
        Last month of the latest year.
    years : int, default ``TREND_YEARS`` (3)
        Number of years, latest last.

    Returns
    -------
    pandas.DataFrame
        One row per year, oldest first: ``first``, ``last`` (months), ``total`` (NaN unless all
        12 months have data), ``months_with_data`` and ``missing_months``.

    Examples
    --------
    >>> s = pd.Series(1.0, index=pd.period_range("2020-12", "2022-11", freq="M"))
    >>> year_totals(s, "2022-11", years=2)[["first", "last", "total"]]
         first     last  total
    0  2020-12  2021-11   12.0
    1  2021-12  2022-11   12.0
    """
    if not isinstance(series.index, pd.PeriodIndex):
        raise ValueError("the series needs a monthly PeriodIndex (see monthly_series)")
    last = pd.Period(end, freq="M")
    rows = []
    for back in range(years - 1, -1, -1):
        months = pd.period_range(end=last - 12 * back, periods=12, freq="M")
        values = series.reindex(months)
        missing = [str(m) for m, v in values.items() if pd.isna(v)]
        rows.append(
            {
                "first": str(months[0]),
                "last": str(months[-1]),
                "total": float(values.sum()) if not missing else np.nan,
                "months_with_data": 12 - len(missing),
                "missing_months": ", ".join(missing),
            }
        )
    return pd.DataFrame(rows)
