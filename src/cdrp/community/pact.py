"""PACT (Partners and Communities Together): neighbourhood meetings where residents choose up to
three priorities for the next period. Each meeting is a public meeting of one of the
partnership's groups; the votes for each issue raised are recorded per meeting; each chosen
priority becomes a tasking action (`cdrp.meetings.agenda.raise_action`) with an owner, and its
outcome is reported back at the ward's next PACT meeting and on the area page."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cdrp.analysis.errors import RefusedInput
from cdrp.community.models import PactMeeting, PactPriority
from cdrp.meetings.agenda import arrange_meeting, raise_action
from cdrp.meetings.models import Action
from cdrp.partnerships.models import Area, Group, Person

__all__ = ["MAX_PRIORITIES", "arrange", "choose", "record_votes", "reported_back", "task"]

MAX_PRIORITIES = 3


@transaction.atomic
def arrange(group: Group, on: dt.date, ward: Area, period: str) -> PactMeeting:
    """A PACT meeting for `ward`: a public meeting of `group` on `on`."""
    if ward.level != Area.Level.WARD:
        raise RefusedInput("ward", "Choose a ward")
    if not group.partnership.districts.filter(pk=ward.parent_id or 0).exists():
        raise RefusedInput("ward", "The ward is not in the partnership's districts")
    if not period.strip():
        raise RefusedInput("period", "Say which period the priorities are for")
    try:
        meeting = arrange_meeting(group, on, public=True)
    except ValidationError as exc:
        raise RefusedInput("group", " ".join(exc.messages)) from None
    pact = PactMeeting(partnership=group.partnership, meeting=meeting, ward=ward, period=period)
    pact.save()
    return pact


@transaction.atomic
def record_votes(pact: PactMeeting, votes: dict[str, int], attendees: int = 0) -> list:
    """Record the issues raised at the meeting and the residents' votes for each."""
    if any(v < 0 for v in votes.values()):
        raise RefusedInput("votes", "Votes cannot be negative")
    if attendees:
        pact.attendees = attendees
        pact.save()
    out = []
    for title, count in votes.items():
        title = " ".join(title.split())
        if not title:
            continue
        priority = pact.priorities.filter(title=title).first() or PactPriority(
            pact=pact, title=title
        )
        priority.votes = count
        priority.save()
        out.append(priority)
    return out


@transaction.atomic
def choose(pact: PactMeeting, titles: list[str] | None = None) -> list[PactPriority]:
    """Mark the priorities residents chose (at most three): the given titles, or the three with
    the most votes (a tie for third place must be settled by naming them)."""
    priorities = list(pact.priorities.order_by("-votes", "title"))
    if titles is None:
        if len(priorities) > MAX_PRIORITIES and (
            priorities[MAX_PRIORITIES - 1].votes == priorities[MAX_PRIORITIES].votes
        ):
            raise RefusedInput(
                "chosen", "Votes are tied for third place: choose the priorities by name"
            )
        chosen = priorities[:MAX_PRIORITIES]
    else:
        chosen = [p for p in priorities if p.title in titles]
    if len(chosen) > MAX_PRIORITIES:
        raise RefusedInput("chosen", f"Residents choose at most {MAX_PRIORITIES} priorities")
    for p in priorities:
        wanted = p in chosen
        if p.chosen != wanted:
            if not wanted and p.action_id:
                raise RefusedInput("chosen", f"“{p.title}” already has an action")
            p.chosen = wanted
            p.save()
    return chosen


@transaction.atomic
def task(priority: PactPriority, owner: Person, due: dt.date, description: str = "") -> Action:
    """Make a chosen priority a tasking action with an owner (raised at the PACT meeting)."""
    if not priority.chosen:
        raise RefusedInput("priority", "Only a chosen priority becomes an action")
    if priority.action_id:
        raise RefusedInput("priority", "This priority already has an action")
    try:
        action = raise_action(
            priority.pact.meeting,
            description or f"PACT priority for {priority.pact.ward.name}: {priority.title}",
            owner,
            due,
            hotspot=priority.pact.ward.code,
            priority=priority.title[:200],
        )
    except ValidationError as exc:
        raise RefusedInput("due", " ".join(exc.messages)) from None
    priority.action = action
    priority.save()
    return action


def reported_back(pact: PactMeeting):
    """The priorities of the ward's previous PACT meeting, to report back on at this one."""
    previous = (
        PactMeeting.objects.filter(ward=pact.ward, meeting__date__lt=pact.meeting.date)
        .order_by("-meeting__date")
        .first()
    )
    if previous is None:
        return PactPriority.objects.none()
    return previous.priorities.filter(chosen=True).select_related("action")
