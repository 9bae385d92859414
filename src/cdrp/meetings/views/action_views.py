"""The action tracker: raising an action at a meeting, closing one, and the list of actions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import Permission, allows, may_change_action, requires
from cdrp.meetings import agenda, restricted, services
from cdrp.meetings.forms import (
    ActionForm,
    CloseActionForm,
)
from cdrp.meetings.models import Action as ActionItem
from cdrp.meetings.models import Meeting
from cdrp.meetings.views.common import (
    _locked,
    _restricted_meeting,
)
from cdrp.meetings.views.meeting_views import _meeting_context
from cdrp.partnerships.models import Person


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


def _closing_meetings(request, item: ActionItem):
    """The meetings an action may be recorded closed at: its group's meetings held from the
    one that raised it up to today, newest first (a restricted group's only to its readers,
    which the action's own check already demands)."""
    meetings = Meeting.objects.filter(group=item.group, date__lte=timezone.localdate())
    if item.meeting is not None:
        meetings = meetings.filter(date__gte=item.meeting.date)
    return meetings.select_related("group").order_by("-date", "-pk")


@requires(Permission.VIEW_MEMBER)
def action_close(request, partnership, action_id: int):
    """Close an action: the outcome note, done or dropped, and the meeting whose minutes record
    it (`cdrp.meetings.services.close_action`, as the dashboard closes one). Its owner or those
    who minute meetings may; a restricted group's action only its readers."""
    item = get_object_or_404(
        ActionItem.objects.select_related("group", "owner", "meeting"),
        pk=action_id,
        partnership=request.partnership,
    )
    if not restricted.may_read(request.user, item):
        raise Http404("No such action")
    if not may_change_action(request.user, item):
        raise PermissionDenied("You may not close this action")
    meetings = _closing_meetings(request, item)
    form = CloseActionForm(request.POST or None, meetings=meetings)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.close_action(
                    item,
                    request.user,
                    form.cleaned_data["outcome"],
                    dropped=form.cleaned_data["dropped"],
                    on=timezone.localdate(),
                    meeting=form.cleaned_data.get("meeting"),
                )
            except services.ActionRefused as refusal:
                form.add_error(
                    refusal.field if refusal.field in form.fields else None, refusal.message
                )
            else:
                messages.success(request, f"Action closed: {item}")
                return redirect("meetings:actions", partnership=request.partnership.slug)
        status = 400
    return render(
        request,
        "meetings/action_close.html",
        {
            "partnership": request.partnership,
            "item": item,
            "form": form,
            "page_title": f"Close the action: {item}",
        },
        status=status,
    )


@requires(Permission.VIEW_MEMBER)
def actions(request, partnership):
    """Open and overdue actions by group, organisation and person. A restricted group's actions
    are listed only to its members, each one listed audited as a read."""
    today = dt.date.today()
    hidden = restricted.hidden_group_ids(request.user, request.partnership)
    items = (
        ActionItem.objects.filter(partnership=request.partnership)
        .exclude(group_id__in=hidden)
        .select_related("owner", "organisation", "group", "meeting", "closed_at")
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
    can_edit = allows(request.user, Permission.MINUTE, request.partnership)
    return render(
        request,
        "meetings/actions.html",
        {
            "partnership": request.partnership,
            "items": items,
            "withheld": bool(hidden),
            "today": today,
            "show": show,
            "can_edit": can_edit,
            "may_close": {a.pk for a in items if can_edit or may_change_action(request.user, a)},
            "page_title": "Actions",
        },
    )
