"""A clash-free meeting calendar for a partnership's groups, solved with OR-Tools CP-SAT.

Given a year, the groups with their frequencies, members, venues and preferences, English bank
holidays and declared unavailability, `plan` places every meeting so that

* no person is double-booked (meetings whose times overlap never share a member),
* no venue holds two meetings at once, and every venue is big enough for the group,
* each tasking meeting comes at least N working days after the analyst's latest data cut-off and at
  least M days after the group's previous meeting,
* a group that prepares for another (the officer working group for the strategy group) meets between
  `lead_days` before each of that group's meetings,
* optionally, meetings of two groups (usually of two partnerships: the "consecutive meetings" option
  of closer working) sit on the same day at the same venue, one straight after the other,
* pinned meetings stay where the coordinator put them.

Soft preferences (preferred weekdays and times, an even spread through each period, venues rotating
across districts) are weighted in the objective. When no calendar exists, the solver's infeasible
core is turned into plain-English reasons naming the rules that conflict.

Pure code: no Django. The `meetings` app turns registry records into these inputs.
"""

from __future__ import annotations

import datetime as dt
import time as _time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import holidays as _holidays
from ortools.sat.python import cp_model

__all__ = [
    "Frequency",
    "Venue",
    "GroupSpec",
    "Pin",
    "Rules",
    "PlannedMeeting",
    "Schedule",
    "PlanInfeasible",
    "plan",
    "working_days",
    "periods",
]

DEFAULT_TIMES = (dt.time(10, 0), dt.time(14, 0))
DEFAULT_DURATION = 120  # minutes
DEFAULT_TIME_LIMIT = 50.0  # seconds given to CP-SAT before it returns its best calendar
DEFAULT_GAP = 0.01

# Objective weights: a wrong weekday costs more than a later time; spread costs per day off target.
W_WEEKDAY = 20
W_TIME = 5
W_SPREAD = 1
W_SAME_VENUE = 8


class Frequency(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"
    QUARTERLY = "quarterly"
    SIX_MONTHLY = "six-monthly"
    ANNUAL = "annual"


@dataclass(frozen=True)
class Venue:
    id: str
    name: str
    capacity: int
    district: str = ""


@dataclass(frozen=True)
class GroupSpec:
    """A group to schedule. `members` are person ids; `venues` the venue ids it may use."""

    id: str
    name: str
    frequency: Frequency
    members: tuple[str, ...]
    venues: tuple[str, ...]
    duration: int = DEFAULT_DURATION
    times: tuple[dt.time, ...] = DEFAULT_TIMES
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    preferred_weekdays: tuple[int, ...] = ()
    tasking: bool = False
    prepares_for: str | None = None
    size: int | None = None

    @property
    def attendance(self) -> int:
        return self.size if self.size is not None else len(self.members)


@dataclass(frozen=True)
class Pin:
    """A meeting the coordinator has fixed: the `index`-th meeting (0-based) of `group`."""

    group: str
    index: int
    date: dt.date
    start: dt.time
    venue: str


@dataclass(frozen=True)
class Rules:
    """Sequencing rules and options; every default is a parameter."""

    data_cutoffs: tuple[dt.date, ...] = ()
    tasking_after_cutoff_working_days: int = 3
    tasking_min_gap_days: int = 10
    lead_days: tuple[int, int] = (7, 42)
    consecutive: tuple[tuple[str, str], ...] = ()
    unavailable: Mapping[str, frozenset[dt.date]] = field(default_factory=dict)
    pins: tuple[Pin, ...] = ()
    rotate_venues: bool = True


@dataclass(frozen=True)
class PlannedMeeting:
    group: str
    index: int
    date: dt.date
    start: dt.time
    end: dt.time
    venue: str
    pinned: bool = False


@dataclass
class Schedule:
    meetings: list[PlannedMeeting]
    status: str
    objective: float
    bound: float
    people: int
    groups: int
    variables: int
    constraints: int
    seconds: float

    def for_group(self, group: str) -> list[PlannedMeeting]:
        return [m for m in self.meetings if m.group == group]


class PlanInfeasible(ValueError):
    """No calendar satisfies the rules; `reasons` says which rules conflict, in plain words."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("No calendar meets every rule: " + "; ".join(reasons))


def working_days(start: dt.date, end: dt.date, subdiv: str = "ENG") -> list[dt.date]:
    """Weekdays in [start, end) that are not bank holidays in `subdiv` (England by default)."""
    bank = _holidays.country_holidays("GB", subdiv=subdiv, years=range(start.year, end.year + 1))
    days, day = [], start
    while day < end:
        if day.weekday() < 5 and day not in bank:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    return dt.date(day.year + m // 12, m % 12 + 1, 1)


def periods(frequency: Frequency, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The windows [from, to) holding one meeting each at this frequency, covering [start, end)."""
    out: list[tuple[dt.date, dt.date]] = []
    if frequency in (Frequency.WEEKLY, Frequency.FORTNIGHTLY):
        # Whole weeks from the first Monday of the period, so every window has every weekday.
        step = dt.timedelta(days=7 if frequency == Frequency.WEEKLY else 14)
        day = start + dt.timedelta(days=-start.weekday() % 7)
        while day + step <= end:
            out.append((day, day + step))
            day += step
        return out
    months = {
        Frequency.MONTHLY: 1,
        Frequency.BIMONTHLY: 2,
        Frequency.QUARTERLY: 3,
        Frequency.SIX_MONTHLY: 6,
        Frequency.ANNUAL: 12,
    }[frequency]
    day = dt.date(start.year, start.month, 1)
    while day < end:
        nxt = _add_months(day, months)
        out.append((max(day, start), min(nxt, end)))
        day = nxt
    return out


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


@dataclass
class _Candidate:
    meeting: int
    day: int  # index into the calendar's days
    start: int  # minutes after midnight
    venue: int
    cost: int
    var: cp_model.IntVar


# A sum of the model's variables (0 when there are none).
_Expr = cp_model.LinearExpr | int
# A meeting to place: its group, its number in the year, and the window it must fall in.
_Meeting = tuple["GroupSpec", int, tuple[dt.date, dt.date]]
_Build = tuple[
    cp_model.CpModel,
    list[_Meeting],
    dict[str, list[int]],
    list[_Candidate],
    dict[int, list[_Candidate]],
    dict[str, list[str]],
    dict[str, cp_model.IntVar],
]


def _check_inputs(groups: Sequence[GroupSpec], venues: Mapping[str, Venue], rules: Rules) -> None:
    ids = [g.id for g in groups]
    if len(set(ids)) != len(ids):
        raise ValueError(
            "Two groups share an id: " + ", ".join(sorted({i for i in ids if ids.count(i) > 1}))
        )
    known = set(ids)
    for g in groups:
        if not g.venues:
            raise ValueError(f"Group {g.name!r} has no venue to meet in")
        missing = [v for v in g.venues if v not in venues]
        if missing:
            raise ValueError(f"Group {g.name!r} names unknown venues: {', '.join(missing)}")
        if g.prepares_for and g.prepares_for not in known:
            raise ValueError(f"Group {g.name!r} prepares for an unknown group {g.prepares_for!r}")
        if not g.times or not g.weekdays:
            raise ValueError(f"Group {g.name!r} has no allowed meeting times or weekdays")
        if g.duration <= 0:
            raise ValueError(f"Group {g.name!r} has a meeting length of {g.duration} minutes")
    for a, b in rules.consecutive:
        if a not in known or b not in known:
            raise ValueError(f"Consecutive meetings name an unknown group: {a!r}, {b!r}")
    lo, hi = rules.lead_days
    if lo < 0 or hi < lo:
        raise ValueError(f"lead_days must be 0 ≤ minimum ≤ maximum, not {rules.lead_days}")


def plan(
    groups: Sequence[GroupSpec],
    venues: Iterable[Venue],
    start: dt.date,
    end: dt.date,
    rules: Rules | None = None,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
    optimise: bool = True,
    workers: int = 2,
    seed: int = 0,
) -> Schedule:
    """Place every meeting of `groups` between `start` and `end` (exclusive).

    Parameters
    ----------
    groups : the groups with frequency, members, venues, times and preferences.
    venues : the venues with their capacities.
    start, end : the planning period, usually a municipal year (1 April to 1 April).
    rules : sequencing rules, consecutive pairs, unavailability and pinned meetings.
    time_limit : seconds CP-SAT may search; the best calendar found is returned (status FEASIBLE)
        if optimality is not proven in time.
    gap : relative optimality gap at which the search stops (preferences are soft, so a calendar
        within 1% of the best is as good as the best).
    optimise : False to return the first calendar that meets every hard rule, ignoring preferences.
    workers, seed : CP-SAT search workers and random seed (same inputs and seed → same calendar
        with one worker).

    Returns
    -------
    Schedule with one PlannedMeeting per meeting, the solver status and the model's size.

    Raises
    ------
    PlanInfeasible
        When no calendar meets every hard rule; its `reasons` name the conflicting rules.

    Examples
    --------
    >>> import datetime as dt
    >>> v = Venue("hall", "Town hall", 30)
    >>> g = GroupSpec("rag", "Strategy group", Frequency.QUARTERLY, ("chair", "police"), ("hall",))
    >>> p = plan([g], [v], dt.date(2026, 4, 1), dt.date(2027, 4, 1))
    >>> [m.date.month for m in p.meetings]
    [5, 8, 11, 2]
    """
    began = _time.perf_counter()
    rules = rules or Rules()
    venue_list = list(venues)
    venue_by_id = {v.id: v for v in venue_list}
    _check_inputs(groups, venue_by_id, rules)
    venue_index = {v.id: i for i, v in enumerate(venue_list)}
    days = working_days(start, end)
    if not days:
        raise ValueError(f"There are no working days between {start} and {end}")
    day_index = {d: i for i, d in enumerate(days)}
    ordinal = [d.toordinal() for d in days]
    group_by_id = {g.id: g for g in groups}
    pins = {(p.group, p.index): p for p in rules.pins}

    # Which days a tasking meeting may not use: within N working days after a data cut-off.
    blocked_by_cutoff: set[int] = set()
    for cutoff in rules.data_cutoffs:
        first = next((i for i, d in enumerate(days) if d >= cutoff), None)
        if first is not None:
            blocked_by_cutoff.update(
                range(first, min(first + rules.tasking_after_cutoff_working_days, len(days)))
            )

    def build(explain: bool) -> _Build:
        model = cp_model.CpModel()
        meetings: list[_Meeting] = []
        by_group: dict[str, list[int]] = defaultdict(list)
        for g in groups:
            for k, window in enumerate(periods(g.frequency, start, end)):
                by_group[g.id].append(len(meetings))
                meetings.append((g, k, window))

        # Assumption literals: each names a family of hard rules; an infeasible core reads as words.
        assumptions: dict[str, cp_model.IntVar] = {}

        def rule(key: str) -> cp_model.IntVar:
            if key not in assumptions:
                assumptions[key] = model.new_bool_var(key)
            return assumptions[key]

        def hard(constraint: cp_model.Constraint, key: str) -> None:
            """Plain constraint when solving; enforced by the rule's literal when explaining."""
            if explain:
                constraint.only_enforce_if(rule(key))

        # The second group of a consecutive pair may start whenever the first one ends.
        extra_starts: dict[str, set[int]] = defaultdict(set)
        for first, second in rules.consecutive:
            ga = group_by_id[first]
            extra_starts[second].update(_minutes(t) + ga.duration for t in ga.times)

        candidates: list[_Candidate] = []
        per_meeting: dict[int, list[_Candidate]] = defaultdict(list)
        for m, (g, k, (w_from, w_to)) in enumerate(meetings):
            window_days = [
                day_index[d] for d in days if w_from <= d < w_to and d.weekday() in g.weekdays
            ]
            pin = pins.get((g.id, k))
            if pin is not None:
                if pin.venue not in venue_by_id:
                    raise ValueError(
                        f"Pinned meeting of {g.name!r} names an unknown venue {pin.venue!r}"
                    )
                if pin.date not in day_index:
                    raise ValueError(
                        f"Pinned meeting of {g.name!r} on {pin.date} is not a working day"
                    )
                options = [(day_index[pin.date], _minutes(pin.start), venue_index[pin.venue])]
            else:
                starts = sorted({_minutes(t) for t in g.times} | extra_starts[g.id])
                options = [
                    (d, s, venue_index[v])
                    for d in window_days
                    for s in starts
                    for v in g.venues
                    if venue_by_id[v].capacity >= g.attendance
                ]
            if not options:
                too_small = all(venue_by_id[v].capacity < g.attendance for v in g.venues)
                if too_small:
                    raise PlanInfeasible([f"no venue of {g.name} holds its {g.attendance} members"])
                raise PlanInfeasible(
                    [f"{g.name} has no working day it may meet on between {w_from} and {w_to}"]
                )
            mid = (window_days[0] + window_days[-1]) / 2 if window_days else 0
            for d, s, v in options:
                cost = 0
                if g.preferred_weekdays and days[d].weekday() not in g.preferred_weekdays:
                    cost += W_WEEKDAY
                preferred = [_minutes(t) for t in g.times]
                cost += W_TIME * preferred.index(s) if s in preferred else 0
                cost += int(W_SPREAD * abs(d - mid))
                c = _Candidate(m, d, s, v, cost, model.new_bool_var(f"m{m}_d{d}_s{s}_v{v}"))
                candidates.append(c)
                per_meeting[m].append(c)

        for m, (g, k, _) in enumerate(meetings):
            lits = [c.var for c in per_meeting[m]]
            model.add_exactly_one(lits)  # every meeting happens once in its window
            if (g.id, k) in pins:
                hard(model.add(sum(lits) == 1), f"pin|{g.id}|{k}")

        def day_of(m: int) -> _Expr:
            return sum(c.day * c.var for c in per_meeting[m])

        def calendar_day(m: int) -> _Expr:
            """Days since the first working day: gaps between meetings are in calendar days."""
            return sum((ordinal[c.day] - ordinal[0]) * c.var for c in per_meeting[m])

        def start_of(m: int) -> _Expr:
            return sum(c.start * c.var for c in per_meeting[m])

        def venue_of(m: int) -> _Expr:
            return sum(c.venue * c.var for c in per_meeting[m])

        # No overlap for people and venues: at every candidate start on a day, at most one meeting
        # of a person (or in a venue) is running. Checking at starts suffices for intervals.
        def no_overlap(resource_key: str, cands: list[_Candidate]) -> None:
            by_day: dict[int, list[_Candidate]] = defaultdict(list)
            for c in cands:
                by_day[c.day].append(c)
            for day_cands in by_day.values():
                if len({c.meeting for c in day_cands}) < 2:
                    continue
                for point in sorted({c.start for c in day_cands}):
                    running = [
                        c
                        for c in day_cands
                        if c.start <= point < c.start + meetings[c.meeting][0].duration
                    ]
                    if len({c.meeting for c in running}) < 2:
                        continue
                    if explain:
                        hard(model.add(sum(c.var for c in running) <= 1), resource_key)
                    else:
                        model.add_at_most_one(c.var for c in running)

        person_groups: dict[str, list[str]] = defaultdict(list)
        for g in groups:
            for p in set(g.members):
                person_groups[p].append(g.id)
        for person, gids in person_groups.items():
            cands = [c for gid in gids for m in by_group[gid] for c in per_meeting[m]]
            if len(gids) > 1:
                no_overlap(f"person|{person}", cands)
            away = rules.unavailable.get(person, frozenset())
            if away:
                lits = [c.var for c in cands if days[c.day] in away]
                if lits:
                    hard(model.add(sum(lits) == 0), f"away|{person}")
        for venue in venue_list:
            cands = [c for c in candidates if c.venue == venue_index[venue.id]]
            no_overlap(f"venue|{venue.id}", cands)

        for g in groups:
            ms = by_group[g.id]
            if g.tasking:
                lits = [c.var for m in ms for c in per_meeting[m] if c.day in blocked_by_cutoff]
                if lits:
                    hard(model.add(sum(lits) == 0), f"cutoff|{g.id}")
                for earlier, later in zip(
                    map(calendar_day, ms), map(calendar_day, ms[1:]), strict=False
                ):
                    hard(model.add(later - earlier >= rules.tasking_min_gap_days), f"gap|{g.id}")
            if g.prepares_for:
                _sequence(
                    model, g, group_by_id[g.prepares_for], by_group, calendar_day, rules, hard
                )

        for first, second in rules.consecutive:
            ga, gb = group_by_id[first], group_by_id[second]
            key = f"consecutive|{first}|{second}"
            for a, b in zip(by_group[first], by_group[second], strict=False):
                hard(model.add(day_of(a) == day_of(b)), key)
                hard(model.add(venue_of(a) == venue_of(b)), key)
                hard(model.add(start_of(b) == start_of(a) + ga.duration), key)
            if len(by_group[first]) != len(by_group[second]):
                raise PlanInfeasible(
                    [
                        f"{ga.name} and {gb.name} meet at different frequencies, "
                        "so they cannot always meet one after the other"
                    ]
                )

        objective = [c.cost * c.var for c in candidates]
        if rules.rotate_venues:
            for g in groups:
                if len(g.venues) < 2:
                    continue
                ms = by_group[g.id]
                for a, b in zip(ms, ms[1:], strict=False):
                    for venue_id in g.venues:
                        vi = venue_index[venue_id]
                        ua = sum(c.var for c in per_meeting[a] if c.venue == vi)
                        ub = sum(c.var for c in per_meeting[b] if c.venue == vi)
                        same = model.new_bool_var(f"same_{a}_{b}_{vi}")
                        model.add(same >= ua + ub - 1)
                        objective.append(W_SAME_VENUE * same)
        if optimise:
            model.minimize(sum(objective))

        return model, meetings, by_group, candidates, per_meeting, person_groups, assumptions

    model, meetings, by_group, candidates, per_meeting, person_groups, _ = build(explain=False)
    hint = _greedy(
        meetings, per_meeting, by_group, group_by_id, days, ordinal, blocked_by_cutoff, rules
    )
    for m, hinted in hint.items():
        for c in per_meeting[m]:
            model.add_hint(c.var, c is hinted)

    # The greedy calendar is the answer if the solver finds nothing better within its time: the
    # search is anytime, and a clash-free calendar matters more than the last preference point.
    greedy = hint if len(hint) == len(meetings) else None
    if greedy is not None and not _sequence_held(
        greedy, meetings, by_group, group_by_id, ordinal, rules
    ):
        greedy = None
    solver = _solver(time_limit, workers, seed, gap)
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = {m: next(c for c in per_meeting[m] if solver.value(c.var)) for m in per_meeting}
        status_name, objective = solver.status_name(status), solver.objective_value
        if (
            greedy is not None
            and optimise
            and _cost(greedy, by_group, group_by_id, rules) < objective
        ):
            chosen, status_name, objective = (
                greedy,
                "FEASIBLE",
                _cost(greedy, by_group, group_by_id, rules),
            )
    elif greedy is not None and status == cp_model.UNKNOWN:
        chosen, status_name, objective = (
            greedy,
            "FEASIBLE",
            _cost(greedy, by_group, group_by_id, rules),
        )
    elif status == cp_model.INFEASIBLE:
        # Build again with each family of rules behind a literal, and ask which ones conflict.
        explain_model, *_, assumptions = build(explain=True)
        explain_model.clear_objective()  # type: ignore[no-untyped-call]  # ortools: unannotated
        explain_model.add_assumptions(list(assumptions.values()))
        explainer = _solver(time_limit, 1, seed, gap)
        explainer.solve(explain_model)
        core = [
            explain_model.get_bool_var_from_proto_index(i).name
            for i in explainer.sufficient_assumptions_for_infeasibility()
        ]
        raise PlanInfeasible(
            _explain(core, group_by_id, rules)
            or ["the meetings do not fit in the year's working days"]
        )
    else:
        raise PlanInfeasible([f"the solver found no calendar within {time_limit:.0f} seconds"])

    pinned = set(pins)
    result = []
    for m, (g, k, _) in enumerate(meetings):
        chosen_c = chosen[m]
        begin = dt.time(chosen_c.start // 60, chosen_c.start % 60)
        finish_min = chosen_c.start + g.duration
        result.append(
            PlannedMeeting(
                group=g.id,
                index=k,
                date=days[chosen_c.day],
                start=begin,
                end=dt.time(min(finish_min // 60, 23), finish_min % 60),
                venue=venue_list[chosen_c.venue].id,
                pinned=(g.id, k) in pinned,
            )
        )
    result.sort(key=lambda p: (p.date, p.start, p.group))
    proto = model.proto
    return Schedule(
        meetings=result,
        status=status_name,
        objective=objective if optimise else 0.0,
        bound=solver.best_objective_bound if optimise and status != cp_model.UNKNOWN else 0.0,
        people=len(person_groups),
        groups=len(groups),
        variables=len(proto.variables),
        constraints=len(proto.constraints),
        seconds=_time.perf_counter() - began,
    )


def _greedy(
    meetings: list[_Meeting],
    per_meeting: Mapping[int, list[_Candidate]],
    by_group: Mapping[str, list[int]],
    group_by_id: Mapping[str, GroupSpec],
    days: Sequence[dt.date],
    ordinal: Sequence[int],
    blocked: set[int],
    rules: Rules,
) -> dict[int, _Candidate]:
    """A quick first calendar to hint the solver: meetings in date order, each at its cheapest
    candidate that breaks no rule given the meetings already placed. Meetings it cannot place
    are left to the solver."""
    busy: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)  # (who, day) → spans
    placed: dict[int, _Candidate] = {}
    index_of = {(g.id, k): m for m, (g, k, _) in enumerate(meetings)}
    second_of = dict(rules.consecutive)
    firsts = set(second_of.values())
    lo, hi = rules.lead_days
    away = {p: {i for i, d in enumerate(days) if d in ds} for p, ds in rules.unavailable.items()}
    prepared_by: dict[str, list[str]] = defaultdict(list)
    for g in group_by_id.values():
        if g.prepares_for:
            prepared_by[g.prepares_for].append(g.id)

    def free(g: GroupSpec, c: _Candidate) -> bool:
        end = c.start + g.duration
        keys = [(f"p:{p}", c.day) for p in g.members] + [(f"v:{c.venue}", c.day)]
        if any(c.day in away.get(p, ()) for p in g.members):
            return False
        return all(not (s < end and c.start < e) for key in keys for s, e in busy[key])

    def take(g: GroupSpec, c: _Candidate) -> None:
        for key in [(f"p:{p}", c.day) for p in g.members] + [(f"v:{c.venue}", c.day)]:
            busy[key].append((c.start, c.start + g.duration))
        placed[c.meeting] = c

    def fits(m: int, g: GroupSpec, k: int, c: _Candidate) -> bool:
        if g.tasking:
            if c.day in blocked:
                return False
            prev = placed.get(index_of.get((g.id, k - 1), -1))
            if prev is not None and ordinal[c.day] - ordinal[prev.day] < rules.tasking_min_gap_days:
                return False
        if g.prepares_for:
            # Prefer days that prepare an uncovered meeting of the group this one prepares for.
            pass
        return free(g, c)

    # Groups that others prepare for go first, so their preparers can be placed before them.
    order = sorted(
        range(len(meetings)),
        key=lambda m: (
            meetings[m][0].id not in prepared_by,
            meetings[m][2][0],
            len(per_meeting[m]),
        ),
    )
    for m in order:
        g, k, _ = meetings[m]
        if m in placed or g.id in firsts:
            continue  # the second of a consecutive pair is placed with the first
        prev = placed.get(index_of.get((g.id, k - 1), -1))
        rotate = rules.rotate_venues and prev is not None and len(g.venues) > 1
        prev_venue = prev.venue if prev is not None else None
        options = sorted(
            per_meeting[m],
            key=lambda c: c.cost + (W_SAME_VENUE if rotate and c.venue == prev_venue else 0),
        )
        if g.prepares_for:
            targets = [placed.get(t) for t in by_group[g.prepares_for]]
            wanted = [
                c
                for c in options
                if any(
                    t is not None and lo <= ordinal[t.day] - ordinal[c.day] <= hi for t in targets
                )
            ]
            options = wanted + [c for c in options if c not in wanted]
        partner = second_of.get(g.id)
        for c in options:
            if not fits(m, g, k, c):
                continue
            if partner:
                pm = index_of.get((partner, k))
                pg = group_by_id[partner]
                if pm is None:
                    continue  # the partner group has no k-th meeting to place with it
                match = next(
                    (
                        pc
                        for pc in per_meeting.get(pm, [])
                        if pc.day == c.day
                        and pc.venue == c.venue
                        and pc.start == c.start + g.duration
                    ),
                    None,
                )
                if match is None or not fits(pm, pg, k, match):
                    continue
                take(g, c)
                take(pg, match)
            else:
                take(g, c)
            break
    return placed


def _sequence_held(
    placed: Mapping[int, _Candidate],
    meetings: list[_Meeting],
    by_group: Mapping[str, list[int]],
    groups: Mapping[str, GroupSpec],
    ordinal: Sequence[int],
    rules: Rules,
) -> bool:
    """Does every meeting of a prepared-for group have a preparing meeting lead_days before?"""
    lo, hi = rules.lead_days
    for g in groups.values():
        if not g.prepares_for:
            continue
        preps = [ordinal[placed[o].day] for o in by_group[g.id]]
        for t in by_group[g.prepares_for]:
            day = ordinal[placed[t].day]
            if not any(lo <= day - p <= hi for p in preps):
                return False
    return True


def _cost(
    placed: Mapping[int, _Candidate],
    by_group: Mapping[str, list[int]],
    groups: Mapping[str, GroupSpec],
    rules: Rules,
) -> float:
    """The objective of a complete calendar, as the model counts it."""
    total = sum(c.cost for c in placed.values())
    if rules.rotate_venues:
        for gid, ms in by_group.items():
            if len(groups[gid].venues) < 2:
                continue
            total += W_SAME_VENUE * sum(
                placed[a].venue == placed[b].venue for a, b in zip(ms, ms[1:], strict=False)
            )
    return float(total)


def _solver(time_limit: float, workers: int, seed: int, gap: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_search_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.relative_gap_limit = gap
    return solver


def _sequence(
    model: cp_model.CpModel,
    owg: GroupSpec,
    target: GroupSpec,
    by_group: Mapping[str, list[int]],
    calendar_day: Callable[[int], _Expr],
    rules: Rules,
    hard: Callable[[cp_model.Constraint, str], None],
) -> None:
    """Each meeting of `target` has a meeting of `owg` between lead_days before it."""
    lo, hi = rules.lead_days
    key = f"sequence|{owg.id}|{target.id}"
    for t in by_group[target.id]:
        pairs = []
        for o in by_group[owg.id]:
            b = model.new_bool_var(f"prep_{o}_{t}")
            pairs.append(b)
            gap = calendar_day(t) - calendar_day(o)
            model.add(gap >= lo).only_enforce_if(b)
            model.add(gap <= hi).only_enforce_if(b)
        hard(model.add_bool_or(pairs), key)


def _explain(core: list[str], groups: Mapping[str, GroupSpec], rules: Rules) -> list[str]:
    """Plain-English reasons for the conflicting rule families named in an infeasible core."""
    lo, hi = rules.lead_days
    reasons = []
    name = {gid: g.name for gid, g in groups.items()}
    cutoff_days = rules.tasking_after_cutoff_working_days
    for key in core:
        kind, *parts = key.split("|")
        who = name.get(parts[0], parts[0])
        if kind == "person":
            reasons.append(
                f"{parts[0]} sits on groups whose meetings cannot all be held at different times"
            )
        elif kind == "venue":
            reasons.append(f"venue {parts[0]} cannot hold all the meetings that need it")
        elif kind == "away":
            reasons.append(
                f"{parts[0]} is unavailable on the only days some of their meetings can be held"
            )
        elif kind == "cutoff":
            reasons.append(
                f"{who} must meet at least {cutoff_days} working days after each data cut-off"
            )
        elif kind == "gap":
            reasons.append(
                f"{who} must leave at least {rules.tasking_min_gap_days} days between meetings"
            )
        elif kind == "sequence":
            reasons.append(
                f"{who} must meet {lo} to {hi} days before each meeting of {name[parts[1]]}"
            )
        elif kind == "consecutive":
            reasons.append(
                f"{who} and {name[parts[1]]} must meet one after the other at the same venue"
            )
        elif kind == "pin":
            reasons.append(
                f"meeting {int(parts[1]) + 1} of {who} is pinned to a date that conflicts"
            )
    return sorted(set(reasons))
