"""Attendance over a period, for one group: per person and per body (organisation or council
area), the meetings each was expected at, attended, sent a substitute to, sent apologies for,
and the percentages, as committee services report them.

A person is expected at every meeting of the group in the period (held by today) on whose day
they held a seat. At each such meeting they either attended (present), sent a substitute (some
one recorded as substitute in their seat), sent apologies, or none of these (absent or not
recorded). A body is expected once per seat it holds at each meeting; it is represented when
the seat's holder attended or a substitute sat in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cdrp.meetings.models import Attendance, Meeting
from cdrp.partnerships.models import Group, Membership

__all__ = ["Tally", "attendance_summary", "summary_csv_rows", "SUMMARY_HEADER"]


@dataclass
class Tally:
    name: str
    body: str = ""
    expected: int = 0
    attended: int = 0
    substitute: int = 0
    apologies: int = 0
    meetings: list = field(default_factory=list)

    @property
    def absent(self) -> int:
        return self.expected - self.attended - self.substitute - self.apologies

    @property
    def attended_pct(self) -> float | None:
        return round(100 * self.attended / self.expected, 1) if self.expected else None

    @property
    def represented_pct(self) -> float | None:
        if not self.expected:
            return None
        return round(100 * (self.attended + self.substitute) / self.expected, 1)


def attendance_summary(
    group: Group, start: dt.date, end: dt.date, today: dt.date | None = None
) -> dict:
    """Per-person and per-body tallies of `group`'s meetings from `start` to `end` (inclusive),
    counting only meetings held by `today`."""
    today = today or dt.date.today()
    meetings = list(
        Meeting.objects.filter(group=group, date__range=(start, min(end, today))).order_by("date")
    )
    records: dict[tuple[int, int], dict[int, str]] = {}
    subs: set[tuple[int, int]] = set()
    for a in Attendance.objects.filter(meeting__in=meetings):
        records.setdefault((a.meeting_id, a.seat_id), {})[a.person_id] = a.status
        if a.status == Attendance.Status.SUBSTITUTE:
            subs.add((a.meeting_id, a.seat_id))
    people: dict[int, Tally] = {}
    bodies: dict[str, Tally] = {}
    memberships = list(
        Membership.objects.filter(seat__group=group).select_related(
            "person", "seat__organisation", "seat__council_area"
        )
    )
    for meeting in meetings:
        for m in memberships:
            if (m.start and m.start > meeting.date) or (m.end and m.end < meeting.date):
                continue
            body = m.seat.body_label
            person = people.setdefault(m.person_id, Tally(m.person.name, body))
            org = bodies.setdefault(body, Tally(body, body))
            status = records.get((meeting.pk, m.seat_id), {}).get(m.person_id, "")
            person.expected += 1
            org.expected += 1
            if status == Attendance.Status.PRESENT:
                person.attended += 1
                org.attended += 1
            elif (meeting.pk, m.seat_id) in subs:
                person.substitute += 1
                org.substitute += 1
            elif status == Attendance.Status.APOLOGIES:
                person.apologies += 1
                org.apologies += 1
    return {
        "meetings": meetings,
        "people": sorted(people.values(), key=lambda t: (t.name, t.body)),
        "bodies": sorted(bodies.values(), key=lambda t: t.name),
    }


SUMMARY_HEADER = [
    "level",
    "name",
    "body",
    "meetings_expected",
    "attended",
    "sent_substitute",
    "apologies",
    "absent_or_not_recorded",
    "attended_percent",
    "represented_percent",
]
SUMMARY_KINDS = [None, None, None, "int", "int", "int", "int", "int", "percent", "percent"]


def summary_csv_rows(summary: dict) -> list[list]:
    rows = []
    for level in ("people", "bodies"):
        for t in summary[level]:
            rows.append(
                [
                    "person" if level == "people" else "body",
                    t.name,
                    t.body,
                    t.expected,
                    t.attended,
                    t.substitute,
                    t.apologies,
                    t.absent,
                    t.attended_pct,
                    t.represented_pct,
                ]
            )
    return rows
