"""Minutes and attendance: recording who attended (with the quorum), writing, approving and
amending the minutes, and the published minutes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import Permission, requires
from cdrp.core.models import ConflictError, required_version
from cdrp.meetings import agenda, restricted
from cdrp.meetings.forms import (
    AmendMinutesForm,
)
from cdrp.meetings.minutes import minutes_html, minutes_pdf
from cdrp.meetings.models import (
    Minutes,
    approved_meeting_ids,
)
from cdrp.meetings.services import (
    MinutesRefused,
    amend_minutes,
    amending_decisions,
    approve_minutes,
)
from cdrp.meetings.views.common import (
    _locked,
    _meeting,
    _restricted_meeting,
)
from cdrp.meetings.views.meeting_views import _meeting_context
from cdrp.partnerships.models import Person, Seat


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
def public_minutes(request, partnership, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    record = getattr(meeting, "minutes_record", None)
    if not meeting.public or meeting.group.restricted or record is None or not record.approved:
        raise Http404("These minutes are not published")
    return HttpResponse(minutes_html(meeting, request=request))
