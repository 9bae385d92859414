"""The action tracker: raising an action at a meeting, closing one, and the list of actions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cdrp.accounts.policy import Permission, allows, requires
from cdrp.meetings import agenda, restricted
from cdrp.meetings.forms import (
    ActionForm,
    CloseActionForm,
)
from cdrp.meetings.models import Action as ActionItem
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
