"""Reminders as a Community Call for Action's response deadline approaches.

`send_call_reminders(today)` e-mails the partnership's coordinators about each call whose
response is due in `REMIND_DAYS_BEFORE` days (7, then 1), and once on the day it becomes
overdue. Each reminder is sent once: the call records which it has had (`reminders_sent`, a
list of days-before, -1 for overdue), so a task that runs twice in a day sends nothing twice.
`daily_call_reminders` is the background task that runs it and queues itself for the next
morning, as `cdrp.meetings.reminders.daily_reminders` does.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django_tasks import task

from cdrp.accounts.policy import Role
from cdrp.scrutiny.models import CommunityCall

REMIND_DAYS_BEFORE = (7, 1)
OVERDUE = -1
SEND_AT = dt.time(7, 0)
LONDON = ZoneInfo("Europe/London")

__all__ = ["send_call_reminders", "daily_call_reminders", "REMIND_DAYS_BEFORE", "due_reminder"]


def due_reminder(call: CommunityCall, today: dt.date) -> int | None:
    """The reminder `call` is owed today (days before the deadline, or OVERDUE), or None."""
    if call.response_due is None or call.responded_on is not None:
        return None
    left = (call.response_due - today).days
    if left < 0:
        key = OVERDUE
    else:
        candidates = [d for d in REMIND_DAYS_BEFORE if left <= d]
        if not candidates:
            return None
        key = min(candidates)
    return None if key in (call.reminders_sent or []) else key


def _recipients(partnership_id: int) -> list[str]:
    users = get_user_model().objects.filter(
        cdrp_roles__partnership_id=partnership_id,
        cdrp_roles__role__in=[Role.COORDINATOR, Role.CHAIR],
        is_active=True,
    )
    return sorted({u.email for u in users if u.email})


def send_call_reminders(today: dt.date) -> list[tuple[str, int]]:
    """Send the reminders due today; returns (call reference, reminder) for each sent."""
    sent = []
    calls = CommunityCall.objects.filter(
        response_due__isnull=False, responded_on__isnull=True
    ).select_related("partnership")
    for call in calls:
        key = due_reminder(call, today)
        if key is None or call.response_due is None:
            continue
        to = _recipients(call.partnership_id)
        when = f"{call.response_due:%-d %B %Y}"
        if key == OVERDUE:
            subject = f"{call.reference} overdue: the response was due on {when}"
        else:
            days = "1 day" if key == 1 else f"{(call.response_due - today).days} days"
            subject = f"{call.reference}: response due in {days} ({when})"
        if to:
            send_mail(
                subject=subject,
                message=(
                    f"{call.partnership}: Community Call for Action {call.number}, "
                    f"“{call.title}”.\n\nThe partnership's response is due by {when}. "
                    "Publish it from the call's page; the public log shows whether it was "
                    "published on time.\n"
                ),
                from_email=None,
                recipient_list=to,
            )
        call.reminders_sent = [*(call.reminders_sent or []), key]
        call.save(update_fields=["reminders_sent", "updated_at"])
        sent.append((call.reference, key))
    return sent


def _next_morning(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(LONDON)
    target = dt.datetime.combine(local.date() + dt.timedelta(days=1), SEND_AT, tzinfo=LONDON)
    return target.astimezone(dt.UTC)


@task()
def daily_call_reminders(reschedule: bool = True) -> int:
    sent = send_call_reminders(dt.datetime.now(LONDON).date())
    if reschedule:
        daily_call_reminders.using(run_after=_next_morning(dt.datetime.now(dt.UTC))).enqueue()
    return len(sent)
