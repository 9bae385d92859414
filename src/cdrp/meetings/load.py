"""Meeting load: the hours a year each organisation and person spends in a structure's meetings,
and the difference between two structures (e.g. three district partnerships and their merger).

Load counts a seat-holder once per meeting of each group they sit on: meetings a year from the
group's frequency (Group.MEETINGS_PER_YEAR) times the group's usual meeting length.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from cdrp.partnerships.models import Group, Membership, Partnership

__all__ = ["Load", "structure_load", "compare_load"]


@dataclass(frozen=True)
class Load:
    meetings: int
    hours: Decimal


def structure_load(
    partnerships: Iterable[Partnership], on: dt.date | None = None
) -> dict[str, Load]:
    """Organisation name → meetings and hours a year of the seat-holders on `on`, summed over
    the partnerships' groups (a person on two groups counts for both)."""
    meetings: dict[str, int] = defaultdict(int)
    hours: dict[str, Decimal] = defaultdict(Decimal)
    memberships = Membership.objects.filter(seat__group__partnership__in=list(partnerships))
    if on is not None:
        memberships = Membership.objects.current(on).filter(pk__in=memberships.values("pk"))
    for m in memberships.select_related(
        "seat__group", "seat__organisation", "person__organisation"
    ):
        group: Group = m.seat.group
        per_year = Group.MEETINGS_PER_YEAR.get(group.meeting_frequency, 0)
        org = m.seat.organisation or m.person.organisation
        name = org.name if org else "No organisation recorded"
        meetings[name] += per_year
        hours[name] += per_year * group.meeting_hours
    return {name: Load(meetings[name], hours[name]) for name in meetings}


def compare_load(before: Iterable[Partnership], after: Iterable[Partnership]) -> list[dict]:
    """Rows per organisation: load in `before`, in `after`, and the hours saved (positive) or
    added (negative); sorted by hours saved, largest first."""
    a, b = structure_load(before), structure_load(after)
    rows = []
    for name in sorted(set(a) | set(b)):
        x, y = a.get(name, Load(0, Decimal(0))), b.get(name, Load(0, Decimal(0)))
        rows.append(
            {
                "organisation": name,
                "before_meetings": x.meetings,
                "before_hours": x.hours,
                "after_meetings": y.meetings,
                "after_hours": y.hours,
                "saved_hours": x.hours - y.hours,
            }
        )
    return sorted(rows, key=lambda r: (-r["saved_hours"], r["organisation"]))
