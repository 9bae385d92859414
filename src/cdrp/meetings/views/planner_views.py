"""The meeting planner and the calendars: the planned year (page, ICS, saving it), pinning a
planned meeting, the month grid, the meetings ICS and the meeting load."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from itertools import groupby

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import Permission, allows, requires
from cdrp.analysis.planner import PlanInfeasible
from cdrp.core import documents
from cdrp.meetings.load import compare_load
from cdrp.meetings.models import (
    Booking,
    Meeting,
)
from cdrp.meetings.planner_store import solved_year
from cdrp.meetings.services import (
    calendar_ics,
    meetings_ics,
    save_plan,
)
from cdrp.meetings.views.common import (
    _locked,
    _meeting,
    _year,
)
from cdrp.partnerships.models import Membership, Partnership

WEB_SEARCH_SECONDS = 3.0  # a first solve waits for a clash-free calendar and a short search


@requires(Permission.VIEW_MEMBER)
def planner(request, partnership):
    """A clash-free calendar of the partnership's groups for a municipal year: the stored
    solution for the year's current inputs (solved once, again only when they change or the
    coordinator asks)."""
    p = request.partnership
    year = _year(request)
    context = {
        "partnership": p,
        "year": year,
        "can_plan": allows(request.user, Permission.EDIT, p),
        "page_title": f"Meeting planner – {p.name}",
    }
    try:
        result, inputs, stored = solved_year(p, year, WEB_SEARCH_SECONDS)
    except PlanInfeasible as err:
        return render(
            request, "meetings/planner.html", context | {"reasons": err.reasons}, status=200
        )
    except ValueError as err:
        return render(request, "meetings/planner.html", context | {"problem": str(err)}, status=200)
    rows = [
        {
            "date": m.date,
            "start": m.start,
            "end": m.end,
            "group": inputs.names.get(m.group, m.group),
            "venue": inputs.names.get(m.venue, m.venue),
        }
        for m in result.meetings
    ]
    months = [
        (key, list(items))
        for key, items in groupby(rows, key=lambda r: r["date"].strftime("%B %Y"))
    ]
    return render(
        request,
        "meetings/planner.html",
        context
        | {"months": months, "result": result, "count": len(rows), "solved_at": stored.created_at},
    )


@requires(Permission.VIEW_MEMBER)
def planner_ics(request, partnership):
    """The planned year as iCalendar, rendered once per stored solution, served with its ETag."""
    p = request.partnership
    year = _year(request)
    try:
        result, inputs, stored = solved_year(p, year, WEB_SEARCH_SECONDS)
    except ValueError as err:  # PlanInfeasible is a ValueError too
        return HttpResponse(str(err), status=409, content_type="text/plain; charset=utf-8")
    doc = documents.cached(
        "planner-ics",
        f"{p.pk}-{year}",
        [stored.fingerprint],
        lambda: calendar_ics(p, result, inputs),
        "text/calendar; charset=utf-8",
    )
    return documents.response(request, doc, f"{p.slug}-meetings-{year}.ics")


@requires(Permission.EDIT)
@require_POST
def planner_resolve(request, partnership):
    """Solve the year again now (the stored solution is replaced), e.g. after a longer search."""
    p = request.partnership
    year = _year(request)
    try:
        solved_year(p, year, WEB_SEARCH_SECONDS, resolve=True)
    except ValueError as err:
        messages.error(request, str(err))
    else:
        messages.success(request, "The year was planned again")
    return redirect(f"{request.path.rsplit('resolve', 1)[0]}?year={year}")


@requires(Permission.EDIT)
@require_POST
def planner_save(request, partnership):
    """Save the planned year as meetings; pinned meetings stay where they are."""
    p = request.partnership
    year = _year(request)
    try:
        result, _, _ = solved_year(p, year, WEB_SEARCH_SECONDS)
    except ValueError as err:
        messages.error(request, str(err))
    else:
        done = save_plan(p, year, result)
        messages.success(
            request,
            f"Planned meetings saved: {done['created']} new, {done['moved']} moved, "
            f"{done['kept']} kept where they were",
        )
    return redirect(f"{request.path.rsplit('save', 1)[0]}?year={year}")


@requires(Permission.EDIT)
@require_POST
def meeting_pin(request, partnership, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    if locked := _locked(request, meeting):
        return locked
    booking = Booking.objects.filter(meeting=meeting).first()
    if booking is None:
        messages.error(request, "Only a meeting from the planner can be pinned")
    else:
        booking.pinned = not booking.pinned
        booking.save()
        messages.success(
            request,
            "Meeting pinned: re-planning keeps it" if booking.pinned else "Meeting unpinned",
        )
    return redirect("meetings:meeting", partnership=request.partnership.slug, meeting_id=meeting.pk)


@requires(Permission.VIEW_MEMBER)
def month(request, partnership):
    """A month of the partnership's meetings as a calendar grid."""
    today = dt.date.today()
    try:
        first = dt.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        first = today.replace(day=1)
    last = first.replace(day=_calendar.monthrange(first.year, first.month)[1])
    meetings = Meeting.objects.filter(
        group__partnership=request.partnership, date__range=(first, last)
    ).select_related("group")
    by_day: dict[dt.date, list] = {}
    for m in meetings:
        by_day.setdefault(m.date, []).append(m)
    weeks = [
        [
            {"date": d, "in_month": d.month == first.month, "meetings": by_day.get(d, [])}
            for d in week
        ]
        for week in _calendar.Calendar().monthdatescalendar(first.year, first.month)
    ]
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    return render(
        request,
        "meetings/month.html",
        {
            "partnership": request.partnership,
            "first": first,
            "weeks": weeks,
            "previous": previous,
            "following": following,
            "today": today,
            "page_title": f"Meetings in {first:%B %Y}",
        },
    )


@requires(Permission.VIEW_PUBLIC)
def calendar(request, partnership):
    """The partnership's meetings as iCalendar: members get every meeting, the public only
    meetings open to the public. ?group=SLUG or ?person=SLUG narrows it."""
    p = request.partnership
    meetings = Meeting.objects.filter(group__partnership=p).select_related("group__partnership")
    if not allows(request.user, Permission.VIEW_MEMBER, p):
        meetings = meetings.filter(public=True, group__restricted=False)
    title = f"{p.name} meetings"
    if group := request.GET.get("group"):
        meetings = meetings.filter(group__slug=group)
        title = f"{p.name}: {group}"
    if person := request.GET.get("person"):
        seats = Membership.objects.filter(person__slug=person).values("seat__group")
        meetings = meetings.filter(group__in=seats)
        title = f"{p.name}: meetings of {person}"
    meetings = list(meetings.order_by("date"))
    # Rendered once per version of the meetings it lists (their ids, versions and last changes).
    parts = [title, [(m.pk, m.version, m.updated_at.isoformat(), m.group.name) for m in meetings]]
    scope = f"{p.pk}:{request.GET.get('group', '')}:{request.GET.get('person', '')}:" + (
        "members" if allows(request.user, Permission.VIEW_MEMBER, p) else "public"
    )
    doc = documents.cached(
        "meetings-ics",
        scope[:100],
        parts,
        lambda: meetings_ics(title, meetings),
        "text/calendar; charset=utf-8",
    )
    response = documents.response(request, doc, f"{p.slug}-meetings.ics")
    if response.status_code == 200:
        response["Content-Disposition"] = f'inline; filename="{p.slug}-meetings.ics"'
    return response


@requires(Permission.VIEW_MEMBER)
def load(request, partnership):
    """Hours a year each organisation spends in this partnership's meetings, against the
    structures it replaced (or the partnerships named in ?compare=slug,slug)."""
    p = request.partnership
    slugs = [s for s in request.GET.get("compare", "").split(",") if s]
    before = (
        list(Partnership.objects.filter(slug__in=slugs)) if slugs else list(p.merged_from.all())
    )
    rows = compare_load(before, [p]) if before else []
    totals = {
        key: sum(r[key] for r in rows)
        for key in (
            "before_meetings",
            "before_hours",
            "after_meetings",
            "after_hours",
            "saved_hours",
        )
    }
    return render(
        request,
        "meetings/load.html",
        {
            "partnership": p,
            "before": before,
            "rows": rows,
            "totals": totals,
            "page_title": f"Meeting load – {p.name}",
        },
    )
