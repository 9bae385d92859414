"""Meeting pages: a group's meetings, arranging one, the meeting page, the public list and
recording a decision."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from cdrp.accounts.policy import Permission, allows, may_see_restricted, requires
from cdrp.meetings import agenda, restricted
from cdrp.meetings.deadlines import papers_deadline
from cdrp.meetings.forms import (
    ActionForm,
    DecisionForm,
    DeclarationForm,
    MeetingDetailsForm,
    MeetingForm,
)
from cdrp.meetings.models import Action as ActionItem
from cdrp.meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    Minutes,
    MinutesLocked,
)
from cdrp.meetings.services import (
    decide,
)
from cdrp.meetings.views.common import (
    APPROVAL_ANCHORS,
    _meeting,
)
from cdrp.partnerships.models import Group, Membership, Person


@requires(Permission.VIEW_MEMBER)
def group_meetings(request, partnership, group):
    """A group's meetings, and (for coordinators) the next one to arrange."""
    g = get_object_or_404(Group, partnership=request.partnership, slug=group)
    form = MeetingForm(request.POST or None)
    if request.method == "POST":
        if not allows(request.user, Permission.EDIT, request.partnership):
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                meeting = agenda.arrange_meeting(
                    g,
                    form.cleaned_data["date"],
                    form.cleaned_data["public"],
                    start_time=form.cleaned_data["start_time"],
                    venue=form.cleaned_data["venue"],
                    webcast_url=form.cleaned_data["webcast_url"],
                )
            except ValidationError as err:
                form.add_error("date", "; ".join(err.messages))
            else:
                messages.success(
                    request, f"Meeting of {meeting.date:%-d %B %Y} arranged, with its agenda"
                )
                return redirect(
                    "meetings:meeting", partnership=request.partnership.slug, meeting_id=meeting.pk
                )
    today = dt.date.today()
    meetings = list(g.meetings.order_by("-date"))
    for m in meetings:
        # The coordinator sees, for each coming meeting, whether its papers are late.
        m.late_papers = m.date >= today and papers_deadline(m, today, request.user).late
    return render(
        request,
        "meetings/group.html",
        {
            "partnership": request.partnership,
            "group": g,
            "meetings": meetings,
            "form": form,
            "can_edit": allows(request.user, Permission.EDIT, request.partnership),
            "page_title": f"Meetings of {g.name}",
        },
        status=400 if form.errors else 200,
    )


def _agenda_for(request, meeting: Meeting) -> tuple[list[dict], list]:
    """Agenda items, and the restricted ones shown (to be audited): a restricted item, or any
    item of a restricted group, is shown only to the group's members."""
    rows, shown = [], []
    for item in meeting.agenda.select_related("action__owner", "meeting__group").prefetch_related(
        "papers"
    ):
        if restricted.restricting_group(item) is not None:
            if not may_see_restricted(request.user, meeting.group):
                rows.append({"item": item, "hidden": True})
                continue
            shown.append(item)
        rows.append({"item": item, "hidden": False})
    return rows, shown


def _meeting_context(
    request,
    meeting: Meeting,
    action_form=None,
    approve_errors=None,
    declaration_form=None,
    details_form=None,
) -> dict:
    """The meeting page. For a reader outside a restricted group it shows the meeting's date and
    attendance only; for a member, each restricted record shown is audited as one read."""
    members = (
        Membership.objects.current(meeting.date)
        .filter(seat__group=meeting.group)
        .select_related("seat__organisation", "seat__council_area", "person")
    )
    recorded = {(a.seat_id, a.person_id): a.status for a in meeting.attendance.all()}
    rows = [
        {"seat": m.seat, "person": m.person, "status": recorded.get((m.seat_id, m.person_id), "")}
        for m in members
    ]
    substitutes = meeting.attendance.filter(status=Attendance.Status.SUBSTITUTE).select_related(
        "person", "seat"
    )
    people = Person.objects.filter(
        memberships__seat__group__partnership=meeting.group.partnership
    ).distinct()
    withheld = meeting.group.restricted and not may_see_restricted(request.user, meeting.group)
    agenda_rows, shown = _agenda_for(request, meeting)
    actions = decisions = []
    if not withheld:
        actions = list(ActionItem.objects.filter(meeting=meeting).select_related("owner", "group"))
        decisions = list(meeting.decisions.select_related("meeting__group"))
    record = Minutes.objects.filter(meeting=meeting).first()
    approved = bool(record and record.approved)
    visible_items = [r["item"] for r in agenda_rows if not r["hidden"]]
    declarations = []
    if not withheld:
        hidden_ids = {r["item"].pk for r in agenda_rows if r["hidden"]}
        declarations = [
            d
            for d in meeting.declarations.select_related("person", "item")
            if d.item_id not in hidden_ids
        ]
    versions = record.versions() if record is not None and approved and not withheld else []
    if versions and len(versions) > 1:
        restricted.audit_reads([v["amendment"] for v in versions[1:]])
    restricted.audit_reads([*shown, *actions, *decisions, *declarations])
    return {
        "partnership": request.partnership,
        "meeting": meeting,
        "withheld": withheld,
        "agenda_rows": [] if withheld else agenda_rows,
        "rows": rows,
        "substitutes": substitutes,
        "statuses": Attendance.Status.choices,
        "quorum": agenda.quorum(meeting),
        "actions": actions,
        "decisions": decisions,
        "action_form": action_form or ActionForm(people=people),
        "can_edit": not withheld
        and not approved
        and allows(request.user, Permission.MINUTE, request.partnership),
        "may_minute": not withheld and allows(request.user, Permission.MINUTE, request.partnership),
        "approved": approved,
        "versions": versions,
        "approve_errors": [
            {"text": message, "href": APPROVAL_ANCHORS.get(field, "")}
            for field, message in (approve_errors or [])
        ],
        "booking": getattr(meeting, "booking", None),
        "deadline": papers_deadline(meeting, reader=request.user),
        "declarations": declarations,
        "declaration_form": declaration_form
        or DeclarationForm(
            people=people,
            items=AgendaItem.objects.filter(pk__in=[i.pk for i in visible_items]),
        ),
        "details_form": details_form
        or MeetingDetailsForm(
            initial={
                "start_time": meeting.start_time,
                "venue": meeting.venue,
                "webcast_url": meeting.webcast_url,
            }
        ),
        # A tasking meeting looks at the last complete month before it.
        "tasking_month": (meeting.date.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m"),
        "can_plan": allows(request.user, Permission.EDIT, request.partnership),
        "page_title": str(meeting),
    }


@requires(Permission.VIEW_MEMBER)
def meeting_page(request, partnership, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    return render(request, "meetings/meeting.html", _meeting_context(request, meeting))


@requires(Permission.VIEW_PUBLIC)
def public_meetings(request, partnership):
    """Dates of the partnership's public meetings, with their minutes once approved. A restricted
    group's meetings are never public."""
    p = request.partnership
    meetings = (
        Meeting.objects.filter(group__partnership=p, public=True, group__restricted=False)
        .select_related("group", "minutes_record")
        .order_by("-date")
    )
    return render(
        request,
        "meetings/public.html",
        {
            "partnership": p,
            "meetings": meetings,
            "today": dt.date.today(),
            "page_title": f"Public meetings – {p.name}",
        },
    )


@requires(Permission.MINUTE)
def decision_new(request, partnership, group):
    """Record a decision: who attended, how each voted; counted one vote per body. The chair
    and the coordinators record meetings."""
    p = request.partnership
    g = get_object_or_404(
        Group.objects.select_related("partnership", "reports_to"), partnership=p, slug=group
    )
    date = dt.date.today()
    if request.method == "POST":
        try:
            date = dt.date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            pass
    memberships = (
        Membership.objects.current(date)
        .filter(seat__group=g, seat__voting=True)
        .select_related("person", "seat", "seat__organisation", "seat__council_area")
        .order_by("seat__position", "seat_id", "pk")
    )
    form = DecisionForm(
        request.POST or None, memberships=memberships, initial={"date": request.GET.get("date")}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        present, ballots = form.ballots()
        try:
            decision = decide(
                g,
                form.cleaned_data["date"],
                form.cleaned_data["motion"],
                ballots,
                present=present,
                casting_vote=form.cleaned_data["casting_vote"] or None,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            # Refused: a meeting whose minutes are approved (409), or ballots that do not count.
            status = 409 if isinstance(exc, MinutesLocked) else 400
        else:
            messages.success(
                request,
                f"Decision recorded: {decision.get_result_display()} "
                f"({decision.votes_for} for, {decision.votes_against} against, "
                f"{decision.abstentions} abstaining; one vote per body).",
            )
            return redirect(g.get_absolute_url() + "#decisions")
    return render(
        request,
        "meetings/decision_form.html",
        {"form": form, "partnership": p, "group": g, "page_title": f"Record a decision: {g.name}"},
        status=400 if status == 200 and form.errors else status,
    )
