"""Re-offending of an offender cohort (PPO/IOM): the frequency and binary measures.

The two measures the Ministry of Justice's proven re-offending statistics use, applied to a
local cohort over a period:

- **frequency**: offences by the cohort's members in the period, per member in the cohort in
  the period (counting each member once), with an exact Poisson interval for the count (Garwood
  1936) divided by the members;
- **binary**: the share of the members who offended at least once in the period, with a Wilson
  score interval (statsmodels `proportion_confint`, method "wilson").

A member is in the cohort in a period when adopted on or before its last day and not left
before its first day; an offence counts when its date is inside the period and on or after the
member's adoption and not after their leaving (offences outside membership are not the
cohort's). Pure code: dates in, figures out.

>>> import datetime as dt
>>> members = [
...     Member(1, dt.date(2022, 1, 1)),
...     Member(2, dt.date(2022, 1, 1), dt.date(2022, 2, 10)),
...     Member(3, dt.date(2022, 3, 5)),
... ]
>>> offences = [Offence(1, dt.date(2022, 1, 3)), Offence(1, dt.date(2022, 1, 20)),
...             Offence(2, dt.date(2022, 2, 15)), Offence(3, dt.date(2022, 1, 9))]
>>> b = binary(members, offences, dt.date(2022, 1, 1), dt.date(2022, 1, 31))
>>> b.reoffenders, b.members, b.rate
(1, 2, 0.5)
>>> f = frequency(members, offences, dt.date(2022, 1, 1), dt.date(2022, 1, 31))
>>> f.offences, f.members, f.rate
(2, 2, 1.0)
>>> [(m.month, m.reoffenders, m.members) for m in monthly(members, offences, "2022-01", "2022-03")]
[('2022-01', 1, 2), ('2022-02', 0, 2), ('2022-03', 0, 2)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scipy.stats import chi2
from statsmodels.stats.proportion import proportion_confint

from cdrp.analysis.months import Month, month_range

__all__ = [
    "Member",
    "Offence",
    "Binary",
    "Frequency",
    "MonthFigure",
    "binary",
    "frequency",
    "monthly",
    "month_bounds",
]


@dataclass(frozen=True)
class Member:
    """A cohort member: an id, the date adopted and the date left (None: still in)."""

    id: int
    entered: dt.date
    left: dt.date | None = None

    def in_cohort(self, start: dt.date, end: dt.date) -> bool:
        return self.entered <= end and (self.left is None or self.left >= start)

    def covers(self, day: dt.date) -> bool:
        return self.entered <= day and (self.left is None or day <= self.left)


@dataclass(frozen=True)
class Offence:
    member_id: int
    date: dt.date


@dataclass(frozen=True)
class Binary:
    """Members who offended in the period, out of the members in the cohort then."""

    reoffenders: int
    members: int
    rate: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Frequency:
    """Offences in the period per member in the cohort then."""

    offences: int
    members: int
    rate: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class MonthFigure:
    month: str
    reoffenders: int
    members: int
    offences: int


def _counted(
    members: Sequence[Member], offences: Iterable[Offence], start: dt.date, end: dt.date
) -> tuple[list[Member], dict[int, int]]:
    """The members in the cohort in the period and their offences in it."""
    if end < start:
        raise ValueError("the period ends before it starts")
    present = [m for m in members if m.in_cohort(start, end)]
    by_id = {m.id: m for m in present}
    counts: dict[int, int] = {}
    for o in offences:
        m = by_id.get(o.member_id)
        if m is not None and start <= o.date <= end and m.covers(o.date):
            counts[o.member_id] = counts.get(o.member_id, 0) + 1
    return present, counts


def binary(
    members: Sequence[Member],
    offences: Iterable[Offence],
    start: dt.date,
    end: dt.date,
    alpha: float = 0.05,
) -> Binary:
    """The binary measure with its Wilson interval (None throughout for an empty cohort).

    >>> import datetime as dt
    >>> ms = [Member(i, dt.date(2022, 1, 1)) for i in range(10)]
    >>> b = binary(ms, [Offence(0, dt.date(2022, 1, 2))], dt.date(2022, 1, 1), dt.date(2022, 1, 31))
    >>> (b.reoffenders, b.members, b.rate, round(b.low, 4), round(b.high, 4))
    (1, 10, 0.1, 0.0179, 0.4042)
    """
    present, counts = _counted(members, offences, start, end)
    n, k = len(present), len(counts)
    if n == 0:
        return Binary(0, 0, None, None, None)
    low, high = proportion_confint(k, n, alpha=alpha, method="wilson")
    return Binary(k, n, k / n, float(low), float(high))


def frequency(
    members: Sequence[Member],
    offences: Iterable[Offence],
    start: dt.date,
    end: dt.date,
    alpha: float = 0.05,
) -> Frequency:
    """The frequency measure: offences per member, with an exact Poisson interval.

    >>> import datetime as dt
    >>> ms = [Member(i, dt.date(2022, 1, 1)) for i in range(4)]
    >>> os = [Offence(0, dt.date(2022, 1, 2)), Offence(0, dt.date(2022, 1, 3)),
    ...       Offence(1, dt.date(2022, 1, 4))]
    >>> f = frequency(ms, os, dt.date(2022, 1, 1), dt.date(2022, 1, 31))
    >>> (f.offences, f.members, f.rate, round(f.low, 4), round(f.high, 4))
    (3, 4, 0.75, 0.1547, 2.1918)
    """
    present, counts = _counted(members, offences, start, end)
    n, c = len(present), sum(counts.values())
    if n == 0:
        return Frequency(0, 0, None, None, None)
    low = 0.0 if c == 0 else float(chi2.ppf(alpha / 2, 2 * c)) / 2
    high = float(chi2.ppf(1 - alpha / 2, 2 * c + 2)) / 2
    return Frequency(c, n, c / n, low / n, high / n)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of a YYYY-MM month.

    >>> month_bounds("2024-02")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    """
    m = Month.parse(month)
    return m.first_day, m.last_day


def monthly(
    members: Sequence[Member], offences: Iterable[Offence], first: str, last: str
) -> list[MonthFigure]:
    """Month by month: members re-offending, the cohort that month, and its offences."""
    offences = list(offences)
    out = []
    for month in month_range(first, last):
        start, end = month_bounds(month)
        present, counts = _counted(members, offences, start, end)
        out.append(MonthFigure(month, len(counts), len(present), sum(counts.values())))
    return out
