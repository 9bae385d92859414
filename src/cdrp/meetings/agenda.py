"""Meetings run cheaply: agendas built from standing items and open actions, attendance with the
quorum counted one body at a time, actions carried forward until closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from cdrp.accounts.notifications import Kind, notify
from cdrp.core.models import ConflictError
from cdrp.meetings.models import (
    Action,
    AgendaItem,
    Attendance,
    Meeting,
    Minutes,
    refuse_if_locked,
)
from cdrp.partnerships.models import Group, Membership, Person, Seat

__all__ = [
    "arrange_meeting",
    "save_minutes",
    "Quorum",
    "prepare_agenda",
    "quorum",
    "record_attendance",
    "raise_action",
    "close_action",
]


@transaction.atomic
def prepare_agenda(meeting: Meeting) -> list[AgendaItem]:
    """Standing items, every open action of the group, and the tactical assessment for a
    tasking group; an agenda that already has items is left as it is. Refused once the
    meeting's minutes are approved."""
    refuse_if_locked({meeting.pk})
    existing = list(meeting.agenda.all())
    if existing:
        return existing
    group = meeting.group
    items: list[tuple[str, str, Action | None]] = [
        (AgendaItem.Kind.APOLOGIES, "Apologies and substitutes", None)
    ]
    previous = Meeting.objects.filter(group=group, date__lt=meeting.date).order_by("-date").first()
    if previous is not None:
        items.append(
            (AgendaItem.Kind.MINUTES, f"Minutes of the meeting of {previous.date:%-d %B %Y}", None)
        )
    for action in Action.objects.filter(group=group, status=Action.Status.OPEN).select_related(
        "owner"
    ):
        items.append(
            (
                AgendaItem.Kind.ACTION,
                f"Action: {action.description} ({action.owner}, due {action.due:%-d %b %Y})",
                action,
            )
        )
    if group.kind == Group.Kind.TASKING:
        items.append(
            (AgendaItem.Kind.ASSESSMENT, "Tactical assessment: emerging hot-spots and trends", None)
        )
    items.append((AgendaItem.Kind.AOB, "Any other business", None))
    created = []
    for position, (kind, title, linked) in enumerate(items, start=1):
        item = AgendaItem(
            meeting=meeting, position=position, kind=kind, title=title[:300], action=linked
        )
        item.save()
        created.append(item)
    return created


@dataclass(frozen=True)
class Quorum:
    bodies_present: tuple[str, ...]
    voting_bodies: int
    required: int

    @property
    def quorate(self) -> bool:
        return len(self.bodies_present) >= self.required


def quorum(meeting: Meeting) -> Quorum:
    """Voting bodies (council areas or agencies) with someone present or substituting, against
    the group's quorum (default: more than half of its voting bodies)."""
    seats = list(
        meeting.group.seats.filter(voting=True).select_related("organisation", "council_area")
    )
    bodies = {s.body_key: s.body_label for s in seats if s.may_vote_on(meeting.date)}
    present = {
        a.seat.body_key
        for a in meeting.attendance.filter(
            status__in=[Attendance.Status.PRESENT, Attendance.Status.SUBSTITUTE], seat__voting=True
        ).select_related("seat__organisation", "seat__council_area")
    }
    required = meeting.group.quorum or (len(bodies) // 2 + 1)
    return Quorum(tuple(sorted(bodies[k] for k in present if k in bodies)), len(bodies), required)


@transaction.atomic
def record_attendance(meeting: Meeting, seat: Seat, person: Person, status: str) -> Attendance:
    """Record one person's attendance in one seat. Present, apologies or absent need the person
    to hold the seat on the day; a substitute stands in for a seat they do not hold. Refused
    once the meeting's minutes are approved (the attendance is part of them)."""
    refuse_if_locked({meeting.pk}, "attendance")
    if seat.group_id != meeting.group_id:
        raise ValidationError(f"“{seat}” is not a seat on {meeting.group}")
    if status not in Attendance.Status.values:
        raise ValidationError(f"Unknown attendance status {status!r}")
    holds = Membership.objects.current(meeting.date).filter(seat=seat, person=person).exists()
    if status == Attendance.Status.SUBSTITUTE and holds:
        raise ValidationError(f"{person} holds this seat, so cannot be their own substitute")
    if status != Attendance.Status.SUBSTITUTE and not holds:
        raise ValidationError(
            f"{person} does not hold the seat “{seat}” on {meeting.date:%-d %B %Y}: "
            "record them as a substitute"
        )
    record, _ = Attendance.objects.get_or_create(
        meeting=meeting, seat=seat, person=person, defaults={"status": status}
    )
    if record.status != status:
        record.status = status
        record.save()
    return record


@transaction.atomic
def raise_action(
    meeting: Meeting,
    description: str,
    owner: Person,
    due: dt.date,
    organisation=None,
    hotspot: str = "",
    priority: str = "",
) -> Action:
    refuse_if_locked({meeting.pk}, "description")
    if not description.strip():
        raise ValidationError("Describe the action")
    if due < meeting.date:
        raise ValidationError("The due date cannot be before the meeting that raised the action")
    action = Action(
        partnership=meeting.group.partnership,
        group=meeting.group,
        meeting=meeting,
        description=description.strip(),
        owner=owner,
        organisation=organisation or owner.organisation,
        due=due,
        hotspot=hotspot,
        priority=priority,
    )
    action.save()
    _tell_owner(action)
    return action


def _tell_owner(action: Action) -> None:
    """The owner hears of their new action (an e-mail may carry it: a restricted group's action
    is named by its group and due date only)."""
    account = action.owner.account
    if account is None:
        return
    what = (
        f"an action of the {action.group.name}"
        if action.group.restricted
        else f"“{action.description[:120]}”"
    )
    notify(
        [account],
        Kind.ACTION_ASSIGNED,
        f"You have a new action: {what}, due {action.due:%-d %B %Y}",
        reverse("core:home") + "#my-actions",
        partnership=action.partnership,
        key=f"action-assigned:{action.pk}",
    )


@transaction.atomic
def close_action(
    action: Action,
    outcome: str,
    on: dt.date,
    dropped: bool = False,
    meeting: Meeting | None = None,
) -> Action:
    """Close an open action with its outcome, on `on`, recorded at `meeting` (whose minutes
    note it) or between meetings. No permission check: the pages and the API close through
    `cdrp.meetings.services.close_action`, which checks who may."""
    if action.status != Action.Status.OPEN:
        raise ValidationError("This action is already closed")
    if meeting is not None and meeting.group.partnership_id != action.partnership_id:
        raise ValidationError("That meeting is not one of this partnership's")
    action.status = Action.Status.DROPPED if dropped else Action.Status.DONE
    action.outcome = outcome.strip()
    action.closed_on = on
    action.closed_at = meeting
    action.save()
    return action


@transaction.atomic
def arrange_meeting(
    group: Group,
    date: dt.date,
    public: bool = False,
    start_time: dt.time | None = None,
    venue: str = "",
    webcast_url: str = "",
) -> Meeting:
    """A new meeting of `group` (at `start_time`, at `venue`) with its agenda; refused outside
    the partnership's validity, and refused as a public meeting for a restricted group."""
    p = group.partnership
    if p.valid_from and date < p.valid_from:
        raise ValidationError(f"{p.name} only exists from {p.valid_from:%-d %B %Y}")
    if p.valid_to and date > p.valid_to:
        raise ValidationError(
            f"{p.name} ended on {p.valid_to:%-d %B %Y}: it cannot meet after that"
        )
    if public and group.restricted:
        raise ValidationError(
            f"{group.name} is a restricted group: its meetings are never open to the public"
        )
    meeting = Meeting(
        group=group,
        date=date,
        public=public,
        start_time=start_time,
        venue=venue,
        webcast_url=webcast_url,
    )
    meeting.full_clean()
    meeting.save()
    prepare_agenda(meeting)
    return meeting


@transaction.atomic
def save_minutes(meeting: Meeting, text: str, expected_version: int | None):
    """Save the narrative minutes; a stale `expected_version` raises ConflictError (no write).
    Approved minutes are refused (MinutesLocked): they change only by an amendment."""
    refuse_if_locked({meeting.pk}, "text")
    record, created = Minutes.objects.get_or_create(meeting=meeting, defaults={"text": text})
    if created:
        if expected_version not in (None, 0):
            raise ConflictError(record)
        return record
    record.text = text
    record.save_checked(expected_version if expected_version is not None else -1)
    return record
