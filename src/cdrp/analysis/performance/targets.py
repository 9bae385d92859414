"""Targets: checked as entered, and resolved into the indicator's measure."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, SupportsFloat

from cdrp.analysis.months import label, parse_month
from cdrp.analysis.performance import (
    MEASURES,
    PerformanceError,
    _span,
)
from cdrp.analysis.performance.formatting import format_value
from cdrp.analysis.performance.projection import _sum

# -- targets -----------------------------------------------------------------------------------


@dataclass
class ResolvedTarget:
    """A target as a figure in the indicator's measure, with the words that explain it."""

    kind: str
    value: float
    text: str  # e.g. "at most 932 (5% below the baseline of 981 in December 2020 to November 2021)"
    baseline: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_KINDS = ("absolute", "change", "family")


def check_target(
    kind: str,
    value: SupportsFloat | None,
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
    cdrp.analysis.months.MonthError
        For a period or baseline month that is not ``YYYY-MM`` (naming its field).

    Examples
    --------
    >>> check_target("change", -5, "2021-12", "2022-11")
    Traceback (most recent call last):
    ...
    cdrp.analysis.performance.PerformanceError: baseline_start: a change target needs a baseline period: enter baseline_start and baseline_end as YYYY-MM
    """  # noqa: E501
    if kind not in _KINDS:
        raise PerformanceError("kind", f"expected one of {', '.join(_KINDS)}, got {kind!r}")
    _check_period(period_start, period_end, "period_start", "period_end")
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
        _check_period(baseline_start, baseline_end, "baseline_start", "baseline_end")
        if baseline_end >= period_start:
            raise PerformanceError(
                "baseline_end",
                f"the baseline must end before the target period starts ({period_start}), "
                f"got {baseline_end}",
            )


def _check_period(start: str, end: str, start_field: str, end_field: str) -> None:
    """Both ends are months (else `cdrp.analysis.months.MonthError`) and the end is not before
    the start (else a `PerformanceError` on `end_field`)."""
    first, last = parse_month(start, start_field), parse_month(end, end_field)
    if last < first:
        raise PerformanceError(end_field, f"{last} is before {start_field} {first}")


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
    >>> from cdrp.analysis.months import month_range
    >>> base = month_range("2020-12", "2021-11")
    >>> t = resolve_target("change", -5, period_months=month_range("2021-12", "2022-11"),
    ...                    baseline_months=base, baseline_by_month={m: 81.75 for m in base},
    ...                    covered=base)
    >>> round(t.value, 2), t.text
    (931.95, 'at most 932 (5% below the baseline of 981 in December 2020 to November 2021)')
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
                f"the baseline {span} is not all held: no data for "
                f"{', '.join(map(label, gaps))}; choose a baseline period whose months are all "
                "held",
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
