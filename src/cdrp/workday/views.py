"""Each person's home page (the site's home, `core:home`, for a signed-in person), their own
actions updated and closed from it, and their notifications with how they arrive."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cdrp.accounts import notifications
from cdrp.accounts.models import Notification, NotificationPreference
from cdrp.accounts.policy import (
    Permission,
    may_change_action,
    object_or_404,
    public,
    requires,
)
from cdrp.meetings import restricted, services
from cdrp.meetings.models import Action
from cdrp.workday import dashboard as d
from cdrp.workday.forms import ActionNoteForm, PreferenceForm


def dashboard(request):
    """The signed-in person's day (the shell's home page hands them here: see apps.py)."""
    today = timezone.localdate()
    user = request.user
    person = d.person_of(user)
    partnerships = d.my_partnerships(user)
    ps = [p for p, _ in partnerships]
    actions = d.my_actions(user, person)
    return render(
        request,
        "workday/home.html",
        {
            "today": today,
            "person": person,
            "memberships": partnerships,
            "meetings": d.next_meetings(user, person, today),
            "actions": actions,
            "overdue": sum(1 for a in actions if a.due < today),
            "approvals": d.approvals(user, person, today),
            "deadlines": [x for p in ps for x in d.deadlines(p, today)],
            "freshness": d.freshness(ps, today),
            "notifications": list(Notification.objects.filter(user=user, read_at__isnull=True)[:5]),
            "note_form": ActionNoteForm(),
            "page_title": "Your day",
        },
    )


def _my_action(request, action_id: int) -> Action:
    """The action, through the partnership in the address; 404 for another partnership's or a
    restricted one the reader may not see, 403 for one they may see but not change."""
    action = object_or_404(
        Action.objects.select_related("owner", "group", "partnership"),
        request.partnership,
        pk=action_id,
    )
    if not restricted.may_read(request.user, action):
        raise Http404("No such action")
    if not may_change_action(request.user, action):
        raise PermissionDenied
    return action


def _back(request) -> str:
    return reverse("core:home") + "#my-actions"


@requires(Permission.VIEW_MEMBER)
@require_POST
def action_update(request, partnership, action_id: int):
    action = _my_action(request, action_id)
    form = ActionNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a note of what has been done so far")
        return redirect(_back(request))
    try:
        services.update_action(action, request.user, form.cleaned_data["note"])
    except services.ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Progress noted: {action}")
    return redirect(_back(request))


@requires(Permission.VIEW_MEMBER)
@require_POST
def action_close(request, partnership, action_id: int):
    action = _my_action(request, action_id)
    form = ActionNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what was done, or why the action is dropped")
        return redirect(_back(request))
    try:
        services.close_action(
            action,
            request.user,
            form.cleaned_data["note"],
            dropped=form.cleaned_data["dropped"],
            on=timezone.localdate(),
        )
    except services.ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Action closed: {action}")
    return redirect(_back(request))


@public
@login_required
def notification_list(request):
    items = Notification.objects.filter(user=request.user)
    if request.GET.get("show") == "unread":
        items = items.filter(read_at__isnull=True)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "workday/notifications.html",
        {
            "page": page,
            "show": request.GET.get("show", "all"),
            "delivery": notifications.delivery_of(request.user),
            "delivery_label": dict(NotificationPreference.Delivery.choices)[
                notifications.delivery_of(request.user)
            ],
            "page_title": "Notifications",
        },
    )


@public
@login_required
@require_POST
def notification_read(request):
    """Mark one notification read (and go to what it is about), or all of them."""
    raw = request.POST.get("notification", "")
    if raw.isdigit():
        n = Notification.objects.filter(user=request.user, pk=int(raw)).first()
        if n is None:
            raise Http404("No such notification")
        notifications.mark_read(request.user, [n.pk])
        if request.POST.get("go") and url_has_allowed_host_and_scheme(
            n.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(n.url)
    else:
        count = notifications.mark_read(request.user)
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read")
    return redirect("workday:notifications")


@public
@login_required
def preferences(request):
    pref = NotificationPreference.objects.filter(user=request.user).first()
    pref = pref or NotificationPreference(user=request.user)
    form = PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your notification settings are saved")
        return redirect("workday:notifications")
    return render(
        request,
        "workday/preferences.html",
        {
            "form": form,
            "has_email": bool(request.user.email),
            "page_title": "Notification settings",
        },
        status=400 if form.errors else 200,
    )


__all__ = [
    "dashboard",
    "action_update",
    "action_close",
    "notification_list",
    "notification_read",
    "preferences",
]
