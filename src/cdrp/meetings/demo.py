"""Demo venues for Lancashire South (each district's civic offices and police station), the
carried decisions the other demos need (a strategy group approving an assessment, a plan, a
spend), and, once every demo is loaded (`finish`), the minutes of the demo's past meetings:
written, approved as a chair would (with their attendance, recorded with each vote), and one
amended at a later meeting, as the minutes of a real partnership are; and every demo meeting's
start time and venue, as a partnership's diary would have them (`time_and_place`)."""

from __future__ import annotations

import datetime as dt

from cdrp.meetings.agenda import arrange_meeting, quorum, save_minutes
from cdrp.meetings.models import (
    Booking,
    Decision,
    Meeting,
    Minutes,
    Venue,
    approved_meeting_ids,
)
from cdrp.meetings.services import amend_minutes, approve_minutes, record_decision
from cdrp.partnerships.models import Area, Group, Partnership, Person

VENUES = [
    # name, district code, capacity
    ("Chorley Town Hall", "E07000118", 40),
    ("Chorley police station meeting room", "E07000118", 14),
    ("South Ribble Civic Centre, Leyland", "E07000126", 40),
    ("Leyland police station meeting room", "E07000126", 14),
    ("West Lancashire council offices, Ormskirk", "E07000127", 40),
    ("Skelmersdale police station meeting room", "E07000127", 14),
]


# Where and when the demo's groups meet (illustrative, in the way of real partnerships): the
# partnership-wide groups in the afternoon or morning at a council's offices, taking each
# district in turn; tasking and offender groups in the morning at the district's police station;
# community meetings in the evening in a library's community room, near the people they serve.
CIVIC = {
    "E07000118": "Council Chamber, Chorley Town Hall, Market Street, Chorley PR7 1DP",
    "E07000126": "Shield Room, South Ribble Civic Centre, West Paddock, Leyland PR25 1DH",
    "E07000127": "Council Chamber, West Lancashire Borough Council, 52 Derby Street, "
    "Ormskirk L39 2DF",
}
POLICE = {
    "E07000118": "Meeting room, Chorley police station, St Thomas's Road, Chorley",
    "E07000126": "Meeting room, Leyland police station, Leyland",
    "E07000127": "Meeting room, Skelmersdale police station, Southway, Skelmersdale",
}
COMMUNITY = {
    "E07000118": "Community room, Chorley Library, Union Street, Chorley",
    "E07000126": "Community room, Leyland Library, Leyland",
    "E07000127": "Community room, Ormskirk Library, Burscough Street, Ormskirk",
}
# Group kind: (start time, which venues)
WHEN_WHERE: dict[str, tuple[dt.time, dict[str, str]]] = {
    Group.Kind.STRATEGY: (dt.time(14, 0), CIVIC),
    Group.Kind.COUNTY_STRATEGY: (dt.time(14, 0), CIVIC),
    Group.Kind.OFFICER: (dt.time(10, 0), CIVIC),
    Group.Kind.THEMATIC: (dt.time(10, 30), CIVIC),
    Group.Kind.DOMESTIC_ABUSE: (dt.time(10, 0), CIVIC),
    Group.Kind.TASKING: (dt.time(9, 30), POLICE),
    Group.Kind.PPO: (dt.time(13, 30), POLICE),
    Group.Kind.ENGAGEMENT: (dt.time(18, 30), COMMUNITY),
}


def time_and_place(group: Group, on: dt.date) -> tuple[dt.time, str]:
    """When and where a demo meeting of `group` on `on` is held: the group's own district's
    venue, or (a partnership-wide group) each district's in turn, month by month. A public
    meeting of any group is in the evening, when residents can come."""
    start, venues = WHEN_WHERE.get(group.kind, (dt.time(10, 0), CIVIC))
    district = getattr(group, "district", None)
    code = getattr(district, "code", district) if district else None
    if code not in venues:
        codes = sorted(venues)
        code = codes[on.month % len(codes)]
    return start, venues[code]


def _time_and_place_all() -> int:
    """Give every demo meeting with no start time or venue the demo's (a booked meeting keeps
    its booking's time and room)."""
    changed = 0
    meetings = Meeting.objects.filter(group__partnership__slug="lancashire-south")
    locked = approved_meeting_ids(meetings.values_list("pk", flat=True))
    for meeting in meetings.exclude(pk__in=locked).select_related("group", "group__district"):
        if meeting.start_time and meeting.venue:
            continue
        booking = Booking.objects.filter(meeting=meeting).select_related("venue").first()
        if booking is not None and booking.venue is not None:
            start, venue = booking.start, booking.venue.name
        else:
            start, venue = time_and_place(meeting.group, meeting.date)
            if meeting.public and start < dt.time(17, 0):
                start = dt.time(18, 30)
        meeting.start_time = meeting.start_time or start
        meeting.venue = meeting.venue or venue
        meeting.save(update_fields=["start_time", "venue"])
        changed += 1
    return changed


def load(stdout, users: dict) -> None:
    south = Partnership.objects.filter(slug="lancashire-south").first()
    if south is None:
        return
    created = 0
    for name, code, capacity in VENUES:
        district = Area.objects.filter(code=code).first()
        _, new = Venue.objects.get_or_create(
            partnership=south, name=name, defaults={"district": district, "capacity": capacity}
        )
        created += new
    stdout.write(f"Venues: {created} created." if created else "Venues: already loaded.")


def decision_of(group: Group, on: dt.date, motion: str) -> Decision:
    """A carried decision of `group` at a held meeting on `on`, one vote per council area or
    agency, every voting body for (found again rather than repeated). Everyone voting is
    recorded as present, so the meeting's attendance shows the quorum the decision had."""
    meeting: Meeting = Meeting.objects.filter(group=group, date=on).first() or arrange_meeting(
        group, on
    )
    found = meeting.decisions.filter(motion=motion).first()
    if found is not None:
        return found
    if meeting.status != Meeting.Status.HELD:
        meeting.status = Meeting.Status.HELD
        meeting.save()
    voters: dict[str, Person] = {}
    for m in (
        group.current_memberships(on)
        .filter(seat__voting=True)
        .select_related("person", "seat")
        .order_by("pk")
    ):
        voters.setdefault(m.seat.body_key, m.person)
    return record_decision(meeting, motion, [(p, "for") for p in voters.values()])


def strategy_decision(partnership: Partnership, on: dt.date, motion: str) -> Decision:
    """A carried decision of the partnership's strategy group (see `decision_of`)."""
    return decision_of(partnership.groups.get(kind=Group.Kind.STRATEGY), on, motion)


# The amendment the demo shows: the strategy group's meeting of 30 March 2022, corrected at its
# next meeting.
AMENDED_ON = dt.date(2022, 3, 30)
AMENDING_ON = dt.date(2022, 6, 29)
AMENDMENT_REASON = (
    "The minutes omitted that the chair asked for the plan's money to be reported to the county "
    "strategy group each quarter (illustrative)."
)


def _minutes_text(meeting: Meeting) -> str:
    q = quorum(meeting)
    lines = [
        f"The {meeting.group.name} met on {meeting.date:%-d %B %Y}; "
        f"{len(q.bodies_present)} of {q.voting_bodies} voting bodies were present "
        f"({q.required} needed).",
    ]
    for d in meeting.decisions.order_by("pk"):
        lines.append(f"The group considered: {d.motion} ({d.get_result_display().lower()}).")
    return "\n\n".join(lines)


def finish(stdout, users: dict) -> None:
    """After every demo is loaded: the demo's past meetings with decisions have their minutes
    written and approved (text and attendance, as approval requires); one is amended by a
    decision of the next meeting. A meeting whose minutes are approved is left as it is."""
    south = Partnership.objects.filter(slug="lancashire-south").first()
    if south is None:
        return
    strategy = south.groups.filter(kind=Group.Kind.STRATEGY).first()
    amending = None
    if strategy is not None and Meeting.objects.filter(group=strategy, date=AMENDED_ON).exists():
        amending = decision_of(
            strategy,
            AMENDING_ON,
            f"That the minutes of the meeting of {AMENDED_ON:%-d %B %Y} be amended: "
            + AMENDMENT_REASON,
        )
    # Before the minutes are approved: a meeting with approved minutes no longer changes.
    timed = _time_and_place_all()
    stdout.write(
        f"Meetings: {timed} given a start time and venue." if timed else "Meetings: all timed."
    )
    today = dt.date.today()
    approved = amended = 0
    meetings = (
        Meeting.objects.filter(date__lt=today, decisions__isnull=False)
        .distinct()
        .select_related("group")
        .order_by("date", "pk")
    )
    for meeting in meetings:
        record = Minutes.objects.filter(meeting=meeting).first()
        if record is not None and record.approved:
            continue
        if not quorum(meeting).bodies_present:
            continue  # no attendance recorded: left for its clerk
        save_minutes(meeting, _minutes_text(meeting), record.version if record else 0)
        approve_minutes(meeting)
        approved += 1
        if (
            amending is not None
            and strategy is not None
            and meeting.group_id == strategy.pk
            and meeting.date == AMENDED_ON
        ):
            text = Minutes.objects.get(meeting=meeting).text
            amend_minutes(
                meeting,
                text + "\n\nThe chair asked for the plan's money to be reported to the county "
                "strategy group each quarter.",
                AMENDMENT_REASON,
                amending,
            )
            amended += 1
    stdout.write(
        f"Minutes: {approved} meetings' minutes approved, {amended} amended."
        if approved
        else "Minutes: already approved."
    )
