"""Demo venues for Lancashire South (each district's civic offices and police station), and the
carried decisions the other demos need (a strategy group approving an assessment, a plan, a
spend)."""

from __future__ import annotations

import datetime as dt

from cdrp.meetings.agenda import arrange_meeting
from cdrp.meetings.models import Decision, Meeting, Venue
from cdrp.meetings.services import record_decision
from cdrp.partnerships.models import Area, Group, Partnership

VENUES = [
    # name, district code, capacity
    ("Chorley Town Hall", "E07000118", 40),
    ("Chorley police station meeting room", "E07000118", 14),
    ("South Ribble Civic Centre, Leyland", "E07000126", 40),
    ("Leyland police station meeting room", "E07000126", 14),
    ("West Lancashire council offices, Ormskirk", "E07000127", 40),
    ("Skelmersdale police station meeting room", "E07000127", 14),
]


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
    agency, every voting body for (found again rather than repeated)."""
    meeting = Meeting.objects.filter(group=group, date=on).first() or arrange_meeting(group, on)
    found = meeting.decisions.filter(motion=motion).first()
    if found is not None:
        return found
    if meeting.status != Meeting.Status.HELD:
        meeting.status = Meeting.Status.HELD
        meeting.save()
    voters = {}
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
