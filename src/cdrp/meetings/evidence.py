"""Evidence for the registry's compliance rules: public meetings that have taken place."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from cdrp.meetings.models import Meeting
from cdrp.partnerships import evidence


def public_meetings(partnership):
    held = Meeting.objects.filter(
        group__partnership=partnership, public=True, date__lte=dt.date.today()
    ).select_related("group")
    for m in held:
        yield evidence.Evidence(
            kind=evidence.PUBLIC_MEETING,
            date=m.date,
            title=f"Public meeting of the {m.group.name}",
            url=reverse("meetings:public", kwargs={"partnership": partnership.slug}),
        )


def connect() -> None:
    evidence.register(evidence.PUBLIC_MEETING, public_meetings)
