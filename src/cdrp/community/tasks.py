"""The daily retention task: responses deleted after their survey's retention date (the
published results stay as figures), unconfirmed subscriptions forgotten after seven days, and
surveys past their closing date closed. `apply_retention` does the work; `daily_retention`
runs it and queues itself for the next night, so a running `cdrp worker` is all it needs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_tasks import task

from cdrp.accounts.audit import acting_as
from cdrp.community import alerts, surveys
from cdrp.community.models import Response, Survey

LONDON = ZoneInfo("Europe/London")
RUN_AT = dt.time(2, 30)

__all__ = ["apply_retention", "daily_retention"]


def apply_retention(today: dt.date, now: dt.datetime | None = None) -> dict[str, int]:
    """Apply every retention rule as of `today`; returns what was removed or closed."""
    with acting_as(None, "cdrp retention"):
        closed = surveys.close_due(today)
        deleted = 0
        for survey in Survey.objects.filter(
            retain_until__lt=today, responses__isnull=False
        ).distinct():
            if survey.status == Survey.Status.CLOSED:
                # Results not yet published: keep the figures before the answers go.
                survey.results = surveys.compute_results(survey)
            count = Response.objects.filter(survey=survey).count()
            Response.objects.filter(survey=survey).delete()
            survey.responses_deleted_on = today
            survey.save()
            deleted += count
        forgotten = alerts.forget_unconfirmed(now or timezone.now())
    return {"responses": deleted, "subscriptions": forgotten, "surveys_closed": closed}


def _next_night(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(LONDON)
    target = dt.datetime.combine(local.date() + dt.timedelta(days=1), RUN_AT, tzinfo=LONDON)
    return target.astimezone(dt.UTC)


@task()
def daily_retention(reschedule: bool = True) -> dict[str, int]:
    done = apply_retention(dt.datetime.now(LONDON).date())
    if reschedule:
        daily_retention.using(run_after=_next_night(dt.datetime.now(dt.UTC))).enqueue()
    return done
