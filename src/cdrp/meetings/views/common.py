"""Helpers the meeting pages share: the municipal year asked for, the meeting in the URL (checked
against the partnership, and against a restricted group's readers), and the answer to a change
of a meeting whose minutes are approved."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from cdrp.accounts.policy import may_see_restricted
from cdrp.meetings.models import (
    Meeting,
    MinutesLocked,
    refuse_if_locked,
)


def _year(request) -> int:
    today = dt.date.today()
    default = today.year if today.month >= 4 else today.year - 1
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        year = default
    return min(max(year, 2000), 2100)


def _meeting(request, meeting_id: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("group"),
        pk=meeting_id,
        group__partnership=request.partnership,
    )


# Where each refusal of approval points on the meeting page.
APPROVAL_ANCHORS = {"text": "#minutes-text", "attendance": "#attendance", "date": ""}


def _locked(request, meeting: Meeting, status: int = 409):
    """The answer to a change of a meeting whose minutes are approved (refused, nothing saved),
    or None when its minutes are not approved."""
    try:
        refuse_if_locked({meeting.pk})
    except MinutesLocked as exc:
        return render(
            request,
            "meetings/locked.html",
            {
                "partnership": request.partnership,
                "meeting": meeting,
                "message": exc.message,
                "page_title": f"Minutes approved: {meeting}",
            },
            status=status,
        )
    return None


def _restricted_meeting(request, meeting_id: int) -> Meeting:
    """The meeting, for a page that shows or changes what was said at it: a restricted group's
    meeting is not found for readers outside the group."""
    meeting = _meeting(request, meeting_id)
    if meeting.group.restricted and not may_see_restricted(request.user, meeting.group):
        raise Http404("No such meeting")
    return meeting
