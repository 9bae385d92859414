"""Change between two periods: exact Poisson conditional test, rate ratio and a plain verdict.

Conditional on the total ``n = c1 + c2``, the current count ``c1`` is binomial with probability
``e1 / (e1 + e2)`` when the two rates are equal, so the exact test of equal rates is a binomial
test (Przyborowski & Wilenski 1940). The p-value and the rate ratio's interval come from one
test, so they always agree: the two-sided p-value is twice the smaller one-sided exact p-value
(the *central* exact test), and the interval is the set of ratios that test does not reject at
the 5% level, the Clopper-Pearson limits of the binomial proportion mapped to the ratio. So
``p < 0.05`` exactly when the 95% interval excludes 1 (checked over a grid of counts and
windows in the tests). This is exactci's ``poisson.exact(..., tsmethod="central")`` (Fay 2010)
and the interval R's ``poisson.test`` reports; each one-sided p-value is statsmodels'
``test_poisson_2indep(..., method="exact-cond")`` with that alternative.

Why not the minimum-likelihood p-value (statsmodels' two-sided ``exact-cond``, SciPy's
``binomtest``)? Beside the central interval it disagreed in borderline cases (0 records in 12
months against 3 in 6: p = 0.037 with a 95% interval of 0 to 1.21), and no interval can match
it: the ratios it does not reject are not always an interval (for 1 of 30 it rejects a
proportion of 0.172 but not 0.176), and Blaker's test has the same fault. With equal windows
(the usual case: 12 months against 12) the two p-values are the same. The minimum-likelihood
p-value is still available (``method="minlike"``) for comparison.

Computed for whole arrays at once, so a table of categories by areas is tested in one call.

Months with no data are missing, never zero: :func:`compare_periods` takes the set of months the
data covers and refuses (or, if asked, flags) a comparison whose windows include a missing month.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special, stats

from cdrp.analysis.months import period_index, window

__all__ = [
    "METHOD",
    "ALPHA",
    "BASELINES",
    "CONFIDENCE",
    "TWO_SIDED_METHODS",
    "INCREASE",
    "DECREASE",
    "NO_CHANGE",
    "NO_RECORDS",
    "NOT_COMPARABLE",
    "compare_counts",
    "compare_periods",
    "month_window",
    "baseline_window",
    "poisson_conditional_test",
    "rate_ratio_interval",
    "verdicts",
]

#: Significance level for the verdict.
ALPHA = 0.05
#: Two-sided confidence level of the rate-ratio interval.
CONFIDENCE = 0.95
#: Plain-English verdicts.
INCREASE = "significant increase"
DECREASE = "significant decrease"
NO_CHANGE = "no significant change"
NO_RECORDS = "no records in either period"
NOT_COMPARABLE = "not comparable: months missing"
#: Two-sided p-values: twice the smaller one-sided exact p-value (agrees with the interval), or
#: the sum of the outcomes no more likely than the observed (statsmodels' exact-cond; may not).
TWO_SIDED_METHODS = ("central", "minlike")
#: Baselines: the window just before the current one, or the same months a year before.
BASELINES = ("previous", "year_before")
#: Plain-English statement of the method, for the methods section of a published assessment.
METHOD = (
    "Changes compare the number of records in the latest period with the period before, or "
    "with the same months a year earlier. Whether a change is more than chance is judged with "
    "the exact Poisson conditional test (two-sided, 5% level: twice the smaller one-sided exact "
    "p-value); the rate ratio is shown with the exact 95% confidence interval from the same "
    "test (Clopper-Pearson), so a change is significant exactly when its interval excludes 1. "
    "A month with no data is treated as missing, never as zero, and a comparison that would "
    "include one is not made."
)

# SciPy's binomtest treats probabilities within this relative error as equal to the observed one.
_RERR = 1 + 1e-7


def _pmf(x: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    pmf: np.ndarray = stats.binom.pmf(x, n, p)
    return pmf


def _search(
    sign: np.ndarray,
    target: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    n: np.ndarray,
    p: np.ndarray,
) -> np.ndarray:
    """Vectorised copy of SciPy's ``_binary_search_for_binom_tst`` on ``sign * pmf``."""
    lo = lo.astype(float).copy()
    hi = hi.astype(float).copy()
    found = np.full(lo.shape, np.nan)
    active = lo < hi
    while active.any():
        mid = lo + np.floor((hi - lo) / 2)
        midval = sign * _pmf(mid, n, p)
        less = active & (midval < target)
        greater = active & (midval > target)
        equal = active & ~less & ~greater
        found[equal] = mid[equal]
        lo = np.where(less, mid + 1, lo)
        hi = np.where(greater, mid - 1, hi)
        active = active & ~equal & (lo < hi)
    at_lo = np.where(sign * _pmf(lo, n, p) <= target, lo, lo - 1)
    return np.where(np.isnan(found), at_lo, found)


def _binom_two_sided(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Two-sided exact binomial p-values, equal to ``scipy.stats.binomtest(k, n, p).pvalue``."""
    k, n, p = np.broadcast_arrays(np.asarray(k, float), np.asarray(n, float), np.asarray(p, float))
    pval = np.ones(k.shape)
    d = _pmf(k, n, p)
    below = (k < p * n) & (n > 0)
    above = (k > p * n) & (n > 0)
    if below.any():
        kb, nb, pb, db = k[below], n[below], p[below], d[below]
        ix = _search(-np.ones_like(kb), -db * _RERR, np.ceil(pb * nb), nb, nb, pb)
        y = nb - ix + (db * _RERR == _pmf(ix, nb, pb)).astype(float)
        pval[below] = stats.binom.cdf(kb, nb, pb) + stats.binom.sf(nb - y, nb, pb)
    if above.any():
        ka, na, pa, da = k[above], n[above], p[above], d[above]
        ix = _search(np.ones_like(ka), da * _RERR, np.zeros_like(ka), np.floor(pa * na), na, pa)
        y = ix + 1
        pval[above] = stats.binom.cdf(y - 1, na, pa) + stats.binom.sf(ka - 1, na, pa)
    return np.minimum(1.0, pval)


def _as_counts(name: str, values: ArrayLike) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} has a missing value; a missing month is not a zero count")
    if np.any(arr < 0) or np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must be whole numbers of records, zero or more")
    return arr


def _as_exposure(name: str, values: ArrayLike) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if np.any(~(arr > 0)):
        raise ValueError(f"{name} must be greater than zero (months covered, or person-months)")
    return arr


def poisson_conditional_test(
    count1: ArrayLike,
    exposure1: ArrayLike,
    count2: ArrayLike,
    exposure2: ArrayLike,
    *,
    alternative: str = "two-sided",
    method: str = "central",
) -> np.ndarray | float:
    """Exact conditional test that two Poisson rates are equal, for arrays of pairs.

    Parameters
    ----------
    count1, count2 : array_like of int
        Records in the current and the baseline period.
    exposure1, exposure2 : array_like of float
        Exposure of each period (months covered, or population times months).
    alternative : {"two-sided", "larger", "smaller"}
        ``"larger"`` tests whether the current rate is higher than the baseline rate.
    method : {"central", "minlike"}
        Two-sided p-value: ``"central"`` (default) is ``min(1, 2 · min(P(X ≤ c1), P(X ≥ c1)))``
        for ``X ~ Binomial(c1 + c2, e1 / (e1 + e2))``, the test :func:`rate_ratio_interval`
        inverts; ``"minlike"`` sums the probabilities no larger than the observed one
        (statsmodels' ``exact-cond``, SciPy's ``binomtest``), which the interval need not match.

    Returns
    -------
    numpy.ndarray or float
        P-values (a float for scalar inputs). Where both counts are zero there is nothing to
        test and the p-value is 1.

    Notes
    -----
    The one-sided p-values equal ``statsmodels.stats.rates.test_poisson_2indep(count1,
    exposure1, count2, exposure2, method="exact-cond", alternative=...)``; ``"central"`` is
    twice the smaller of them (exactci's ``tsmethod="central"``), ``"minlike"`` its two-sided
    value (agreement to 1e-9 is tested on random cases with unequal exposures). With equal
    exposures the two two-sided p-values are the same. statsmodels handles one pair at a time
    and raises on a pair of zeros.

    References
    ----------
    Przyborowski, J. & Wilenski, H. (1940). Homogeneity of results in testing samples from
    Poisson series. Biometrika 31, 313-323.

    Fay, M. P. (2010). Two-sided exact tests and matching confidence intervals for discrete
    data. R Journal 2(1), 53-58.

    Examples
    --------
    >>> [round(float(p), 6) for p in poisson_conditional_test([30, 10, 0], 12, [20, 10, 0], 12)]
    [0.202639, 1.0, 1.0]
    >>> round(poisson_conditional_test(0, 12, 3, 6), 4)  # 2 x (1/3)^3
    0.0741
    >>> round(poisson_conditional_test(0, 12, 3, 6, method="minlike"), 4)
    0.037
    """
    if method not in TWO_SIDED_METHODS:
        raise ValueError(f"method must be 'central' or 'minlike', not {method!r}")
    y1 = _as_counts("count1", count1)
    y2 = _as_counts("count2", count2)
    n1 = _as_exposure("exposure1", exposure1)
    n2 = _as_exposure("exposure2", exposure2)
    y1, n1, y2, n2 = np.broadcast_arrays(y1, n1, y2, n2)
    # The same floating-point steps as statsmodels, so a tie at the mode is decided the same way.
    r_d = 1 / (n2 / n1)
    bp = r_d / (1 + r_d)
    total = y1 + y2
    if alternative == "two-sided" and method == "minlike":
        p = _binom_two_sided(y1, total, bp)
    elif alternative == "two-sided":
        lower_tail = stats.binom.cdf(y1, total, bp)
        upper_tail = stats.binom.sf(y1 - 1, total, bp)
        p = np.where(total > 0, np.minimum(1.0, 2 * np.minimum(lower_tail, upper_tail)), 1.0)
    elif alternative == "larger":
        p = np.where(total > 0, stats.binom.sf(y1 - 1, total, bp), 1.0)
    elif alternative == "smaller":
        p = np.where(total > 0, stats.binom.cdf(y1, total, bp), 1.0)
    else:
        raise ValueError(
            f"alternative must be 'two-sided', 'larger' or 'smaller', not {alternative!r}"
        )
    return p if p.ndim else float(p)


def rate_ratio_interval(
    count1: ArrayLike,
    exposure1: ArrayLike,
    count2: ArrayLike,
    exposure2: ArrayLike,
    *,
    confidence: float = CONFIDENCE,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rate ratio (current / baseline) with its exact conditional confidence interval.

    Parameters
    ----------
    count1, count2 : array_like of int
        Records in the current and the baseline period.
    exposure1, exposure2 : array_like of float
        Exposure of each period.
    confidence : float, default ``CONFIDENCE`` (0.95)
        Two-sided confidence level.

    Returns
    -------
    ratio, lower, upper : numpy.ndarray
        ``(count1 / exposure1) / (count2 / exposure2)`` and its limits. A zero baseline gives
        an infinite ratio and upper limit; two zeros give NaN throughout.

    Notes
    -----
    Clopper-Pearson limits ``(pl, pu)`` for ``count1`` out of ``count1 + count2`` are mapped by
    ``ratio = p / (1 - p) * exposure2 / exposure1`` (the interval that inverts the exact
    conditional test; Breslow & Day 1987, section 2.3). It excludes 1 exactly when the two-sided
    p-value of :func:`poisson_conditional_test` (central, the default) is below
    ``1 - confidence``: the two are one test.

    References
    ----------
    Breslow, N. E. & Day, N. E. (1987). Statistical Methods in Cancer Research, vol. II. IARC.

    Examples
    --------
    >>> ratio, lower, upper = rate_ratio_interval([30], 12, [20], 12)
    >>> round(float(ratio[0]), 3), round(float(lower[0]), 3), round(float(upper[0]), 3)
    (1.5, 0.824, 2.787)
    """
    y1 = _as_counts("count1", count1)
    y2 = _as_counts("count2", count2)
    n1 = _as_exposure("exposure1", exposure1)
    n2 = _as_exposure("exposure2", exposure2)
    y1, n1, y2, n2 = np.broadcast_arrays(y1, n1, y2, n2)
    alpha = 1 - confidence
    total = y1 + y2
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (y1 / n1) / (y2 / n2)
        ratio = np.where(total > 0, ratio, np.nan)
        pl = np.where(y1 > 0, special.betaincinv(y1, y2 + 1, alpha / 2), 0.0)
        pu = np.where(y2 > 0, special.betaincinv(y1 + 1, y2, 1 - alpha / 2), 1.0)
        scale = n2 / n1
        lower = np.where(total > 0, pl / (1 - pl) * scale, np.nan)
        upper = np.where(total > 0, np.where(pu < 1, pu / (1 - pu) * scale, np.inf), np.nan)
    return ratio, lower, upper


def verdicts(pvalue: ArrayLike, ratio: ArrayLike, *, alpha: float = ALPHA) -> np.ndarray:
    """Plain-English verdicts for tested changes.

    Parameters
    ----------
    pvalue : array_like of float
        Two-sided p-values.
    ratio : array_like of float
        Rate ratios (current / baseline); NaN where both periods have no records.
    alpha : float, default ``ALPHA`` (0.05)
        Significance level.

    Returns
    -------
    numpy.ndarray of str
        ``"significant increase"``, ``"significant decrease"``, ``"no significant change"`` or
        ``"no records in either period"``.

    Examples
    --------
    >>> verdicts([0.01, 0.01, 0.2, 1.0], [1.5, 0.5, 1.1, np.nan]).tolist()
    ['significant increase', 'significant decrease', 'no significant change', 'no records in either period']
    """  # noqa: E501
    p = np.asarray(pvalue, dtype=float)
    r = np.asarray(ratio, dtype=float)
    out = np.full(p.shape, NO_CHANGE, dtype=object)
    significant = p < alpha
    out[significant & (r > 1)] = INCREASE
    out[significant & (r < 1)] = DECREASE
    out[np.isnan(r)] = NO_RECORDS
    return out


def compare_counts(
    count1: ArrayLike,
    exposure1: ArrayLike,
    count2: ArrayLike,
    exposure2: ArrayLike,
    *,
    alpha: float = ALPHA,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Test, estimate and describe the change for arrays of (current, baseline) pairs.

    Parameters
    ----------
    count1, exposure1 : array_like
        Current records and exposure.
    count2, exposure2 : array_like
        Baseline records and exposure.
    alpha : float, default ``ALPHA``
        Significance level of the verdict.
    confidence : float, default ``CONFIDENCE``
        Confidence level of the rate-ratio interval.

    Returns
    -------
    pandas.DataFrame
        Columns ``current``, ``baseline``, ``difference``, ``rate_ratio``, ``ratio_lower``,
        ``ratio_upper``, ``p_value`` and ``verdict``.

    Examples
    --------
    >>> compare_counts([120, 50], 12, [80, 55], 12)[["rate_ratio", "p_value", "verdict"]].round(4)
       rate_ratio  p_value                verdict
    0      1.5000   0.0057   significant increase
    1      0.9091   0.6965  no significant change
    """
    y1 = _as_counts("count1", count1)
    y2 = _as_counts("count2", count2)
    n1 = _as_exposure("exposure1", exposure1)
    n2 = _as_exposure("exposure2", exposure2)
    y1, n1, y2, n2 = np.broadcast_arrays(y1, n1, y2, n2)
    p = poisson_conditional_test(y1, n1, y2, n2)
    ratio, lower, upper = rate_ratio_interval(y1, n1, y2, n2, confidence=confidence)
    return pd.DataFrame(
        {
            "current": y1.astype(np.int64),
            "baseline": y2.astype(np.int64),
            "difference": (y1 - y2).astype(np.int64),
            "rate_ratio": ratio,
            "ratio_lower": lower,
            "ratio_upper": upper,
            "p_value": p,
            "verdict": verdicts(p, ratio, alpha=alpha),
        }
    )


def month_window(end: str | pd.Period, months: int) -> pd.PeriodIndex:
    """The ``months`` consecutive calendar months ending with ``end``.

    Parameters
    ----------
    end : str or pandas.Period
        Last month, e.g. ``"2022-11"``.
    months : int
        Number of months (at least 1).

    Returns
    -------
    pandas.PeriodIndex
        The months, oldest first.

    Examples
    --------
    >>> [str(m) for m in month_window("2022-11", 3)]
    ['2022-09', '2022-10', '2022-11']
    """
    if months < 1:
        raise ValueError(f"a period needs at least one month, got {months}")
    return period_index(window(end, months))


def baseline_window(end: str | pd.Period, months: int, baseline: str) -> pd.PeriodIndex:
    """The baseline months for the window of ``months`` months ending ``end``.

    ``"previous"`` is the window just before; ``"year_before"`` is the same months a year
    earlier. For a 12-month window the two are the same months.

    Parameters
    ----------
    end : str or pandas.Period
        Last month of the current window.
    months : int
        Length of both windows.
    baseline : {"previous", "year_before"}
        Which baseline.

    Returns
    -------
    pandas.PeriodIndex
        The baseline months, oldest first.

    Examples
    --------
    >>> w = baseline_window("2022-11", 6, "year_before")
    >>> str(w[0]), str(w[-1])
    ('2021-06', '2021-11')
    >>> w = baseline_window("2022-11", 6, "previous")
    >>> str(w[0]), str(w[-1])
    ('2021-12', '2022-05')
    """
    current = month_window(end, months)
    if baseline == "previous":
        return month_window(current[0] - 1, months)
    if baseline == "year_before":
        return month_window(current[-1] - 12, months)
    raise ValueError(f"baseline must be one of {BASELINES}, not {baseline!r}")


def _periods(values: Iterable[Any], what: str) -> pd.PeriodIndex:
    """Monthly periods for values like '2022-11', parsing each distinct value once."""
    codes, uniques = pd.factorize(
        pd.Series(list(values) if not hasattr(values, "dtype") else values)
    )
    try:
        parsed = pd.PeriodIndex([pd.Period(v, freq="M") for v in uniques], freq="M")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{what}: expected months like '2022-11' ({exc})") from None
    if (codes < 0).any():
        raise ValueError(f"{what}: a month is missing")
    return parsed[codes]


def _describe(months: Sequence[pd.Period]) -> str:
    return ", ".join(str(m) for m in months)


def compare_periods(
    frame: pd.DataFrame,
    *,
    end: str | pd.Period,
    covered_months: Iterable[Any],
    keys: Sequence[str] = ("category",),
    months: int = 12,
    baseline: str = "previous",
    month: str = "month",
    count: str = "count",
    on_missing: str = "raise",
    alpha: float = ALPHA,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Compare the latest ``months`` with a baseline window for every key (category, area…).

    Parameters
    ----------
    frame : pandas.DataFrame
        Monthly counts: one row per month and key, with a ``month`` column (``"2022-11"`` or a
        monthly ``Period``), the ``keys`` columns and a ``count`` column. A key with no row in a
        covered month had zero records that month.
    end : str or pandas.Period
        Last month of the current window.
    covered_months : iterable
        Months for which data exists (a month absent from the store is missing, not zero).
    keys : sequence of str, default ``("category",)``
        Columns identifying what is compared (e.g. ``("district", "category")``).
    months : int, default 12
        Length of each window.
    baseline : {"previous", "year_before"}
        The window just before, or the same months a year before.
    month, count : str
        Names of the month and count columns.
    on_missing : {"raise", "flag"}
        What to do when either window includes a month with no data: raise a ``ValueError``
        naming the months, or return statistics over the covered months only (exposure is the
        number of covered months) with the verdict ``"not comparable: months missing"``.
    alpha, confidence : float
        Significance level and interval confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per key: the key columns, ``current_months``, ``baseline_months`` (strings
        ``"2021-12..2022-11"``), ``current``, ``baseline``, ``difference``, ``rate_ratio``,
        ``ratio_lower``, ``ratio_upper``, ``p_value``, ``verdict`` and ``missing_months``.

    Notes
    -----
    The exposure of each window is its number of covered months, so populations are taken as
    unchanged between the two windows; to allow for population change call
    :func:`compare_counts` with person-months as exposures.

    Raises
    ------
    ValueError
        When the current window has no data at all, or (with ``on_missing="raise"``) either
        window includes a missing month, or a column is absent.

    Examples
    --------
    >>> df = pd.DataFrame({"month": ["2021-01", "2022-01"], "category": ["Burglary"] * 2,
    ...                    "count": [40, 70]})
    >>> out = compare_periods(df, end="2022-01", months=1, baseline="year_before",
    ...                       covered_months=["2021-01", "2022-01"])
    >>> out[["category", "current", "baseline", "verdict"]]
       category  current  baseline               verdict
    0  Burglary       70        40  significant increase
    """
    keys = list(keys)
    for column in [month, count, *keys]:
        if column not in frame.columns:
            raise ValueError(
                f"the counts have no '{column}' column (columns: {list(frame.columns)})"
            )
    if on_missing not in ("raise", "flag"):
        raise ValueError(f"on_missing must be 'raise' or 'flag', not {on_missing!r}")
    covered = set(_periods(covered_months, "covered_months"))
    current = month_window(end, months)
    base = baseline_window(end, months, baseline)
    missing_current = [m for m in current if m not in covered]
    missing_base = [m for m in base if m not in covered]
    if len(missing_current) == len(current):
        raise ValueError(
            f"there is no data for {current[0]}..{current[-1]}: "
            f"choose a period the data covers ({_coverage(covered)})"
        )
    missing = missing_base + missing_current
    if missing and on_missing == "raise":
        raise ValueError(
            f"cannot compare {current[0]}..{current[-1]} with {base[0]}..{base[-1]}: "
            f"no data for {_describe(missing)} (a missing month is not a zero); "
            "choose other months or ask for the comparison to be flagged"
        )
    if len(missing_base) == len(base):
        raise ValueError(f"there is no data for the baseline {base[0]}..{base[-1]}")

    data = frame[[month, *keys, count]].copy()
    data["_month"] = _periods(data[month], f"column '{month}'")
    outside = ~data["_month"].isin(covered)
    if outside.any():
        bad = sorted({str(m) for m in data.loc[outside, "_month"]})
        raise ValueError(f"the counts include months not in covered_months: {', '.join(bad[:12])}")
    data[count] = _as_counts(f"column '{count}'", data[count])
    in_current = data["_month"].isin(current)
    in_base = data["_month"].isin(base)
    grouped = []
    for mask in (in_current, in_base):
        grouped.append(data[mask].groupby(keys, sort=True)[count].sum())
    both = pd.concat(grouped, axis=1, keys=["current", "baseline"]).fillna(0)
    both = both.sort_index()
    n_current = float(len(current) - len(missing_current))
    n_base = float(len(base) - len(missing_base))
    stats_frame = compare_counts(
        both["current"].to_numpy(),
        n_current,
        both["baseline"].to_numpy(),
        n_base,
        alpha=alpha,
        confidence=confidence,
    )
    if missing:
        stats_frame["verdict"] = NOT_COMPARABLE
    out = both.index.to_frame(index=False)
    out["current_months"] = f"{current[0]}..{current[-1]}"
    out["baseline_months"] = f"{base[0]}..{base[-1]}"
    out = pd.concat([out, stats_frame], axis=1)
    out["missing_months"] = _describe(missing)
    return out


def _coverage(covered: set[pd.Period]) -> str:
    if not covered:
        return "no months are covered"
    ordered = sorted(covered)
    return f"data covers {ordered[0]}..{ordered[-1]}"
