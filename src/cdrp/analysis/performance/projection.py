"""Projection of an indicator to the end of its target period, with its 95% interval."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from cdrp.analysis.months import label, parse_month, shift
from cdrp.analysis.performance import (
    CONFIDENCE,
    PerformanceError,
    _span,
)
from cdrp.analysis.performance.formatting import _number, format_value
from cdrp.analysis.performance.intervals import gamma_interval, poisson_interval, wilson_interval

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
            return f"The target period {span} has not started (figures as of {label(self.as_of)})"
        if not self.has_data:
            return f"No data yet for {span}: none of its months to {label(self.as_of)} is held"
        months = f"all {n} months" if k == n else f"{k} of {n} months"
        if self.missing:
            months += f" ({', '.join(label(m) for m in self.missing)} not held)"
        m = self.measure
        assert self.low is not None and self.high is not None  # set whenever there is data
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

    def as_dict(self) -> dict[str, Any]:
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
        The months of the target period, in order (`cdrp.analysis.months.month_range`).
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
    cdrp.analysis.months.MonthError
        For an ``as_of`` that is not a month.

    Examples
    --------
    Worked by hand: 40 records in January to April 2022; last year 30 in January to April
    and 120 over the whole year, so ``f = 120 / 30 = 4`` and ``Ŷ = 160``; Garwood limits of
    40 are 28.58 and 54.47, times 4.

    >>> from cdrp.analysis.months import month_range
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
    if denominator_by_month is not None:  # a proportion
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
    last_year = [shift(m, -12) for m in period]
    last_year_elapsed = [shift(m, -12) for m in elapsed]
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
        low, high = (float(v) for v in gamma_interval(x, variance, max_weight or 0.0, confidence))
    else:
        low, high = poisson_interval(x, confidence)
    scale = 1000.0 / population if population is not None else 1.0
    out.factor, out.seasonal = factor, seasonal
    out.value = x * scale
    out.projection = x * factor * scale
    out.low, out.high = low * factor * scale, high * factor * scale
    return out
