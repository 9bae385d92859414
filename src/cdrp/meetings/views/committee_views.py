"""Committee pages: a meeting's time, venue and webcast, publishing its agenda and papers,
declarations of interest, attendance summaries of a group over a period (page and CSV), and
the partnership's forward plan of key decisions (public)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import Permission, allows, requires
from cdrp.core import tables
from cdrp.meetings import committee, restricted
from cdrp.meetings.attendance_summary import (
    SUMMARY_HEADER,
    SUMMARY_KINDS,
    attendance_summary,
    summary_csv_rows,
)
from cdrp.meetings.forms import DeclarationForm, KeyDecisionForm, MeetingDetailsForm
from cdrp.meetings.models import AgendaItem, KeyDecision
from cdrp.meetings.views.common import _locked, _meeting, _restricted_meeting
from cdrp.meetings.views.meeting_views import _meeting_context
from cdrp.partnerships.models import Group, Person


def _back(request, meeting):
    return redirect("meetings:meeting", partnership=request.partnership.slug, meeting_id=meeting.pk)


@requires(Permission.EDIT)
@require_POST
def meeting_details(request, partnership, meeting_id: int):
    """The coordinator sets the meeting's start time, venue and webcast link."""
    meeting = _meeting(request, meeting_id)
    if locked := _locked(request, meeting):
        return locked
    form = MeetingDetailsForm(request.POST)
    if form.is_valid():
        try:
            committee.set_details(
                meeting,
                form.cleaned_data["start_time"],
                form.cleaned_data["venue"],
                form.cleaned_data["webcast_url"],
            )
        except ValidationError as err:
            form.add_error(None, err.messages)
        else:
            messages.success(request, "Time and venue saved")
            return _back(request, meeting)
    return render(
        request,
        "meetings/meeting.html",
        _meeting_context(request, meeting, details_form=form),
        status=400,
    )


@requires(Permission.MINUTE)
@require_POST
def agenda_publish(request, partnership, meeting_id: int):
    """Record that the agenda and papers are published today."""
    meeting = _restricted_meeting(request, meeting_id)
    if locked := _locked(request, meeting):
        return locked
    committee.publish_agenda(meeting)
    messages.success(
        request, f"Agenda and papers published on {meeting.agenda_published_on:%-d %B %Y}"
    )
    return _back(request, meeting)


@requires(Permission.MINUTE)
@require_POST
def declaration_create(request, partnership, meeting_id: int):
    """The chair or coordinator records a declaration of interest made at the meeting."""
    meeting = _restricted_meeting(request, meeting_id)
    if locked := _locked(request, meeting):
        return locked
    people = Person.objects.filter(
        memberships__seat__group__partnership=meeting.group.partnership
    ).distinct()
    items = [
        i
        for i in meeting.agenda.select_related("meeting__group")
        if restricted.may_read(request.user, i)
    ]
    form = DeclarationForm(
        request.POST,
        people=people,
        items=AgendaItem.objects.filter(pk__in=[i.pk for i in items]),
    )
    if form.is_valid():
        try:
            committee.declare_interest(
                meeting,
                form.cleaned_data["person"],
                form.cleaned_data["kind"],
                form.cleaned_data["note"],
                form.cleaned_data["item"],
            )
        except ValidationError as err:
            form.add_error(None, err.messages)
        else:
            messages.success(request, "Declaration of interest recorded")
            return _back(request, meeting)
    return render(
        request,
        "meetings/meeting.html",
        _meeting_context(request, meeting, declaration_form=form),
        status=400,
    )


def _date(text: str, default: dt.date) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return default


@requires(Permission.VIEW_MEMBER)
def attendance_report(request, partnership, group):
    """Attendance at a group's meetings over a period (?from=, ?to=; the last twelve months by
    default), per person and per body; ?format=csv for the table."""
    g = get_object_or_404(Group, partnership=request.partnership, slug=group)
    today = dt.date.today()
    end = _date(request.GET.get("to", ""), today)
    start = _date(request.GET.get("from", ""), end - dt.timedelta(days=364))
    if start > end:
        start, end = end, start
    summary = attendance_summary(g, start, end, today)
    if request.GET.get("format") == "csv":
        text = tables.csv_text(
            summary_csv_rows(summary),
            header=SUMMARY_HEADER,
            kinds=SUMMARY_KINDS,
            lineterminator="\r\n",
        )
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        name = f"attendance-{g.slug}-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request,
        "meetings/attendance_report.html",
        {
            "partnership": request.partnership,
            "group": g,
            "start": start,
            "end": end,
            "summary": summary,
            "page_title": f"Attendance at {g.name}",
        },
    )


@requires(Permission.VIEW_PUBLIC)
def forward_plan(request, partnership):
    """The key decisions the partnership expects to take, with when, by whom and the documents
    to be considered. Public; coordinators add entries here."""
    p = request.partnership
    can_edit = allows(request.user, Permission.EDIT, p)
    groups = Group.objects.filter(partnership=p, restricted=False)
    form = KeyDecisionForm(request.POST or None, groups=groups)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            entry = committee.add_key_decision(
                form.cleaned_data["group"],
                form.cleaned_data["title"],
                form.cleaned_data["expected_on"],
                form.cleaned_data["summary"],
                form.cleaned_data["documents"],
            )
            messages.success(request, f"Added to the forward plan: {entry.title}")
            return redirect("meetings:forward-plan", partnership=p.slug)
    entries = (
        KeyDecision.objects.filter(
            partnership=p,
            group__restricted=False,
            status=KeyDecision.Status.PLANNED,
            expected_on__gte=dt.date.today(),
        )
        .select_related("group")
        .order_by("expected_on", "pk")
    )
    return render(
        request,
        "meetings/forward_plan.html",
        {
            "partnership": p,
            "entries": entries,
            "form": form,
            "can_edit": can_edit,
            "page_title": f"Forward plan of key decisions – {p.name}",
        },
        status=400 if form.errors else 200,
    )
