"""Meetings on the registry: decisions voted at them, and the meeting planner.

`record_decision` counts a meeting's ballots one vote per council area or agency
(`cdrp.analysis.voting`) and records the decision; `decide` does so at a group's meeting on a
date, holding it if it was not yet recorded; `strategy_decisions` are the carried decisions that
may approve a plan or a spend.

The planner: groups, members and venues become a calendar.

`planner_inputs` turns a partnership's groups (frequency, length, kind, reporting line, district),
the people holding seats during the year and the partnership's venues into the pure planner's
inputs (`cdrp.analysis.planner`); `plan_year` solves them; `calendar_ics` writes an iCalendar file
whose event UIDs depend on the group and the meeting's place in the year, not on its date, so a
re-planned meeting moves in people's calendars instead of appearing twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from icalendar import Calendar, Event

from cdrp.accounts.policy import may_change_action
from cdrp.analysis.errors import RefusedInput
from cdrp.analysis.planner import Frequency, GroupSpec, Pin, Rules, Schedule, Venue, plan
from cdrp.analysis.voting import VotingError, count_votes
from cdrp.meetings import agenda
from cdrp.meetings.locks import check_approvable
from cdrp.meetings.models import (
    Action,
    Attendance,
    Booking,
    Decision,
    Meeting,
    Minutes,
    MinutesAmendment,
    MinutesLocked,
    Vote,
    refuse_if_locked,
)
from cdrp.meetings.models import Venue as VenueRecord
from cdrp.meetings.restricted import may_read
from cdrp.partnerships.models import Group, Membership, Partnership, Person, Seat

__all__ = [
    "record_decision",
    "decide",
    "MinutesRefused",
    "approve_minutes",
    "amend_minutes",
    "amending_decisions",
    "strategy_kind",
    "strategy_decisions",
    "PlannerInputs",
    "planner_inputs",
    "plan_year",
    "calendar_ics",
    "meetings_ics",
    "municipal_year",
]

# Decisions -------------------------------------------------------------------------------------


def _voting_seat(group: Group, person: Person, on: dt.date) -> Seat | None:
    for m in (
        Membership.objects.current(on)
        .filter(seat__group=group, person=person, seat__voting=True)
        .select_related("seat", "seat__organisation", "seat__council_area")
    ):
        if m.seat.may_vote_on(on):  # a seat held for a body that had ended has no vote
            return m.seat
    return None


@transaction.atomic
def record_decision(
    meeting: Meeting,
    motion: str,
    ballots: Iterable[tuple[Person, str]],
    present: Iterable[Person] | None = None,
    casting_vote: str | None = None,
) -> Decision:
    """Count `ballots` one vote per council area or agency and record the decision.

    `present` lists who attended (default: the voters); people without a voting seat on the
    meeting's group are not counted towards the quorum, and may not vote. Everyone present is
    recorded in the meeting's attendance (so the minutes and the decision agree). At a meeting
    without its quorum nothing is carried: a majority for is recorded "for ratification".
    Refused (MinutesLocked) once the meeting's minutes are approved.
    """
    refuse_if_locked({meeting.pk}, "motion")
    group = meeting.group
    ballots = list(ballots)
    people = {p.pk: p for p in [*(present or []), *(p for p, _ in ballots)]}
    seats = {pk: _voting_seat(group, p, meeting.date) for pk, p in people.items()}
    for person, _ in ballots:
        if seats[person.pk] is None:
            raise ValidationError(
                f"{person} has no voting seat on {group} on {meeting.date:%-d %B %Y} (or holds "
                "one for a body that did not exist then), so cannot vote."
            )
    bodies = group.voting_bodies(meeting.date)
    label_of = {key: label for key, label in bodies.items()}
    # Count with people's names and bodies' labels so the errors read plainly.
    name_of, taken = {}, set()
    for pk, p in people.items():
        name = p.name if p.name not in taken else f"{p.name} ({p.slug})"
        taken.add(name)
        name_of[pk] = name
    person_by_name = {name: people[pk] for pk, name in name_of.items()}
    key_by_label = {label: key for key, label in label_of.items()}
    present_map = {name_of[pk]: label_of[seat.body_key] for pk, seat in seats.items() if seat}
    chair = group.chair(meeting.date)
    try:
        count = count_votes(
            label_of.values(),
            present_map,
            [(name_of[p.pk], choice) for p, choice in ballots],
            quorum=group.quorum,
            chair=name_of.get(chair.pk) if chair else None,
            chair_casting_vote=group.chair_casting_vote,
            casting_choice=casting_vote or None,
        )
    except VotingError as exc:
        raise ValidationError(str(exc)) from None
    _record_presence(meeting, people, seats)
    decision = Decision(
        meeting=meeting,
        motion=motion,
        result=_result(count.outcome.value, count.votes_for, count.votes_against, meeting),
        votes_for=count.votes_for,
        votes_against=count.votes_against,
        abstentions=count.abstentions,
        bodies_present=count.bodies_present,
        quorum=count.quorum,
        casting_vote=count.casting_vote.value if count.casting_vote else "",
    )
    decision.save()
    for bv in count.by_body:
        vote = Vote(
            decision=decision, body_key=key_by_label[bv.body], body=bv.body, choice=bv.choice
        )
        vote.save()
        vote.cast_by.set([person_by_name[name] for name in bv.cast_by])
    return decision


def _record_presence(meeting: Meeting, people: dict, seats: dict) -> None:
    """Record everyone present at the vote as present at the meeting (in the seat they vote
    from), unless already recorded; someone recorded as absent or sending apologies is refused,
    as the two records would disagree."""
    for pk, seat in seats.items():
        if seat is None:
            continue
        recorded = Attendance.objects.filter(meeting=meeting, seat=seat, person_id=pk).first()
        if recorded is None:
            Attendance(
                meeting=meeting, seat=seat, person=people[pk], status=Attendance.Status.PRESENT
            ).save()
        elif recorded.status not in (Attendance.Status.PRESENT, Attendance.Status.SUBSTITUTE):
            raise ValidationError(
                f"{people[pk]} is recorded as “{recorded.get_status_display()}” at this meeting, "
                "so cannot be present at its vote: correct the attendance first."
            )


def _result(outcome: str, votes_for: int, votes_against: int, meeting: Meeting) -> str:
    """A decision's result: never carried at a meeting that is not quorate (by its attendance);
    a majority for there is recorded for ratification at a quorate meeting."""
    if outcome == Decision.Result.CARRIED and not agenda.quorum(meeting).quorate:
        outcome = Decision.Result.INQUORATE
    if outcome == Decision.Result.INQUORATE and votes_for > votes_against:
        return Decision.Result.RATIFY
    return outcome


@transaction.atomic
def decide(
    group: Group,
    on: dt.date,
    motion: str,
    ballots: Iterable[tuple[Person, str]],
    present: Iterable[Person] | None = None,
    casting_vote: str | None = None,
) -> Decision:
    """Record a decision at `group`'s meeting on `on` (the meeting is recorded as held if it was
    not recorded yet), as `record_decision` counts it; all or nothing. Refused on a date when
    the group held a meeting whose minutes are approved (even if another was arranged that day)."""
    refuse_if_locked(
        Meeting.objects.filter(group=group, date=on).values_list("pk", flat=True), "date"
    )
    meeting = Meeting.objects.filter(group=group, date=on).first()
    if meeting is None:
        meeting = Meeting(group=group, date=on, status=Meeting.Status.HELD)
        meeting.save()
    return record_decision(meeting, motion, ballots, present=present, casting_vote=casting_vote)


# Minutes: approval and amendment --------------------------------------------------------------


class MinutesRefused(MinutesLocked):
    """Minutes that cannot be approved or amended as asked; `missing` lists each (field,
    message) when several things are missing."""

    def __init__(self, field: str, message: str, missing: list[tuple[str, str]] | None = None):
        super().__init__(field, message)
        self.missing = missing or [(field, message)]


@transaction.atomic
def approve_minutes(meeting: Meeting, on: dt.date | None = None) -> Minutes:
    """The chair approves the minutes: they need their text and the meeting's attendance (at
    least one person present or substituting), and the meeting must have taken place. From then
    on the minutes, attendance, decisions and votes are fixed (cdrp.meetings.locks)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    record = Minutes.objects.filter(meeting=meeting).first()
    if record is not None and record.approved:
        raise MinutesRefused("", f"The minutes of {meeting} are already approved.")
    today = on or dt.date.today()
    missing = []
    if meeting.date > today:
        missing.append(
            (
                "date",
                f"The meeting is on {meeting.date:%-d %B %Y}: its minutes can be approved only "
                "after it has taken place",
            )
        )
    missing += check_approvable(meeting.pk, record.text if record else "")
    if missing:
        raise MinutesRefused(
            missing[0][0],
            "The minutes cannot be approved: "
            + "; ".join(m[0].lower() + m[1:] for _, m in missing)
            + ".",
            missing,
        )
    if record is None:  # no text: check_approvable has refused it already
        raise MinutesRefused("text", "The minutes have no text yet.")
    if meeting.status != Meeting.Status.HELD:
        meeting.status = Meeting.Status.HELD
        meeting.save()
    record.approved = True
    record.save()
    return record


def amending_decisions(meeting: Meeting):
    """Carried decisions of later meetings of the same group, not yet used for an amendment:
    those that may amend `meeting`'s approved minutes."""
    return (
        Decision.objects.filter(
            meeting__group=meeting.group,
            meeting__date__gt=meeting.date,
            result=Decision.Result.CARRIED,
        )
        .exclude(minutes_amendments__isnull=False)
        .select_related("meeting", "meeting__group")
        .order_by("-meeting__date", "-pk")
    )


@transaction.atomic
def amend_minutes(meeting: Meeting, text: str, reason: str, decision: Decision) -> MinutesAmendment:
    """Correct approved minutes: a new version with its reason, agreed by `decision`, a carried
    decision of a later meeting of the same group. The earlier versions stay as they were."""
    record = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if record is None or not record.approved:
        raise MinutesRefused(
            "", "Only approved minutes are amended: until then the clerk edits them"
        )
    missing = []
    if not (text or "").strip():
        missing.append(("text", "Enter the amended minutes"))
    if not (reason or "").strip():
        missing.append(("reason", "Enter the reason for the amendment, as the meeting agreed it"))
    if decision is None:
        missing.append(
            ("decision", "Choose the decision of a later meeting that agreed the amendment")
        )
    elif not amending_decisions(meeting).filter(pk=decision.pk).exists():
        missing.append(
            (
                "decision",
                f"“{decision.motion[:80]}” cannot amend these minutes: the amendment must be a "
                f"carried decision of a later meeting of {meeting.group}, not used before",
            )
        )
    if missing:
        raise MinutesRefused(missing[0][0], "; ".join(m for _, m in missing), missing)
    if text.strip() == record.current_text.strip():
        raise MinutesRefused("text", "The amended minutes are the same as the current version")
    number = 1 + max([1, *record.amendments.values_list("number", flat=True)])
    amendment = MinutesAmendment(
        minutes=record, number=number, text=text.strip(), reason=reason.strip(), decision=decision
    )
    amendment.save()
    return amendment


def strategy_kind(partnership: Partnership) -> str:
    """The kind of group that decides for `partnership`: its county strategy group for a county."""
    if partnership.level == Partnership.Level.COUNTY:
        return Group.Kind.COUNTY_STRATEGY
    return Group.Kind.STRATEGY


def strategy_decisions(partnership: Partnership):
    """Carried decisions of the partnership's strategy group (its county strategy group for a
    county), newest first: the decisions that may approve a plan revision or a spend."""
    return (
        Decision.objects.filter(
            meeting__group__partnership=partnership,
            meeting__group__kind=strategy_kind(partnership),
            result=Decision.Result.CARRIED,
        )
        .select_related("meeting", "meeting__group")
        .order_by("-meeting__date", "-pk")
    )


# The meeting planner ---------------------------------------------------------------------------

FREQUENCY = {
    "weekly": Frequency.WEEKLY,
    "fortnightly": Frequency.FORTNIGHTLY,
    "monthly": Frequency.MONTHLY,
    "bimonthly": Frequency.BIMONTHLY,
    "quarterly": Frequency.QUARTERLY,
    "half_yearly": Frequency.SIX_MONTHLY,
    "annually": Frequency.ANNUAL,
}
DAY_TIMES = (dt.time(10, 0), dt.time(14, 0))
EVENING_TIMES = (dt.time(18, 30),)
# police.uk publishes a month's records during the following month; the analyst's cut-off is a
# parameter, this is only the default day of the month.
DEFAULT_CUTOFF_DAY = 20
LONDON = ZoneInfo("Europe/London")


def municipal_year(year: int) -> tuple[dt.date, dt.date]:
    """1 April `year` to 1 April `year + 1`: the year partnerships plan their meetings in."""
    return dt.date(year, 4, 1), dt.date(year + 1, 4, 1)


@dataclass
class PlannerInputs:
    groups: list[GroupSpec]
    venues: list[Venue]
    rules: Rules
    start: dt.date
    end: dt.date
    names: dict[str, str]  # person and venue ids → names, for pages and calendars


def planner_inputs(
    partnership: Partnership, year: int, cutoff_day: int = DEFAULT_CUTOFF_DAY
) -> PlannerInputs:
    """The planner's view of a partnership's year. Groups that meet "as required" are left out."""
    start, end = municipal_year(year)
    venues = list(VenueRecord.objects.filter(partnership=partnership).select_related("district"))
    if not venues:
        raise ValueError(f"{partnership.name} has no venues: add at least one before planning")
    names = {f"venue:{v.pk}": v.name for v in venues}
    active = Q(start__isnull=True) | Q(start__lt=end)
    current = Q(end__isnull=True) | Q(end__gte=start)
    members: dict[int, set[str]] = {}
    for m in Membership.objects.filter(
        active & current, seat__group__partnership=partnership
    ).select_related("person"):
        members.setdefault(m.seat.group_id, set()).add(m.person.slug)
        names[m.person.slug] = m.person.name
    specs = []
    groups = list(Group.objects.filter(partnership=partnership).select_related("reports_to"))
    planned = {g.pk for g in groups if g.meeting_frequency in FREQUENCY}
    for g in groups:
        if g.pk not in planned:
            continue
        evening = g.kind == Group.Kind.ENGAGEMENT
        usable = [
            v
            for v in venues
            if (g.district_id is None or v.district_id in (None, g.district_id))
            and (v.evening or not evening)
        ]
        prepares = (
            str(g.reports_to_id)
            if g.kind == Group.Kind.OFFICER
            and g.reports_to_id in planned
            and g.reports_to is not None
            and g.reports_to.kind in (Group.Kind.STRATEGY, Group.Kind.COUNTY_STRATEGY)
            else None
        )
        specs.append(
            GroupSpec(
                id=str(g.pk),
                name=g.name,
                frequency=FREQUENCY[g.meeting_frequency],
                members=tuple(sorted(members.get(g.pk, ()))),
                venues=tuple(f"venue:{v.pk}" for v in usable),
                duration=int(float(g.meeting_hours) * 60),
                times=EVENING_TIMES if evening else DAY_TIMES,
                tasking=g.kind == Group.Kind.TASKING,
                prepares_for=prepares,
                size=max(len(members.get(g.pk, ())), 2),
            )
        )
        names[str(g.pk)] = g.name
    cutoffs = []
    month = dt.date(start.year, start.month, 1)
    while month < end:
        cutoffs.append(month.replace(day=min(cutoff_day, 28)))
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    rules = Rules(data_cutoffs=tuple(cutoffs))
    planner_venues = [
        Venue(f"venue:{v.pk}", v.name, v.capacity, v.district.code if v.district else "")
        for v in venues
    ]
    return PlannerInputs(specs, planner_venues, rules, start, end, names)


def plan_year(
    partnership: Partnership, year: int, time_limit: float = 10.0, rules: Rules | None = None
) -> tuple[Schedule, PlannerInputs]:
    """Plan a municipal year; `rules` replaces the defaults (e.g. to pin meetings)."""
    inputs = planner_inputs(partnership, year)
    if rules is not None:
        inputs.rules = rules
    else:
        inputs.rules = dataclasses.replace(inputs.rules, pins=pinned(partnership, year))
    result = plan(
        inputs.groups, inputs.venues, inputs.start, inputs.end, inputs.rules, time_limit=time_limit
    )
    return result, inputs


def calendar_ics(
    partnership: Partnership, result: Schedule, inputs: PlannerInputs, person: str | None = None
) -> bytes:
    """iCalendar of a planned year (all meetings, or one person's); UIDs stable across re-plans."""
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", "-//cdrp//meeting planner//EN")
    cal.add("version", "2.0")
    cal.add(
        "x-wr-calname",
        f"{partnership.name} meetings {inputs.start.year}/{inputs.end.year % 100:02d}",
    )
    members = {g.id: set(g.members) for g in inputs.groups}
    for m in result.meetings:
        if person and person not in members[m.group]:
            continue
        event = Event()
        event.add("uid", f"{partnership.slug}-{m.group}-{inputs.start.year}-{m.index}@cdrp")
        event.add("summary", inputs.names.get(m.group, m.group))
        event.add("dtstart", dt.datetime.combine(m.date, m.start, tzinfo=LONDON))
        event.add("dtend", dt.datetime.combine(m.date, m.end, tzinfo=LONDON))
        event.add("location", inputs.names.get(m.venue, m.venue))
        event.add("dtstamp", stamp)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def meetings_ics(name: str, meetings) -> bytes:
    """iCalendar of recorded meetings. A meeting with its start time is a timed event in UK time
    (DTSTART with TZID Europe/London, lasting its group's usual length); one without is an
    all-day event. The venue is its LOCATION, the webcast its URL. The UID is the meeting's
    record id, so a meeting moved to another date moves in calendars."""
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", "-//cdrp//meetings//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    timed = False
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@cdrp")
        event.add("summary", f"{meeting.group.name} ({meeting.group.partnership.name})")
        if meeting.start_time is not None:
            start = dt.datetime.combine(meeting.date, meeting.start_time, tzinfo=LONDON)
            hours = float(meeting.group.meeting_hours or 2)
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(minutes=round(hours * 60)))
            timed = True
        else:
            event.add("dtstart", meeting.date)
            event.add("dtend", meeting.date + dt.timedelta(days=1))
        if meeting.venue:
            event.add("location", meeting.venue)
        if meeting.webcast_link:
            event.add("url", meeting.webcast_link)
        event.add("dtstamp", stamp)
        event.add("sequence", meeting.version)
        cal.add_component(event)
    if timed:
        cal.add_missing_timezones()
    return cal.to_ical()


def _plan_key(group_id: str, year: int, index: int) -> str:
    return f"{group_id}-{year}-{index}"


def pinned(partnership: Partnership, year: int) -> tuple[Pin, ...]:
    """Meetings the coordinator pinned in this municipal year: the planner keeps them."""
    pins = []
    for b in Booking.objects.filter(
        pinned=True, meeting__group__partnership=partnership, plan_key__contains=f"-{year}-"
    ).select_related("meeting"):
        group, _, index = b.plan_key.rsplit("-", 2)
        if b.venue_id is None:
            continue
        pins.append(Pin(group, int(index), b.meeting.date, b.start, f"venue:{b.venue_id}"))
    return tuple(pins)


@transaction.atomic
def save_plan(partnership: Partnership, year: int, result: Schedule) -> dict[str, int]:
    """Write a planned year as meetings with their bookings. A meeting planned before moves to
    its new date (same record, so calendars move it); pinned, held or past meetings stay."""
    today = dt.date.today()
    made = moved = kept = 0
    for m in result.meetings:
        key = _plan_key(m.group, year, m.index)
        venue_id = int(m.venue.split(":", 1)[1])
        booking = Booking.objects.filter(plan_key=key).select_related("meeting").first()
        if booking is None:
            meeting = Meeting(group_id=int(m.group), date=m.date)
            meeting.save()
            Booking(
                meeting=meeting, start=m.start, end=m.end, venue_id=venue_id, plan_key=key
            ).save()
            made += 1
            continue
        meeting = booking.meeting
        if booking.pinned or meeting.status != Meeting.Status.PLANNED or meeting.date < today:
            kept += 1
            continue
        if (meeting.date, booking.start, booking.venue_id) != (m.date, m.start, venue_id):
            meeting.date = m.date
            meeting.save()
            booking.start, booking.end, booking.venue_id = m.start, m.end, venue_id
            booking.save()
            moved += 1
        else:
            kept += 1
    return {"created": made, "moved": moved, "kept": kept}


# Actions: updated and closed by their owners ----------------------------------------------------

__all__ += ["ActionRefused", "update_action", "close_action", "group_accounts"]


class ActionRefused(RefusedInput, ValidationError):  # type: ignore[misc]  # both keep `message`
    """An update or closing of an action that was refused before anything was written."""

    def __init__(self, field: str, message: str) -> None:
        RefusedInput.__init__(self, field, message)
        ValidationError.__init__(self, message, code="refused")

    def __str__(self) -> str:
        return self.message


def _check_action(action: Action, by) -> None:
    if not may_change_action(by, action) or not may_read(by, action):
        raise PermissionDenied("You may not change this action")
    if action.status != Action.Status.OPEN:
        raise ActionRefused("status", "This action is already closed")


@transaction.atomic
def update_action(action: Action, by, note: str) -> Action:
    """Record progress on an open action (its owner, or a clerk): the note replaces the last
    one. Audited like every save of an action."""
    _check_action(action, by)
    if not note.strip():
        raise ActionRefused("note", "Say what has been done so far")
    action.outcome = note.strip()
    action.save()
    return action


@transaction.atomic
def close_action(
    action: Action,
    by,
    note: str,
    dropped: bool = False,
    on: dt.date | None = None,
    meeting: Meeting | None = None,
) -> Action:
    """Close an open action with a note of what was done (or why it was dropped), and the
    meeting whose minutes record it closed (or none: closed between meetings). The one way
    every page closes an action (the action tracker's close page, the dashboard). Its owner
    may, through their own account, as may those who minute the partnership's meetings
    (`cdrp.accounts.policy.may_change_action`); anyone else is refused (PermissionDenied).
    The meeting must be one of the partnership's that `by` may read, held by `on`."""
    _check_action(action, by)
    on = on or dt.date.today()
    if not note.strip():
        raise ActionRefused("note", "Say what was done, or why the action is dropped")
    if meeting is not None:
        if meeting.group.partnership_id != action.partnership_id or not may_read(by, meeting):
            raise ActionRefused("meeting", "Choose a meeting of this partnership")
        if meeting.date > on:
            raise ActionRefused(
                "meeting", f"The meeting of {meeting.date:%-d %B %Y} has not been held yet"
            )
    return agenda.close_action(action, note, on, dropped, meeting=meeting)


def group_accounts(group: Group, on: dt.date | None = None) -> list:
    """The sign-in accounts of the people holding a seat on `group` on `on` (default today)."""
    return [
        m.person.account
        for m in group.current_memberships(on)
        .filter(person__account__isnull=False)
        .select_related("person__account")
    ]


__all__ += ["approver_accounts"]


def approver_accounts(partnership: Partnership) -> list:
    """Who is asked when a record awaits the strategy group's approval: the accounts of the
    people on the partnership's strategy group today, and its users with the chair's role."""
    from cdrp.accounts.models import PartnershipRole
    from cdrp.accounts.policy import Role

    users = [
        r.user
        for r in PartnershipRole.objects.filter(
            partnership=partnership, role=Role.CHAIR
        ).select_related("user")
    ]
    for group in partnership.groups.filter(kind=Group.Kind.STRATEGY):
        users += group_accounts(group)
    return users
