"""Meeting pages: the planner and its calendar, a group's meetings, agenda, attendance with the
quorum, and the action tracker."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import Permission, allows, may_see_restricted, requires
from cdrp.analysis.planner import PlanInfeasible
from cdrp.core.models import ConflictError, required_version
from cdrp.core.uploads import upload_limit, upload_refusal
from cdrp.meetings import agenda, restricted
from cdrp.meetings.forms import (
    ActionForm,
    AmendMinutesForm,
    CloseActionForm,
    DecisionForm,
    MeetingForm,
)
from cdrp.meetings.load import compare_load
from cdrp.meetings.minutes import minutes_html, minutes_pdf
from cdrp.meetings.models import Action as ActionItem
from cdrp.meetings.models import (
    Attendance,
    Booking,
    Meeting,
    Minutes,
    MinutesLocked,
    Paper,
    approved_meeting_ids,
    refuse_if_locked,
)
from cdrp.meetings.papers import add_paper
from cdrp.meetings.services import (
    MinutesRefused,
    amend_minutes,
    amending_decisions,
    approve_minutes,
    calendar_ics,
    decide,
    meetings_ics,
    plan_year,
    save_plan,
)
from cdrp.partnerships.models import Group, Membership, Partnership, Person, Seat

WEB_SEARCH_SECONDS = 3.0  # a page waits for the first clash-free calendar and a short search


def _year(request) -> int:
    today = dt.date.today()
    default = today.year if today.month >= 4 else today.year - 1
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        year = default
    return min(max(year, 2000), 2100)


@requires(Permission.VIEW_MEMBER)
def planner(request, partnership):
    """A clash-free calendar of the partnership's groups for a municipal year."""
    p = request.partnership
    year = _year(request)
    context = {"partnership": p, "year": year, "page_title": f"Meeting planner – {p.name}"}
    try:
        result, inputs = plan_year(p, year, time_limit=WEB_SEARCH_SECONDS)
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
        context | {"months": months, "result": result, "count": len(rows)},
    )


@requires(Permission.VIEW_MEMBER)
def planner_ics(request, partnership):
    p = request.partnership
    year = _year(request)
    try:
        result, inputs = plan_year(p, year, time_limit=WEB_SEARCH_SECONDS)
    except ValueError as err:  # PlanInfeasible is a ValueError too
        return HttpResponse(str(err), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        calendar_ics(p, result, inputs), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{p.slug}-meetings-{year}.ics"'
    return response


def _meeting(request, meeting_id: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("group"),
        pk=meeting_id,
        group__partnership=request.partnership,
    )


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
                    g, form.cleaned_data["date"], form.cleaned_data["public"]
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
    return render(
        request,
        "meetings/group.html",
        {
            "partnership": request.partnership,
            "group": g,
            "meetings": g.meetings.order_by("-date"),
            "form": form,
            "can_edit": allows(request.user, Permission.EDIT, request.partnership),
            "page_title": f"Meetings of {g.name}",
        },
        status=400 if form.errors else 200,
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


def _meeting_context(request, meeting: Meeting, action_form=None, approve_errors=None) -> dict:
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
    versions = record.versions() if record is not None and approved and not withheld else []
    if versions and len(versions) > 1:
        restricted.audit_reads([v["amendment"] for v in versions[1:]])
    restricted.audit_reads([*shown, *actions, *decisions])
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
        # A tasking meeting looks at the last complete month before it.
        "tasking_month": (meeting.date.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m"),
        "can_plan": allows(request.user, Permission.EDIT, request.partnership),
        "page_title": str(meeting),
    }


@requires(Permission.VIEW_MEMBER)
def meeting_page(request, partnership, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    return render(request, "meetings/meeting.html", _meeting_context(request, meeting))


@requires(Permission.MINUTE)
@require_POST
def attendance(request, partnership, meeting_id: int):
    """Save the attendance form; with HTMX, answer with the quorum panel only. Refused once the
    minutes are approved."""
    meeting = _meeting(request, meeting_id)
    if request.headers.get("HX-Request") and approved_meeting_ids({meeting.pk}):
        return render(
            request,
            "meetings/_quorum.html",
            {
                "quorum": agenda.quorum(meeting),
                "errors": ["The minutes are approved: the attendance can no longer change"],
            },
            status=409,
        )
    if locked := _locked(request, meeting):
        return locked
    errors = []
    for key, status in request.POST.items():
        if not key.startswith("status-") or not status:
            continue
        try:
            seat_id, person_id = (int(x) for x in key.removeprefix("status-").split("-"))
            seat = get_object_or_404(Seat, pk=seat_id)
            person = get_object_or_404(Person, pk=person_id)
            agenda.record_attendance(meeting, seat, person, status)
        except (ValueError, ValidationError) as err:
            errors.append("; ".join(getattr(err, "messages", [str(err)])))
    if request.headers.get("HX-Request"):
        return render(
            request, "meetings/_quorum.html", {"quorum": agenda.quorum(meeting), "errors": errors}
        )
    for e in errors:
        messages.error(request, e)
    if not errors:
        messages.success(request, "Attendance saved")
    return redirect("meetings:meeting", partnership=request.partnership.slug, meeting_id=meeting.pk)


@requires(Permission.MINUTE)
@require_POST
def action_create(request, partnership, meeting_id: int):
    meeting = _restricted_meeting(request, meeting_id)
    if locked := _locked(request, meeting):
        return locked
    people = Person.objects.filter(
        memberships__seat__group__partnership=meeting.group.partnership
    ).distinct()
    form = ActionForm(request.POST, people=people)
    if form.is_valid():
        try:
            agenda.raise_action(
                meeting,
                form.cleaned_data["description"],
                form.cleaned_data["owner"],
                form.cleaned_data["due"],
                hotspot=form.cleaned_data["hotspot"],
                priority=form.cleaned_data["priority"],
            )
        except ValidationError as err:
            form.add_error("due", "; ".join(err.messages))
        else:
            messages.success(request, "Action raised")
            return redirect(
                "meetings:meeting", partnership=request.partnership.slug, meeting_id=meeting.pk
            )
    return render(
        request, "meetings/meeting.html", _meeting_context(request, meeting, form), status=400
    )


@requires(Permission.MINUTE)
@require_POST
def action_close(request, partnership, action_id: int):
    item = get_object_or_404(
        ActionItem.objects.select_related("group"), pk=action_id, partnership=request.partnership
    )
    if not restricted.may_read(request.user, item):
        raise Http404("No such action")
    form = CloseActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what was done, or why the action is dropped")
    else:
        try:
            agenda.close_action(
                item, form.cleaned_data["outcome"], dt.date.today(), form.cleaned_data["dropped"]
            )
            messages.success(request, f"Action closed: {item}")
        except ValidationError as err:
            messages.error(request, "; ".join(err.messages))
    return redirect("meetings:actions", partnership=request.partnership.slug)


@requires(Permission.VIEW_MEMBER)
def actions(request, partnership):
    """Open and overdue actions by group, organisation and person. A restricted group's actions
    are listed only to its members, each one listed audited as a read."""
    today = dt.date.today()
    hidden = restricted.hidden_group_ids(request.user, request.partnership)
    items = (
        ActionItem.objects.filter(partnership=request.partnership)
        .exclude(group_id__in=hidden)
        .select_related("owner", "organisation", "group", "meeting")
    )
    show = request.GET.get("show", "open")
    if show in ("open", "overdue"):
        items = items.filter(status=ActionItem.Status.OPEN)
    if show == "overdue":
        items = items.filter(due__lt=today)
    for field in ("hotspot", "priority"):
        if value := request.GET.get(field):
            items = items.filter(**{field: value})
    for field in ("group", "organisation", "owner"):
        value = request.GET.get(field)
        if value and value.isdigit():
            items = items.filter(**{f"{field}_id": int(value)})
    items = list(items)
    restricted.audit_reads(items)
    return render(
        request,
        "meetings/actions.html",
        {
            "partnership": request.partnership,
            "items": items,
            "withheld": bool(hidden),
            "today": today,
            "show": show,
            "close_form": CloseActionForm(),
            "can_edit": allows(request.user, Permission.MINUTE, request.partnership),
            "page_title": "Actions",
        },
    )


@requires(Permission.VIEW_MEMBER)
def minutes(request, partnership, meeting_id: int):
    """The minutes as a council paper: HTML, or PDF with ?format=pdf."""
    meeting = _restricted_meeting(request, meeting_id)
    if request.GET.get("format") == "pdf":
        pdf = minutes_pdf(meeting, reader=request.user)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"minutes-{meeting.group.slug}-{meeting.date:%Y-%m-%d}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return HttpResponse(minutes_html(meeting, reader=request.user, request=request))


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
    response = HttpResponse(
        meetings_ics(title, meetings.order_by("date")), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{p.slug}-meetings.ics"'
    return response


@upload_limit("PAPER_MAX_BYTES", "papers")
@requires(Permission.MINUTE)
@require_POST
def paper_upload(request, partnership, meeting_id: int, item_id: int):
    """Add a paper to an agenda item. A file over the limit is refused while it is read (the
    rest of it is never read); what arrives is checked by its content (cdrp.meetings.papers)."""
    meeting = _meeting(request, meeting_id)
    item = get_object_or_404(meeting.agenda.select_related("meeting__group"), pk=item_id)
    if not restricted.may_read(request.user, item):
        raise Http404("No such agenda item")
    if locked := _locked(request, meeting):
        return locked
    refused = upload_refusal(request)
    upload = request.FILES.get("file")
    if refused:
        messages.error(request, refused)
    elif upload is None:
        messages.error(request, "Choose a file to upload")
    else:
        try:
            add_paper(item, upload, request.POST.get("title", "").strip(), request.user)
            messages.success(request, f"Paper added to “{item.title}”")
        except ValidationError as err:
            messages.error(request, "; ".join(err.messages))
    return redirect("meetings:meeting", partnership=request.partnership.slug, meeting_id=meeting.pk)


@requires(Permission.VIEW_MEMBER)
def paper_download(request, partnership, paper_id: int):
    paper = get_object_or_404(
        Paper.objects.select_related("item__meeting__group"),
        pk=paper_id,
        item__meeting__group__partnership=request.partnership,
    )
    if not restricted.may_read(request.user, paper):
        raise Http404("No such paper")
    restricted.audit_reads([paper])
    name = paper.file.name.rsplit("/", 1)[-1]
    return FileResponse(paper.file.open("rb"), as_attachment=True, filename=name)


@requires(Permission.MINUTE)
def minutes_edit(request, partnership, meeting_id: int):
    """Write the narrative minutes. The form carries the version it was opened at, so a second
    clerk saving over the first gets a conflict message and keeps their text."""
    meeting = _restricted_meeting(request, meeting_id)
    if locked := _locked(request, meeting, 409 if request.method == "POST" else 200):
        return locked
    record = Minutes.objects.filter(meeting=meeting).first()
    text = record.text if record else ""
    version = record.version if record else 0
    if record is not None and request.method != "POST":
        restricted.audit_reads([record])  # a restricted group's minutes, shown to edit
    error, status = "", 200
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            expected = required_version(request.POST.get("version"))
            agenda.save_minutes(meeting, text, expected)
        except (ConflictError, ValidationError) as err:
            error = err.messages[0] if isinstance(err, ValidationError) else str(err)
            status = 400 if isinstance(err, ValidationError) else 409
            current = Minutes.objects.filter(meeting=meeting).first()
            version = current.version if current else 0
        else:
            messages.success(request, "Minutes saved")
            return redirect(
                "meetings:meeting", partnership=request.partnership.slug, meeting_id=meeting.pk
            )
    return render(
        request,
        "meetings/minutes_edit.html",
        {
            "partnership": request.partnership,
            "meeting": meeting,
            "text": text,
            "version": version,
            "error": error,
            "page_title": f"Minutes of {meeting}",
        },
        status=status,
    )


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


@requires(Permission.APPROVE)
@require_POST
def minutes_approve(request, partnership, meeting_id: int):
    """The chair signs the minutes off; approved minutes of a public meeting are published.
    Refused, naming what is missing, without minutes text or recorded attendance."""
    meeting = _restricted_meeting(request, meeting_id)
    if locked := _locked(request, meeting):
        return locked
    try:
        approve_minutes(meeting)
    except MinutesRefused as exc:
        return render(
            request,
            "meetings/meeting.html",
            _meeting_context(request, meeting, approve_errors=exc.missing),
            status=400,
        )
    messages.success(request, "Minutes approved" + (" and published" if meeting.public else ""))
    return redirect("meetings:meeting", partnership=request.partnership.slug, meeting_id=meeting.pk)


@requires(Permission.MINUTE)
def minutes_amend(request, partnership, meeting_id: int):
    """Amend approved minutes as a later meeting of the group agreed (its own decision): a new
    version with the reason; every earlier version stays."""
    meeting = _restricted_meeting(request, meeting_id)
    record = Minutes.objects.filter(meeting=meeting, approved=True).first()
    if record is None:
        messages.error(request, "Only approved minutes are amended: until then, edit them")
        return redirect(
            "meetings:meeting", partnership=request.partnership.slug, meeting_id=meeting.pk
        )
    decisions = amending_decisions(meeting)
    form = AmendMinutesForm(
        request.POST or None, decisions=decisions, initial={"text": record.current_text}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                amendment = amend_minutes(
                    meeting,
                    form.cleaned_data["text"],
                    form.cleaned_data["reason"],
                    form.cleaned_data["decision"],
                )
            except MinutesRefused as exc:
                for field, message in exc.missing:
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(
                    request,
                    f"Minutes amended: version {amendment.number}, as agreed at the meeting of "
                    f"{amendment.decision.meeting.date:%-d %B %Y}",
                )
                return redirect(
                    "meetings:meeting", partnership=request.partnership.slug, meeting_id=meeting.pk
                )
        status = 400
    return render(
        request,
        "meetings/minutes_amend.html",
        {
            "partnership": request.partnership,
            "meeting": meeting,
            "form": form,
            "has_decisions": decisions.exists(),
            "page_title": f"Amend the minutes of {meeting}",
        },
        status=status,
    )


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


@requires(Permission.VIEW_PUBLIC)
def public_minutes(request, partnership, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    record = getattr(meeting, "minutes_record", None)
    if not meeting.public or meeting.group.restricted or record is None or not record.approved:
        raise Http404("These minutes are not published")
    return HttpResponse(minutes_html(meeting, request=request))


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


@requires(Permission.EDIT)
@require_POST
def planner_save(request, partnership):
    """Save the planned year as meetings; pinned meetings stay where they are."""
    p = request.partnership
    year = _year(request)
    try:
        result, _ = plan_year(p, year, time_limit=WEB_SEARCH_SECONDS)
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


@requires(Permission.MINUTE)
@require_POST
def meeting_agenda(request, partnership, meeting_id: int):
    meeting = _restricted_meeting(request, meeting_id)
    if locked := _locked(request, meeting):
        return locked
    agenda.prepare_agenda(meeting)
    return redirect("meetings:meeting", partnership=request.partnership.slug, meeting_id=meeting.pk)


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
