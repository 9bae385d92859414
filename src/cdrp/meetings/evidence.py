"""Evidence for the registry's compliance rules: meetings that have taken place (public or not),
including those of joint groups serving the partnership."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse

from cdrp.meetings.models import Meeting
from cdrp.partnerships import evidence


def _held(partnership):
    return (
        Meeting.objects.filter(
            Q(group__partnership=partnership) | Q(group__serves=partnership),
            date__lte=dt.date.today(),
        )
        .select_related("group")
        .distinct()
    )


def public_meetings(partnership):
    for m in _held(partnership).filter(public=True):
        yield evidence.Evidence(
            kind=evidence.PUBLIC_MEETING,
            date=m.date,
            title=f"Public meeting of the {m.group.name}",
            url=reverse("meetings:public", kwargs={"partnership": partnership.slug}),
            group_id=m.group_id,
        )


def meetings(partnership):
    for m in _held(partnership):
        yield evidence.Evidence(
            kind=evidence.MEETING,
            date=m.date,
            title=f"{'Public meeting' if m.public else 'Meeting'} of the {m.group.name}",
            group_id=m.group_id,
        )


def connect() -> None:
    evidence.register(evidence.PUBLIC_MEETING, public_meetings)
    evidence.register(evidence.MEETING, meetings)
