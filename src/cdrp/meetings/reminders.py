"""Action reminders: one email per owner listing their overdue actions and those due soon.

E-mail leaves the service, so an action of a restricted group (offender cohorts, domestic-abuse
cases) is listed by its group and due date only, never by what it says: the owner reads it in
the action tracker, where the read is checked and audited.

`send_reminders` does the work (and is what `cdrp meetings remind` runs); `daily_reminders` is a
background task that sends them and queues itself for the next morning, so a running
`cdrp worker` is all the scheduling a partnership needs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.core.mail import send_mail
from django_tasks import task

from cdrp.meetings.models import Action

DUE_SOON_DAYS = 7
SEND_AT = dt.time(7, 0)
LONDON = ZoneInfo("Europe/London")

__all__ = ["send_reminders", "daily_reminders", "DUE_SOON_DAYS"]


def send_reminders(today: dt.date, due_soon_days: int = DUE_SOON_DAYS) -> dict[str, int]:
    """Email each owner with an email address; returns {owner email: actions listed}."""
    horizon = today + dt.timedelta(days=due_soon_days)
    by_owner = defaultdict(list)
    for action in (
        Action.objects.filter(status=Action.Status.OPEN, due__lte=horizon)
        .select_related("owner", "group", "partnership")
        .order_by("due")
    ):
        if action.owner.email:
            by_owner[action.owner].append(action)
    sent = {}
    for owner, actions in by_owner.items():
        lines = [
            f"- {'OVERDUE ' if a.due < today else ''}due {a.due:%-d %B %Y}: "
            + (
                "an action of a restricted group (read it in the action tracker)"
                if a.group.restricted
                else a.description
            )
            + f" ({a.group}, {a.partnership})"
            for a in actions
        ]
        send_mail(
            subject=f"Your partnership actions: {len(actions)} due or overdue",
            message=f"Dear {owner.name},\n\nThese actions are yours:\n\n"
            + "\n".join(lines)
            + "\n\nPlease update the action tracker when they are done.\n",
            from_email=None,
            recipient_list=[owner.email],
        )
        sent[owner.email] = len(actions)
    return sent


def _next_morning(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(LONDON)
    target = dt.datetime.combine(local.date() + dt.timedelta(days=1), SEND_AT, tzinfo=LONDON)
    return target.astimezone(dt.UTC)


@task()
def daily_reminders(reschedule: bool = True) -> int:
    sent = send_reminders(dt.datetime.now(LONDON).date())
    if reschedule:
        daily_reminders.using(run_after=_next_morning(dt.datetime.now(dt.UTC))).enqueue()
    return sum(sent.values())
