"""Committee services for a meeting: when and where it is held, publishing its agenda and
papers, declarations of interest, and the partnership's forward plan of key decisions. Every
write goes through the model, so a meeting whose minutes are approved refuses them all
(`cdrp.meetings.locks`)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cdrp.meetings.models import AgendaItem, Declaration, KeyDecision, Meeting, refuse_if_locked
from cdrp.partnerships.models import Group, Person

__all__ = ["set_details", "publish_agenda", "declare_interest", "add_key_decision"]


def set_details(
    meeting: Meeting, start_time: dt.time | None, venue: str, webcast_url: str
) -> Meeting:
    """Change when and where the meeting is held, and its webcast link."""
    refuse_if_locked({meeting.pk})
    meeting.start_time, meeting.venue, meeting.webcast_url = start_time, venue, webcast_url
    meeting.full_clean()
    meeting.save()
    return meeting


def publish_agenda(meeting: Meeting, on: dt.date | None = None) -> Meeting:
    """Record the day the agenda and papers were published (open to inspection)."""
    refuse_if_locked({meeting.pk})
    meeting.agenda_published_on = on or dt.date.today()
    meeting.save()
    return meeting


@transaction.atomic
def declare_interest(
    meeting: Meeting, person: Person, kind: str, note: str = "", item: AgendaItem | None = None
) -> Declaration:
    """Record a declaration of interest made at the meeting."""
    refuse_if_locked({meeting.pk})
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError("That agenda item is not on this meeting's agenda")
    if kind not in Declaration.Kind.values:
        raise ValidationError(f"Unknown kind of interest {kind!r}")
    record = Declaration(meeting=meeting, person=person, kind=kind, note=note, item=item)
    record.full_clean()
    record.save()
    return record


def add_key_decision(
    group: Group, title: str, expected_on: dt.date, summary: str = "", documents: str = ""
) -> KeyDecision:
    """Enter a key decision in the partnership's forward plan."""
    record = KeyDecision(
        partnership=group.partnership,
        group=group,
        title=title,
        summary=summary,
        expected_on=expected_on,
        documents=documents,
    )
    record.full_clean()
    record.save()
    return record
