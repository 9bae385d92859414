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

from collections.abc import Sequence

from cdrp.analysis.months import MonthError, shift
from cdrp.analysis.months import month_range as _month_range
from cdrp.analysis.months import parse_month as _parse_month

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


# The package's parts, by concern. They import the error, constants and month checks above from
# this package, so they are imported after those are defined (E402).
from cdrp.analysis.performance.formatting import format_value  # noqa: E402
from cdrp.analysis.performance.intervals import (  # noqa: E402
    gamma_interval,
    poisson_interval,
    wilson_interval,
)
from cdrp.analysis.performance.judging import Judgement, assess, judge  # noqa: E402
from cdrp.analysis.performance.projection import Projection, project_year_end  # noqa: E402
from cdrp.analysis.performance.sparkline import sparkline  # noqa: E402
from cdrp.analysis.performance.targets import (  # noqa: E402
    ResolvedTarget,
    check_target,
    resolve_target,
)

# `doctest.testmod(cdrp.analysis.performance)` runs the examples of every part.
__test__ = {
    "format_value": format_value,
    "gamma_interval": gamma_interval,
    "poisson_interval": poisson_interval,
    "wilson_interval": wilson_interval,
    "Judgement": Judgement,
    "assess": assess,
    "judge": judge,
    "Projection": Projection,
    "project_year_end": project_year_end,
    "sparkline": sparkline,
    "ResolvedTarget": ResolvedTarget,
    "check_target": check_target,
    "resolve_target": resolve_target,
}
