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

from cdrp.analysis.errors import RefusedInput

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
    "poisson_interval",
    "project_year_end",
    "resolve_target",
    "sparkline",
    "wilson_interval",
]

#: Two-sided confidence level of every interval.
CONFIDENCE = 0.95
#: Measures a projection can be in.
MEASURES = ("count", "harm", "rate", "harm rate", "proportion")
#: Statuses, worst first (the order exceptions are listed in).
STATUSES = ("off track", "at risk", "on track", "no data", "not started")


class PerformanceError(RefusedInput):
    """Bad input to a performance calculation; ``field`` names the field at fault.

    The message starts with the field's name, e.g. ``"baseline_start: a change target needs a
    baseline period ..."``. A month that is not a month is refused by `cdrp.analysis.months`
    itself (its `MonthError`); both are a `RefusedInput`, which callers catch.
    """


def _span(months: Sequence[str]) -> str:
    """Months as people write a span of them: "April 2022 to March 2023"."""
    from cdrp.analysis.months import span_label

    return span_label(months[0], months[-1])


# The package's parts, by concern. They import the error and constants above from this package,
# , so they are imported after those are defined (E402).
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
