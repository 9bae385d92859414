"""Minutes of a meeting in the council-paper style, as HTML and as PDF (WeasyPrint).

Minutes of an ordinary group may be published, so its restricted agenda items never appear in
them. The minutes of a restricted group are themselves restricted: they are written only for a
reader who may read the group's records (each record shown is audited as one read), and for
anyone else they hold the attendance alone.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from cdrp.accounts.policy import may_see_restricted
from cdrp.meetings import agenda, restricted
from cdrp.meetings.models import Action, Attendance, Meeting

__all__ = ["minutes_context", "minutes_html", "minutes_pdf"]


def minutes_context(meeting: Meeting, reader=None) -> dict:
    attendance = meeting.attendance.select_related(
        "person", "seat__organisation", "seat__council_area"
    ).order_by("seat__position", "person__name")
    by_status: dict[str, list[Attendance]] = {status: [] for status, _ in Attendance.Status.choices}
    for a in attendance:
        by_status[a.status].append(a)
    group = meeting.group
    withheld = group.restricted and not may_see_restricted(reader, group)
    record = getattr(meeting, "minutes_record", None)
    items: list[Any] = []
    decisions: list[Any] = []
    actions: list[Any] = []
    amendments: list[Any] = []
    declarations: list[Any] = []
    if not withheld:
        agenda_items = meeting.agenda.select_related("action__owner", "meeting__group")
        if not group.restricted:
            # Restricted items (named offenders or victims) never appear in minutes.
            agenda_items = agenda_items.filter(restricted=False)
        items = list(agenda_items)
        shown_ids = {i.pk for i in items}
        declarations = [
            d
            for d in meeting.declarations.select_related("person", "item")
            if d.item_id is None or d.item_id in shown_ids
        ]
        decisions = list(
            meeting.decisions.select_related("meeting__group").prefetch_related("votes__cast_by")
        )
        actions = list(
            Action.objects.filter(meeting=meeting).select_related("owner", "organisation", "group")
        )
        if record is not None and record.approved:
            amendments = list(record.amendments.select_related("decision__meeting"))
        shown = [
            *items,
            *decisions,
            *actions,
            *amendments,
            *declarations,
            *([record] if record else []),
        ]
        restricted.audit_reads(shown, reader)
    return {
        "meeting": meeting,
        "group": group,
        "partnership": group.partnership,
        "present": by_status["present"],
        "substitutes": by_status["substitute"],
        "apologies": by_status["apologies"],
        "absent": by_status["absent"],
        "quorum": agenda.quorum(meeting),
        "withheld": withheld,
        # The newest version of approved minutes (an amendment agreed at a later meeting).
        "minutes_text": "" if withheld or record is None else record.current_text,
        "approved": bool(record and record.approved),
        "amendments": amendments,
        "version": 1 + len(amendments),
        "items": items,
        "decisions": decisions,
        "actions": actions,
        "declarations": declarations,
    }


def minutes_html(meeting: Meeting, reader=None, request=None) -> str:
    """The minutes as one HTML document, as `reader` may see them. Pass the request when it is
    served as a page: its stylesheet then carries the Content-Security-Policy nonce."""
    return render_to_string(
        "meetings/minutes_document.html", minutes_context(meeting, reader), request=request
    )


def minutes_pdf(meeting: Meeting, reader=None) -> bytes:
    import weasyprint  # imported when a PDF is asked for: it is slow to load

    return weasyprint.HTML(string=minutes_html(meeting, reader)).write_pdf()
