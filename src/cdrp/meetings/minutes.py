"""Minutes of a meeting in the council-paper style, as HTML and as PDF (WeasyPrint)."""

from __future__ import annotations

from django.template.loader import render_to_string

from cdrp.meetings import agenda
from cdrp.meetings.models import Action, Attendance
from cdrp.partnerships.models import Meeting

__all__ = ["minutes_context", "minutes_html", "minutes_pdf"]


def minutes_context(meeting: Meeting) -> dict:
    attendance = meeting.attendance.select_related(
        "person", "seat__organisation", "seat__council_area"
    ).order_by("seat__position", "person__name")
    by_status = {status: [] for status, _ in Attendance.Status.choices}
    for a in attendance:
        by_status[a.status].append(a)
    decisions = list(meeting.decisions.prefetch_related("votes__cast_by"))
    return {
        "meeting": meeting,
        "group": meeting.group,
        "partnership": meeting.group.partnership,
        "present": by_status["present"],
        "substitutes": by_status["substitute"],
        "apologies": by_status["apologies"],
        "absent": by_status["absent"],
        "quorum": agenda.quorum(meeting),
        # Restricted items (named offenders or victims) never appear in minutes.
        "items": meeting.agenda.filter(restricted=False).select_related("action__owner"),
        "decisions": decisions,
        "actions": Action.objects.filter(meeting=meeting).select_related("owner", "organisation"),
    }


def minutes_html(meeting: Meeting, request=None) -> str:
    """The minutes as one HTML document. Pass the request when it is served as a page: its
    stylesheet then carries the Content-Security-Policy nonce."""
    return render_to_string(
        "meetings/minutes_document.html", minutes_context(meeting), request=request
    )


def minutes_pdf(meeting: Meeting) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=minutes_html(meeting)).write_pdf()
