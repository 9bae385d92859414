"""Judging an indicator on track, at risk or off track, with the reasoning."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from cdrp.analysis.performance import (
    PerformanceError,
)
from cdrp.analysis.performance.formatting import _number, format_value
from cdrp.analysis.performance.projection import Projection
from cdrp.analysis.performance.targets import ResolvedTarget, _bound

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

    def as_dict(self) -> dict[str, Any]:
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
    >>> from cdrp.analysis.months import month_range
    >>> from cdrp.analysis.performance.projection import project_year_end
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
    # Set whenever the period has started and has data (Projection.has_data).
    assert projection.projection is not None
    assert projection.low is not None and projection.high is not None
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
