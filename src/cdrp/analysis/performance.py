"""Performance management: project an indicator to the end of its target period, resolve its
target, and judge it on track, at risk or off track from the statistics, with the reasoning.

Pure code (no Django). Months are ``"YYYY-MM"`` strings. A month with no data (no police.uk
file, no value entered) is *missing*, never zero: the caller says which months are covered.

The method, for an indicator observed in ``k`` of the ``n`` months of its target period:

1. ``X`` is the total over the elapsed covered months of the period (a count of records, a
   harm-weighted sum, or for a proportion the successes and trials).
2. The seasonal factor ``f`` turns ``X`` into an end-of-period figure. With last year's figures
   for the same calendar months held and non-zero, ``f = B_all / B_elapsed`` where ``B_all`` is
   last year's total over the months one year before the period (for a 12-month period, the 12
   months before it) and ``B_elapsed`` last year's total in the same calendar months as the
   elapsed covered months; so a period that starts in the quiet winter is not projected as if
   every month were as quiet. Otherwise ``f = n / k`` (pro rata).
3. The projection is ``Ŷ = X·f``, with a 95% interval: for a count the exact Poisson (Garwood)
   limits of ``X`` scaled by ``f``; for a harm-weighted count ``H = Σ w·n`` the gamma interval
   for a weighted sum of Poisson counts (Fay & Feuer 1997, :func:`gamma_interval`) scaled by
   ``f``: each category's count is Poisson, so ``H`` has variance ``Σ w²·λ``, estimated by
   ``V = Σ w²·n``, and a right skew that a normal approximation ``H ± 1.96·√V`` ignores (its
   interval sat too low and, for a few records of a heavily weighted category, covered the true
   figure far less than 95% of the time); with every weight 1 it is the Garwood interval. For a
   rate per 1,000 residents the figure and limits are divided by ``population / 1000``. A
   proportion (a manual series with a denominator, e.g. a cohort's re-offending) is not
   projected: ``p = Σ value / Σ denominator`` over the elapsed months, with a Wilson 95% interval.
4. The target ``T`` is resolved in the indicator's measure (:func:`resolve_target`).
5. The status (:func:`judge`): where lower is better, *on track* if ``Ŷ ≤ T``; *off track* if
   even the lower limit is above ``T`` (the whole interval misses it); *at risk* otherwise (the
   projection misses ``T`` but ``T`` lies inside the interval, so the difference could be
   chance). Mirrored where higher is better. Never a straight percentage.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from html import escape

import numpy as np
from scipy import stats

from cdrp.analysis.months import MonthError, shift
from cdrp.analysis.months import month_range as _month_range
from cdrp.analysis.months import parse_month as _parse_month
from cdrp.analysis.rates import garwood_interval

__all__ = [
    "CONFIDENCE",
    "MEASURES",
    "STATUSES",
    "Judgement",
    "PerformanceError",
    "Projection",
    "ResolvedTarget",
    "assess",
    "check_target",
    "format_value",
    "gamma_interval",
    "judge",
    "month_range",
    "parse_month",
    "poisson_interval",
    "project_year_end",
    "resolve_target",
    "shift_month",
    "sparkline",
    "wilson_interval",
]

#: Two-sided confidence level of every interval.
CONFIDENCE = 0.95
#: Measures a projection can be in.
MEASURES = ("count", "harm", "rate", "harm rate", "proportion")
#: Statuses, worst first (the order exceptions are listed in).
STATUSES = ("off track", "at risk", "on track", "no data", "not started")


class PerformanceError(ValueError):
    """Bad input to a performance calculation; ``field`` names the field at fault.

    The message starts with the field's name, e.g. ``"baseline_start: a change target needs a
    baseline period ..."``.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


# -- months ------------------------------------------------------------------------------------


def parse_month(value: object, field: str = "month") -> str:
    """`cdrp.analysis.months.parse_month`, refusing as a `PerformanceError` (which the plans'
    forms and API catch).

    Examples
    --------
    >>> parse_month("2022-04")
    '2022-04'
    >>> parse_month("April 2022", "period_start")
    Traceback (most recent call last):
    ...
    cdrp.analysis.performance.PerformanceError: period_start: expected a month as YYYY-MM, for example 2022-04, got 'April 2022'
    """  # noqa: E501
    try:
        return _parse_month(value, field)
    except MonthError as exc:
        raise PerformanceError(exc.field, exc.message) from None


#: The month ``n`` months after (negative: before); kept under this name for the plans' code,
#: which is moving to `cdrp.analysis.months.shift` itself.
shift_month = shift


def month_range(
    start: str, end: str, *, start_field: str = "start", end_field: str = "end"
) -> list[str]:
    """Every month from ``start`` to ``end`` inclusive (`cdrp.analysis.months.month_range`),
    refusing as a `PerformanceError` named after the plan's fields.

    Raises
    ------
    PerformanceError
        When either is not ``YYYY-MM`` or the end comes before the start.

    Examples
    --------
    >>> month_range("2021-11", "2022-02")
    ['2021-11', '2021-12', '2022-01', '2022-02']
    >>> month_range("2022-06", "2022-01", start_field="period_start", end_field="period_end")
    Traceback (most recent call last):
    ...
    cdrp.analysis.performance.PerformanceError: period_end: 2022-01 is before period_start 2022-06
    """
    start = parse_month(start, start_field)
    end = parse_month(end, end_field)
    if end < start:
        raise PerformanceError(end_field, f"{end} is before {start_field} {start}")
    return _month_range(start, end)


def _span(months: Sequence[str]) -> str:
    return f"{months[0]} to {months[-1]}" if len(months) > 1 else months[0]


# -- intervals ---------------------------------------------------------------------------------


def poisson_interval(count: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact (Garwood) two-sided interval for a Poisson mean given an observed count.

    ``lower = chi2.ppf(a/2, 2X) / 2`` (0 when ``X = 0``), ``upper = chi2.ppf(1 - a/2, 2X + 2) / 2``
    with ``a = 1 - confidence`` (see :func:`cdrp.analysis.rates.garwood_interval`).

    Examples
    --------
    >>> [round(v, 3) for v in poisson_interval(40)]
    [28.577, 54.469]
    """
    lower, upper = garwood_interval([count], confidence)
    return float(lower[0]), float(upper[0])


def gamma_interval(total, variance, max_weight=0.0, confidence: float = CONFIDENCE):
    """Interval for the mean of a weighted sum of Poisson counts (a harm score), skew included.

    For ``H = Σ w·n`` with each ``n`` Poisson, ``V = Σ w²·n`` and ``w_M`` the largest weight that
    could contribute (Fay & Feuer 1997)::

        lower = Gamma(shape = H² / V, scale = V / H).ppf(a / 2)          (0 when H = 0)
        upper = Gamma(shape = (H + w_M)² / (V + w_M²),
                      scale = (V + w_M²) / (H + w_M)).ppf(1 - a / 2)

    with ``a = 1 - confidence``: gamma distributions with the mean and variance of the weighted
    sum, the upper one allowing for one more record of the heaviest category (as Garwood's upper
    limit allows for one more record; with every weight 1 these are exactly the Garwood limits).
    Without ``w_M`` (0) both are the gamma matching ``H`` and ``V`` alone, which follows the
    simulated compound Poisson closely but falls short of 95% coverage when a heavy category
    is rare.

    Parameters
    ----------
    total, variance : float or array_like
        ``H = Σ w·n`` and ``V = Σ w²·n`` (zero or more; ``V > 0`` where ``H > 0``).
    max_weight : float or array_like, default 0
        The largest weight of the categories summed (``w_M``).
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    lower, upper : float or numpy.ndarray

    References
    ----------
    Fay, M. P. & Feuer, E. J. (1997). Confidence intervals for directly standardized rates: a
    method based on the gamma distribution. Statistics in Medicine 16, 791-801.

    Examples
    --------
    >>> [round(float(v), 3) for v in gamma_interval(40, 40, 1)]  # every weight 1: Garwood
    [28.577, 54.469]
    >>> [round(float(v), 1) for v in gamma_interval(3 * 380 + 800, 3 * 380**2 + 800**2, 800)]
    [469.2, 5838.3]
    """
    h = np.asarray(total, dtype=float)
    v = np.asarray(variance, dtype=float)
    w = np.asarray(max_weight, dtype=float)
    if np.any(h < 0) or np.any(v < 0) or np.any(w < 0) or np.any((h > 0) & (v <= 0)):
        raise PerformanceError(
            "variance", "a harm score needs a variance Σ w²·n above zero when it is above zero"
        )
    if np.any((w > 0) & (w * h < v * (1 - 1e-9))):  # V = Σ w²·n <= w_M · Σ w·n = w_M · H
        raise PerformanceError("max_weight", "the largest weight is smaller than V / H implies")
    a = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(h > 0, stats.gamma.ppf(a / 2, h * h / v, scale=v / h), 0.0)
        hw, vw = h + w, v + w * w
        upper = np.where(hw > 0, stats.gamma.ppf(1 - a / 2, hw * hw / vw, scale=vw / hw), 0.0)
    if lower.ndim == 0:
        return float(lower), float(upper)
    return lower, upper


def wilson_interval(
    successes: float, trials: float, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / trials``.

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`` with ``z`` the normal quantile;
    the same as statsmodels ``proportion_confint(method="wilson")`` (the tests check it).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22, 209-212.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(50, 119)]
    [0.3353, 0.51]
    """
    if trials <= 0:
        raise PerformanceError("denominator", "a proportion needs a denominator above zero")
    if successes < 0 or successes > trials:
        raise PerformanceError(
            "value", f"{successes:g} is not between zero and the denominator {trials:g}"
        )
    z = float(stats.norm.ppf(1 - (1 - confidence) / 2))
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


# -- formatting --------------------------------------------------------------------------------


def format_value(value: float | None, measure: str) -> str:
    """A figure as a chair reads it: counts and harm whole, rates to 2 places, percentages.

    Examples
    --------
    >>> format_value(1234.4, "count"), format_value(3.456, "rate"), format_value(0.42, "proportion")
    ('1,234', '3.46 per 1,000', '42.0%')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if measure == "proportion":
        return f"{value:.1%}"
    if measure in ("rate", "harm rate"):
        return f"{value:,.2f} per 1,000"
    return f"{value:,.0f}"


def _number(value: float, measure: str) -> str:
    """Like format_value, without the unit (for intervals)."""
    if measure == "proportion":
        return f"{value:.1%}"
    if measure in ("rate", "harm rate"):
        return f"{value:,.2f}"
    return f"{value:,.0f}"


# -- projection --------------------------------------------------------------------------------


@dataclass
class Projection:
    """An indicator's figure so far and its projection to the end of the target period.

    All figures (``value``, ``projection``, ``low``, ``high``) are in the indicator's
    ``measure``; ``observed`` is the raw total ``X`` (records, harm score, or successes).
    """

    measure: str
    period: list[str]
    as_of: str
    elapsed: list[str] = field(default_factory=list)  # covered months of the period so far
    missing: list[str] = field(default_factory=list)  # elapsed months with no data
    observed: float = 0.0
    trials: float | None = None  # proportion: Σ denominator
    value: float | None = None
    projection: float | None = None
    low: float | None = None
    high: float | None = None
    factor: float | None = None
    seasonal: bool = False
    population: float | None = None

    @property
    def started(self) -> bool:
        return self.as_of >= self.period[0]

    @property
    def has_data(self) -> bool:
        return bool(self.elapsed)

    @property
    def complete(self) -> bool:
        """Every month of the period is held."""
        return len(self.elapsed) == len(self.period)

    def describe(self) -> str:
        """The evidence clause of the reasoning: the figure, its interval and what it rests on."""
        n, k = len(self.period), len(self.elapsed)
        span = _span(self.period)
        if not self.started:
            return f"The target period {span} has not started (figures as of {self.as_of})"
        if not self.has_data:
            return f"No data yet for {span}: none of its months to {self.as_of} is held"
        months = f"all {n} months" if k == n else f"{k} of {n} months"
        if self.missing:
            months += f" ({', '.join(self.missing)} not held)"
        m = self.measure
        interval = f"95% interval {_number(self.low, m)} to {_number(self.high, m)}"
        if m == "proportion":
            return (
                f"So far {format_value(self.value, m)} ({interval}, Wilson): "
                f"{self.observed:,.0f} of {self.trials:,.0f} in {months} of {span}"
            )
        what = (
            f"a harm score of {self.observed:,.0f}"
            if m.startswith("harm")
            else f"{self.observed:,.0f} records"
        )
        if self.population is not None:
            what += f" among {self.population:,.0f} residents"
        if m.startswith("harm"):
            interval += ", gamma approximation"
        end = "year-end" if n == 12 else "end-of-period"
        if self.complete:
            figure = format_value(self.value, m)
            return f"Final {end} figure {figure} ({interval}) from {what} in {months}"
        how = (
            "adjusted by last year's seasonal pattern"
            if self.seasonal
            else f"scaled up pro rata ({n}/{k}) as last year's months are not all held"
        )
        return (
            f"Projected {end} {format_value(self.projection, m)} ({interval}) from {what} "
            f"in {months}, {how}"
        )

    def as_dict(self) -> dict:
        return asdict(self)


def _sum(mapping: Mapping[str, float] | None, months: Sequence[str], what: str) -> float:
    total = 0.0
    for month in months:
        value = (mapping or {}).get(month, 0) or 0
        if value < 0 or (isinstance(value, float) and math.isnan(value)):
            raise PerformanceError(what, f"{month}: expected zero or more, got {value!r}")
        total += float(value)
    return total


def project_year_end(
    observed_by_month: Mapping[str, float],
    period_months: Sequence[str],
    covered: Collection[str],
    baseline_by_month: Mapping[str, float] | None = None,
    *,
    as_of: str | None = None,
    variance_by_month: Mapping[str, float] | None = None,
    population: float | None = None,
    denominator_by_month: Mapping[str, float] | None = None,
    confidence: float = CONFIDENCE,
    max_weight: float | None = None,
) -> Projection:
    """Project an indicator to the end of its target period, with a 95% interval.

    Parameters
    ----------
    observed_by_month : mapping
        Month → count (or harm-weighted sum, or successes for a proportion). A covered month
        absent from the mapping counts as zero.
    period_months : sequence of str
        The months of the target period, in order (:func:`month_range`).
    covered : collection of str
        Months that have data. Others are missing, not zero.
    baseline_by_month : mapping, optional
        Last year's figures by month (the same measure as ``observed_by_month``), for the
        seasonal factor: it needs the months one year before every month of the period, all
        covered, and a non-zero total in the months matching the elapsed ones; otherwise the
        projection is pro rata, ``f = n / k``. Usually the same mapping as the observations.
    as_of : str, optional
        The last month to count as elapsed; the end of the period when not given.
    variance_by_month : mapping, optional
        For a harm-weighted sum: month → ``Σ w²·n`` over the categories (``n`` records of
        weight ``w``). The interval is then the gamma interval of ``H`` (:func:`gamma_interval`)
        scaled by ``f``.
    population : float, optional
        Residents: the figures become rates per 1,000 (count and limits divided by
        ``population / 1000``).
    denominator_by_month : mapping, optional
        For a proportion: month → trials. ``p = Σ value / Σ denominator`` over the elapsed
        covered months with a Wilson interval; no projection (``projection = p``).
    confidence : float
        Two-sided confidence level.
    max_weight : float, optional
        For a harm-weighted sum: the largest weight of its categories, for the upper limit
        (:func:`gamma_interval`); without it the gamma matches ``H`` and ``Σ w²·n`` alone.

    Returns
    -------
    Projection

    Raises
    ------
    PerformanceError
        For a negative value, a denominator smaller than its value, or a population that is
        not above zero.

    Examples
    --------
    Worked by hand: 40 records in January to April 2022; last year 30 in January to April
    and 120 over the whole year, so ``f = 120 / 30 = 4`` and ``Ŷ = 160``; Garwood limits of
    40 are 28.58 and 54.47, times 4.

    >>> months = month_range("2022-01", "2022-12")
    >>> last = {f"2021-{m:02d}": v for m, v in zip(range(1, 13), [8, 10, 7, 5] + [11.25] * 8)}
    >>> seen = {"2022-01": 10, "2022-02": 12, "2022-03": 8, "2022-04": 10}
    >>> p = project_year_end(seen, months, set(last) | set(seen), last, as_of="2022-04")
    >>> p.projection, round(p.low, 1), round(p.high, 1), p.seasonal
    (160.0, 114.3, 217.9, True)
    """
    period = list(period_months)
    if not period:
        raise PerformanceError("period_start", "the target period has no months")
    as_of = parse_month(as_of, "as_of") if as_of else period[-1]
    covered = set(covered)
    proportion = denominator_by_month is not None
    harm = variance_by_month is not None
    if population is not None and not population > 0:
        raise PerformanceError("population", f"expected residents above zero, got {population!r}")
    measure = (
        "proportion"
        if proportion
        else ("harm" if harm else "count") + (" rate" if population is not None else "")
    ).replace("count rate", "rate")
    so_far = [m for m in period if m <= as_of]
    elapsed = [m for m in so_far if m in covered]
    missing = [m for m in so_far if m not in covered]
    out = Projection(
        measure=measure,
        period=period,
        as_of=as_of,
        elapsed=elapsed,
        missing=missing,
        population=population,
    )
    if not elapsed:
        return out
    x = _sum(observed_by_month, elapsed, "value")
    out.observed = x
    if proportion:
        trials = _sum(denominator_by_month, elapsed, "denominator")
        for month in elapsed:
            v = float(observed_by_month.get(month, 0) or 0)
            d = float(denominator_by_month.get(month, 0) or 0)
            if v > d:
                raise PerformanceError(
                    "denominator", f"{month}: the denominator {d:g} is smaller than the value {v:g}"
                )
        if trials <= 0:
            raise PerformanceError(
                "denominator", f"the denominators of {_span(elapsed)} add up to zero"
            )
        out.trials = trials
        out.value = out.projection = x / trials
        out.low, out.high = wilson_interval(x, trials, confidence)
        out.factor = 1.0
        return out

    n, k = len(period), len(elapsed)
    last_year = [shift_month(m, -12) for m in period]
    last_year_elapsed = [shift_month(m, -12) for m in elapsed]
    factor, seasonal = n / k, False
    if baseline_by_month is not None and k < n and all(m in covered for m in last_year):
        b_all = _sum(baseline_by_month, last_year, "baseline")
        b_elapsed = _sum(baseline_by_month, last_year_elapsed, "baseline")
        if b_all > 0 and b_elapsed > 0:
            factor, seasonal = b_all / b_elapsed, True
    if harm:
        variance = _sum(variance_by_month, elapsed, "variance")
        if max_weight is not None and not max_weight > 0:
            raise PerformanceError(
                "max_weight", f"expected a weight above zero, got {max_weight!r}"
            )
        low, high = gamma_interval(x, variance, max_weight or 0.0, confidence)
    else:
        low, high = poisson_interval(x, confidence)
    scale = 1000.0 / population if population is not None else 1.0
    out.factor, out.seasonal = factor, seasonal
    out.value = x * scale
    out.projection = x * factor * scale
    out.low, out.high = low * factor * scale, high * factor * scale
    return out


# -- targets -----------------------------------------------------------------------------------


@dataclass
class ResolvedTarget:
    """A target as a figure in the indicator's measure, with the words that explain it."""

    kind: str
    value: float
    text: str  # e.g. "at most 932 (5% below the baseline of 981 in 2020-12 to 2021-11)"
    baseline: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


_KINDS = ("absolute", "change", "family")


def check_target(
    kind: str,
    value: float | None,
    period_start: str,
    period_end: str,
    baseline_start: str | None = None,
    baseline_end: str | None = None,
) -> None:
    """Check a target's fields before it is saved or used; raises on the first fault.

    An absolute target needs a figure of zero or more; a change target a percentage above
    -100 and a baseline period (both months, ending before the target period starts); a
    family target no figure. The target period must be months in order.

    Raises
    ------
    PerformanceError
        Naming the field (``kind``, ``value``, ``period_start``, ``period_end``,
        ``baseline_start``, ``baseline_end``) and what was expected.

    Examples
    --------
    >>> check_target("change", -5, "2021-12", "2022-11")
    Traceback (most recent call last):
    ...
    cdrp.analysis.performance.PerformanceError: baseline_start: a change target needs a baseline period: enter baseline_start and baseline_end as YYYY-MM
    """  # noqa: E501
    if kind not in _KINDS:
        raise PerformanceError("kind", f"expected one of {', '.join(_KINDS)}, got {kind!r}")
    month_range(period_start, period_end, start_field="period_start", end_field="period_end")
    if kind == "absolute":
        if value is None:
            raise PerformanceError("value", "an absolute target needs the figure to reach")
        if float(value) < 0:
            raise PerformanceError("value", f"expected a figure of zero or more, got {value}")
    if kind == "change":
        if value is None:
            raise PerformanceError(
                "value", "a change target needs the percentage change, e.g. -5 for 5% fewer"
            )
        if float(value) <= -100:
            raise PerformanceError("value", f"a change must be above -100%, got {value}%")
        if not baseline_start or not baseline_end:
            raise PerformanceError(
                "baseline_start" if not baseline_start else "baseline_end",
                "a change target needs a baseline period: enter baseline_start and "
                "baseline_end as YYYY-MM",
            )
        month_range(
            baseline_start, baseline_end, start_field="baseline_start", end_field="baseline_end"
        )
        if baseline_end >= period_start:
            raise PerformanceError(
                "baseline_end",
                f"the baseline must end before the target period starts ({period_start}), "
                f"got {baseline_end}",
            )


def _bound(direction: str) -> str:
    return "at most" if direction == "lower" else "at least"


def _percent(value: float) -> str:
    text = f"{abs(value):.4f}".rstrip("0").rstrip(".")
    return f"{text}% {'below' if value < 0 else 'above'}"


def resolve_target(
    kind: str,
    value: float | None,
    *,
    period_months: Sequence[str],
    direction: str = "lower",
    measure: str = "count",
    baseline_months: Sequence[str] | None = None,
    baseline_by_month: Mapping[str, float] | None = None,
    covered: Collection[str] | None = None,
    baseline_denominator_by_month: Mapping[str, float] | None = None,
    population: float | None = None,
    family_rate: float | None = None,
    family_label: str = "",
    factor: float | None = None,
    months_elapsed: int | None = None,
) -> ResolvedTarget:
    """The target as a figure in the indicator's measure.

    Parameters
    ----------
    kind : {"absolute", "change", "family"}
        ``absolute``: ``value`` is the end-of-period figure in the indicator's measure (a
        percentage for a proportion, e.g. 40 for 40%). ``change``: the baseline total scaled to
        the period's length, times ``1 + value/100`` (a proportion: the baseline proportion
        times ``1 + value/100``). ``family``: the family average rate per 1,000 over the same
        elapsed months, times the projection's ``factor``, converted to the measure.
    value : float or None
        The figure or the percentage; None for a family target.
    period_months : sequence of str
        Months of the target period.
    direction : {"lower", "higher"}
        Which way is better (for the words "at most" / "at least").
    measure : str
        One of ``MEASURES``.
    baseline_months, baseline_by_month, covered : optional
        The baseline period's months, the figures by month (a covered month absent is zero)
        and the months that have data. Every baseline month must be covered.
    baseline_denominator_by_month : mapping, optional
        A proportion's denominators in the baseline.
    population : float, optional
        Residents: needed for a rate (the baseline's rate uses the same population as the
        period) and to turn the family's rate into a count.
    family_rate : float, optional
        Mean of the family members' rates per 1,000 over the elapsed covered months.
    family_label : str
        Who the family is, for the words.
    factor : float, optional
        The projection's factor ``f`` (family targets).
    months_elapsed : int, optional
        Months the family rate covers (for the words).

    Returns
    -------
    ResolvedTarget

    Raises
    ------
    PerformanceError
        A change target with no baseline period, or one whose baseline months are not all
        held or total zero (naming ``baseline_start``); a family target with no family figure
        or for a proportion (``kind``); a missing figure (``value``).

    Examples
    --------
    >>> base = month_range("2020-12", "2021-11")
    >>> t = resolve_target("change", -5, period_months=month_range("2021-12", "2022-11"),
    ...                    baseline_months=base, baseline_by_month={m: 81.75 for m in base},
    ...                    covered=base)
    >>> round(t.value, 2), t.text
    (931.95, 'at most 932 (5% below the baseline of 981 in 2020-12 to 2021-11)')
    """
    n = len(period_months)
    if kind not in _KINDS:
        raise PerformanceError("kind", f"expected one of {', '.join(_KINDS)}, got {kind!r}")
    if measure not in MEASURES:
        raise PerformanceError("measure", f"expected one of {', '.join(MEASURES)}, got {measure!r}")
    bound = _bound(direction)
    scale = 1000.0 / population if measure in ("rate", "harm rate") and population else 1.0
    if measure in ("rate", "harm rate") and not population:
        raise PerformanceError("population", "a rate per 1,000 needs the resident population")

    if kind == "absolute":
        if value is None:
            raise PerformanceError("value", "an absolute target needs the figure to reach")
        figure = float(value) / 100 if measure == "proportion" else float(value)
        if figure < 0:
            raise PerformanceError("value", f"expected a figure of zero or more, got {value}")
        return ResolvedTarget(kind, figure, f"{bound} {format_value(figure, measure)}")

    if kind == "change":
        if value is None:
            raise PerformanceError(
                "value", "a change target needs the percentage change, e.g. -5 for 5% fewer"
            )
        if not baseline_months:
            raise PerformanceError(
                "baseline_start",
                "a change target needs a baseline period: enter baseline_start and "
                "baseline_end as YYYY-MM",
            )
        months = list(baseline_months)
        held = set(covered or ())
        gaps = [m for m in months if m not in held]
        span = _span(months)
        if gaps:
            raise PerformanceError(
                "baseline_start",
                f"the baseline {span} is not all held: no data for {', '.join(gaps)}; choose "
                "a baseline period whose months are all held",
            )
        total = _sum(baseline_by_month, months, "baseline")
        change = 1 + float(value) / 100
        if measure == "proportion":
            trials = _sum(baseline_denominator_by_month, months, "denominator")
            if trials <= 0 or total <= 0:
                raise PerformanceError(
                    "baseline_start",
                    f"the baseline {span} is zero, so a percentage change on it means "
                    "nothing: use an absolute target",
                )
            base = total / trials
            figure = base * change
            text = (
                f"{bound} {format_value(figure, measure)} ({_percent(float(value))} the "
                f"baseline of {format_value(base, measure)} in {span})"
            )
            return ResolvedTarget(kind, figure, text, baseline=base)
        if total <= 0:
            raise PerformanceError(
                "baseline_start",
                f"the baseline {span} totals zero, so a percentage change on it means "
                "nothing: use an absolute target",
            )
        scaled = total * n / len(months) * scale
        figure = scaled * change
        text = (
            f"{bound} {format_value(figure, measure)} ({_percent(float(value))} the baseline "
            f"of {format_value(total * scale, measure)} in {span}"
            + (
                f", {format_value(scaled, measure)} scaled to {n} months"
                if len(months) != n
                else ""
            )
            + ")"
        )
        return ResolvedTarget(kind, figure, text, baseline=scaled)

    # family
    if measure == "proportion":
        raise PerformanceError(
            "kind", "a family target needs a store indicator: partner proportions have no family"
        )
    if family_rate is None:
        raise PerformanceError(
            "kind", "no family member has data for these months, so there is no family average"
        )
    if factor is None:
        raise PerformanceError("kind", "a family target needs the projection's factor")
    year_rate = float(family_rate) * factor
    if measure in ("rate", "harm rate"):
        figure = year_rate
    else:
        if not population:
            raise PerformanceError("population", "a family target needs the resident population")
        figure = year_rate * population / 1000.0
    who = f" of {family_label}" if family_label else ""
    over = f" in the same {months_elapsed} months" if months_elapsed else ""
    text = (
        f"{bound} {format_value(figure, measure)} (better than the family average{who}: "
        f"{float(family_rate):,.2f} per 1,000{over}"
        + (
            f", {year_rate:,.2f} over the whole period when projected like ours"
            if abs(factor - 1) > 1e-9
            else ""
        )
        + ")"
    )
    return ResolvedTarget(kind, figure, text, baseline=year_rate)


# -- judging -----------------------------------------------------------------------------------


@dataclass
class Judgement:
    """The status of an indicator against its target, with the reasoning a chair can read."""

    status: str
    value: float | None = None
    projection: float | None = None
    low: float | None = None
    high: float | None = None
    target: float | None = None
    reasoning: str = ""
    direction: str = "lower"
    measure: str = "count"

    def as_dict(self) -> dict:
        return asdict(self)


def judge(
    projection: float,
    low: float,
    high: float,
    target: float,
    direction: str = "lower",
    *,
    value: float | None = None,
    evidence: str = "",
    target_text: str = "",
    measure: str = "count",
) -> Judgement:
    """On track, at risk or off track: the projection and its interval against the target.

    Parameters
    ----------
    projection, low, high : float
        The projected figure ``Ŷ`` and its 95% interval.
    target : float
        ``T``, in the same measure.
    direction : {"lower", "higher"}
        Which way is better.
    value : float, optional
        The figure so far (carried into the result).
    evidence, target_text : str
        The clauses the reasoning starts with (:meth:`Projection.describe`,
        :attr:`ResolvedTarget.text`); made from the numbers when empty.
    measure : str
        For formatting.

    Returns
    -------
    Judgement
        Where lower is better: *on track* if ``Ŷ ≤ T``; *off track* if ``low > T`` (the whole
        interval misses); *at risk* otherwise (``Ŷ`` misses ``T`` but ``T`` is inside the
        interval, so the difference could be chance). Mirrored where higher is better.

    Examples
    --------
    >>> judge(160, 114.3, 217.9, 150, "lower").status
    'at risk'
    >>> judge(160, 114.3, 217.9, 100, "lower").status, judge(160, 114.3, 217.9, 100, "higher").status
    ('off track', 'on track')
    """  # noqa: E501
    if direction not in ("lower", "higher"):
        raise PerformanceError("direction", f"expected lower or higher, got {direction!r}")
    for name, number in (("projection", projection), ("target", target)):
        if number is None or math.isnan(float(number)):
            raise PerformanceError(name, "expected a number")
    lower_better = direction == "lower"
    meets = projection <= target if lower_better else projection >= target
    whole_misses = low > target if lower_better else high < target
    side = "above" if lower_better else "below"
    near_end = "lower" if lower_better else "upper"
    # A proportion is judged on its figure so far (it is not projected).
    noun = "the figure so far" if measure == "proportion" else "the projection"
    if meets:
        status = "on track"
        inside = high <= target if lower_better else low >= target
        clause = (
            f"{noun} meets the target, and so does the whole interval"
            if inside
            else f"{noun} meets the target, though the interval reaches {side} it"
        )
    elif whole_misses:
        status = "off track"
        clause = (
            f"even the {near_end} end of the interval is {side} the target, so {noun} "
            "misses it by more than chance"
        )
    else:
        status = "at risk"
        clause = (
            f"{noun} misses the target but the target is inside the interval, so the "
            "difference could be chance"
        )
    evidence = evidence or (
        f"Projected {_number(projection, measure)} (95% interval {_number(low, measure)} to "
        f"{_number(high, measure)})"
    )
    target_text = target_text or f"{_bound(direction)} {format_value(target, measure)}"
    reasoning = f"{evidence}; target {target_text}: {clause}."
    return Judgement(
        status=status,
        value=value,
        projection=projection,
        low=low,
        high=high,
        target=target,
        reasoning=reasoning[0].upper() + reasoning[1:],
        direction=direction,
        measure=measure,
    )


def assess(
    projection: Projection, target: ResolvedTarget | None, direction: str = "lower"
) -> Judgement:
    """Judge a projection against a resolved target, including the cases with nothing to judge.

    A target period that has not started gives ``"not started"``; one with no month held yet
    ``"no data"``; otherwise :func:`judge`.

    Examples
    --------
    >>> p = project_year_end({}, month_range("2023-01", "2023-12"), [], as_of="2022-11")
    >>> assess(p, ResolvedTarget("absolute", 10, "at most 10")).status
    'not started'
    """
    m = projection.measure
    if not projection.started or not projection.has_data:
        status = "not started" if not projection.started else "no data"
        text = f"; target {target.text}" if target is not None else ""
        return Judgement(
            status=status,
            target=target.value if target is not None else None,
            reasoning=f"{projection.describe()}{text}: nothing to judge yet.",
            direction=direction,
            measure=m,
        )
    if target is None:
        raise PerformanceError("target", "no target to judge against")
    return judge(
        projection.projection,
        projection.low,
        projection.high,
        target.value,
        direction,
        value=projection.value,
        evidence=projection.describe(),
        target_text=target.text,
        measure=m,
    )


# -- sparkline ---------------------------------------------------------------------------------


def sparkline(
    values: Sequence[float | None],
    *,
    label: str,
    target: float | None = None,
    target_from: int = 0,
    width: int = 120,
    height: int = 32,
    colour: str = "#1d70b8",
) -> str:
    """A tiny inline SVG line of monthly values: missing months are gaps, the target a dashed line.

    Parameters
    ----------
    values : sequence of float or None
        One value per month, None where the month is missing.
    label : str
        What it shows, for screen readers (``aria-label`` and ``<title>``); escaped.
    target : float, optional
        The target's monthly level, drawn dashed from month ``target_from`` to the end.
    width, height : int
        Size in pixels.

    Returns
    -------
    str
        ``<svg …>…</svg>``. The vertical scale runs from the smallest to the largest of the
        values and the target.

    Examples
    --------
    >>> svg = sparkline([3, None, 5, 4], label="Burglary", target=4)
    >>> svg.count("<polyline"), svg.count("<circle"), "stroke-dasharray" in svg
    (1, 1, True)
    >>> "<title>Burglary</title>" in svg
    True
    """
    pad = 2.0
    numbers = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    scale = numbers + ([float(target)] if target is not None else [])
    # From the smallest to the largest figure (as sparklines do), so the month-to-month
    # movement shows; a flat series sits in the middle.
    bottom, top = (min(scale), max(scale)) if scale else (0.0, 1.0)
    if top - bottom < 1e-12:
        bottom, top = bottom - 1.0, top + 1.0
    count = len(values)
    step = (width - 2 * pad) / max(count - 1, 1)

    def x(i: int) -> float:
        return pad + i * step

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * ((v - bottom) / (top - bottom))

    label = escape(label)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cdrp-sparkline" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        f"<title>{label}</title>"
    ]
    if target is not None and count:
        ty = y(float(target))
        parts.append(
            f'<line x1="{x(min(target_from, count - 1)):.1f}" y1="{ty:.1f}" '
            f'x2="{x(count - 1):.1f}" y2="{ty:.1f}" stroke="#505a5f" stroke-width="1" '
            'stroke-dasharray="3 2"/>'
        )
    run: list[str] = []
    runs: list[list[str]] = []
    for i, v in enumerate(values):
        if v is None or math.isnan(float(v)):
            if run:
                runs.append(run)
            run = []
            continue
        run.append(f"{x(i):.1f},{y(float(v)):.1f}")
    if run:
        runs.append(run)
    for points in runs:
        if len(points) == 1:
            cx, cy = points[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="1.5" fill="{colour}"/>')
        else:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                'stroke-width="1.5" stroke-linejoin="round"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
