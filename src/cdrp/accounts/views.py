"""Sign in and out, password reset and change, two-factor codes, the account page (roles, API
tokens, last sign-in) and the audit trail for administrators."""

from __future__ import annotations

import json
from datetime import date, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode
from django.views.decorators.http import require_POST

from cdrp.accounts import two_factor
from cdrp.accounts.audit_trail import audit_rows, record_kind
from cdrp.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    GrantRoleForm,
    NewPasswordForm,
    ResetRequestForm,
    SignInForm,
    TokenForm,
)
from cdrp.accounts.middleware import PREVIOUS_SIGN_IN
from cdrp.accounts.models import ApiToken, AuditEvent, PartnershipRole, partnership_model
from cdrp.accounts.notices import security_notice
from cdrp.accounts.policy import Permission, Role, public, requires, visible_audit_events
from cdrp.core.context_processors import SERVICE_NAME


def _next_url(request, default: str = "") -> str:
    """Where to go afterwards: `next` if it is on this site, else `default` (else the home page)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url}, safe='/')}"


class SignInView(auth_views.LoginView):
    """The password; then, for someone with an authenticator app, the code (or, for a site
    administrator without one, setting one up). Failed passwords are counted by django-axes."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        user = self.request.user
        if two_factor.has_authenticator(user):
            return _with_next("accounts:two-factor-verify", url)
        if two_factor.required_for(user):
            return _with_next("accounts:two-factor-set-up", url)
        return url


login = public(SignInView.as_view())
logout = public(auth_views.LogoutView.as_view())


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response: the same page whether or not the user name exists."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "page_title": "Too many attempts to sign in"},
        status=429,
    )


# A set-password link works once (its token covers the password hash) and for this many days.
_EXPIRY_DAYS = settings.PASSWORD_RESET_TIMEOUT // 86400


class _SetPassword(auth_views.PasswordResetConfirmView):
    template_name = "accounts/set_password.html"
    extra_context = {"expiry_days": _EXPIRY_DAYS}
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form):
        from axes.handlers.proxy import AxesProxyHandler

        response = super().form_valid(form)
        # Whoever holds the link can set the password anyway: the lockout protects nothing now.
        AxesProxyHandler.reset_attempts(username=form.user.get_username())
        security_notice(self.request, form.user, "Your password was set")
        messages.success(self.request, "Your password has been set. Sign in with it.")
        return response


set_password = public(_SetPassword.as_view())
password_reset = public(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        form_class=ResetRequestForm,
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password-reset-sent"),
        extra_email_context={"expiry_days": _EXPIRY_DAYS, "service_name": SERVICE_NAME},
    )
)
password_reset_sent = public(
    auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_sent.html",
        extra_context={"expiry_days": _EXPIRY_DAYS},
    )
)


class _ChangePassword(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        # Django keeps this session (update_session_auth_hash); every other session of the
        # account fails its password check from now on and is signed out.
        response = super().form_valid(form)
        security_notice(self.request, form.user, "Your password was changed")
        messages.success(
            self.request,
            "Your password has been changed. Anywhere else you were signed in has been signed out.",
        )
        return response


password_change = requires(Permission.VIEW_MEMBER)(_ChangePassword.as_view())


# Two-factor codes. These are the person's own account pages: they need a signed-in person, no
# partnership role (their policy action is public; login_required turns anonymous visitors away).


def _verified(request, device) -> None:
    from django_otp import login as otp_login

    # A new session key for the raised privilege (ASVS 3.2.1), then the device in the session.
    request.session.cycle_key()
    otp_login(request, device)


@public
@login_required
def two_factor_verify(request):
    user = request.user
    if not two_factor.has_authenticator(user):
        if two_factor.required_for(user):
            return redirect(_with_next("accounts:two-factor-set-up", _next_url(request)))
        return redirect(_next_url(request))  # nothing to verify
    if user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None, check=lambda code: two_factor.check_code(user, code))
    if request.method == "POST" and form.is_valid():
        _verified(request, form.device)
        return HttpResponseRedirect(_next_url(request))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request), "page_title": "Enter your code"},
        status=400 if form.errors else 200,
    )


@public
@login_required
def two_factor_set_up(request):
    user = request.user
    if two_factor.has_authenticator(user):
        messages.info(request, "Two-factor authentication is already on for your account.")
        return redirect("accounts:account")
    device = two_factor.pending_authenticator(user)
    form = CodeForm(
        request.POST or None,
        check=lambda code: two_factor.confirm(device, code),
        hint="The 6-digit code the app shows now.",
    )
    if request.method == "POST" and form.is_valid():
        device.refresh_from_db()
        _verified(request, device)
        request.session["new_backup_codes"] = two_factor.new_backup_codes(user)
        request.session["after_backup_codes"] = _next_url(request, reverse("accounts:account"))
        security_notice(request, user, "Two-factor authentication was turned on")
        messages.success(request, "Two-factor authentication is on")
        return redirect("accounts:two-factor-backup-codes")
    return render(
        request,
        "accounts/two_factor_set_up.html",
        {
            "form": form,
            "qr": two_factor.qr_svg(device),
            "secret": two_factor.secret_for_display(device),
            "next": request.GET.get("next", ""),
            "page_title": "Set up two-factor authentication",
        },
        status=400 if form.errors else 200,
    )


_NEW_BACKUP_CODES = "New backup codes were made, and the old ones stopped working"


@public
@login_required
def two_factor_backup_codes(request):
    user = request.user
    if not two_factor.has_authenticator(user):
        return redirect("accounts:two-factor-set-up")
    if request.method == "POST":
        request.session["new_backup_codes"] = two_factor.new_backup_codes(user)
        security_notice(request, user, _NEW_BACKUP_CODES)
        return redirect("accounts:two-factor-backup-codes")
    return render(
        request,
        "accounts/two_factor_backup_codes.html",
        {
            "codes": request.session.pop("new_backup_codes", None),
            "continue_to": request.session.pop("after_backup_codes", reverse("accounts:account")),
            "left": two_factor.backup_codes_left(user),
            "page_title": "Your backup codes",
        },
    )


@public
@login_required
def two_factor_turn_off(request):
    user = request.user
    if not two_factor.has_authenticator(user):
        return redirect("accounts:account")
    form = CodeForm(request.POST or None, check=lambda code: two_factor.check_code(user, code))
    if request.method == "POST" and form.is_valid():
        two_factor.turn_off(user)
        security_notice(request, user, "Two-factor authentication was turned off")
        messages.success(request, "Two-factor authentication is off")
        return redirect("accounts:account")
    return render(
        request,
        "accounts/two_factor_turn_off.html",
        {"form": form, "page_title": "Turn off two-factor authentication"},
        status=400 if form.errors else 200,
    )


def _last_sign_in(request):
    """The sign-in before this session's, noted when this session signed in."""
    noted = request.session.get(PREVIOUS_SIGN_IN)
    if not noted:
        return None
    return {"at": datetime.fromisoformat(noted["at"]), "address": noted["address"]}


def _account_context(request, form) -> dict:
    Partnership = partnership_model()
    user = request.user
    administered = (
        Partnership.objects.all()
        if user.is_superuser
        else Partnership.objects.filter(roles__user=user, roles__role=Role.ADMINISTRATOR).distinct()
    )
    return {
        "roles": PartnershipRole.objects.filter(user=user).select_related("partnership"),
        "tokens": user.api_tokens.filter(revoked=False),
        "form": form,
        "administered": administered,
        "two_factor_on": two_factor.has_authenticator(user),
        "two_factor_required": two_factor.required_for(user),
        "backup_codes_left": two_factor.backup_codes_left(user),
        "last_sign_in": _last_sign_in(request),
        "page_title": "Your account",
    }


@requires(Permission.VIEW_MEMBER)
def account(request):
    context = _account_context(request, TokenForm())
    context["new_key"] = request.session.pop("new_api_key", None)
    return render(request, "accounts/account.html", context)


@requires(Permission.VIEW_MEMBER)
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/account.html", _account_context(request, form), status=400)
    _, key = ApiToken.issue(request.user, form.cleaned_data["name"])
    request.session["new_api_key"] = key
    return redirect("accounts:account")


@requires(Permission.VIEW_MEMBER)
@require_POST
def token_revoke(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.revoked = True
    token.save(update_fields=["revoked"])
    messages.success(request, f"Token “{token.name}” revoked")
    return redirect("accounts:account")


#: Audit trail: events per page, and the characters of a value shown before it is summarised.
AUDIT_PAGE_SIZE = 50
AUDIT_VALUE_CHARS = 200


def _audit_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def summarise_value(value, limit: int = AUDIT_VALUE_CHARS) -> str:
    """A value as the trail shows it: in full when short, else its first `limit` characters
    and how long it is ("… (N characters)"), so a whole document never fills the page."""
    text = _audit_text(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def changed_fields(changes: dict) -> list[dict]:
    """The fields an event changed (a pair whose two sides are equal is left out), each with
    its before and after summarised; for a structured value (a document), which of its keys
    changed."""
    shown = []
    for field, pair in (changes or {}).items():
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            continue
        before, after = pair
        if before == after:
            continue
        keys: list[str] = []
        if isinstance(before, dict) and isinstance(after, dict):
            keys = sorted(str(k) for k in set(before) | set(after) if before.get(k) != after.get(k))
        shown.append(
            {
                "field": field.removesuffix("_id") if field.endswith("_id") else field,
                "before": summarise_value(before),
                "after": summarise_value(after),
                "keys": keys,
            }
        )
    return shown


def _audit_filters(request, events):
    """Apply the trail's filters from the query string; returns the events, the values the
    form shows again and the errors (each naming the field and what it expects)."""
    values = {
        key: request.GET.get(key, "").strip()
        for key in ("person", "model", "action", "date_from", "date_to")
    }
    errors = []
    if values["person"]:
        events = events.filter(actor=values["person"])
    if values["model"]:
        events = events.filter(model=values["model"])
    if values["action"]:
        if values["action"] in AuditEvent.Action.values:
            events = events.filter(action=values["action"])
        else:
            errors.append({"field": "action", "text": "Choose a kind of change from the list"})
    dates = {}
    for key, word in (("date_from", "From"), ("date_to", "To")):
        if not values[key]:
            continue
        try:
            dates[key] = date.fromisoformat(values[key])
        except ValueError:
            errors.append(
                {"field": key, "text": f"{word} date must be a real date, for example 2022-03-30"}
            )
    if "date_from" in dates and "date_to" in dates and dates["date_from"] > dates["date_to"]:
        errors.append({"field": "date_to", "text": "To date must be on or after the from date"})
    else:
        if "date_from" in dates:
            events = events.filter(at__date__gte=dates["date_from"])
        if "date_to" in dates:
            events = events.filter(at__date__lte=dates["date_to"])
    return events, values, errors


def _page_links(page) -> list[dict]:
    """GOV.UK pagination items: the first, last and current pages with their neighbours, and
    an ellipsis for each gap."""
    total, current = page.paginator.num_pages, page.number
    wanted = sorted({1, total, current - 1, current, current + 1} & set(range(1, total + 1)))
    items: list[dict] = []
    for n in wanted:
        if items and n - items[-1]["number"] > 1:
            items.append({"ellipsis": True, "number": n - 1})
        items.append({"number": n, "current": n == current})
    return items


@requires(Permission.ADMINISTER)
def audit(request):
    """The trail of the partnerships the administrator holds; restricted records redacted for
    readers who may not read them (cdrp.accounts.audit_trail). Filtered by person, record
    kind, kind of change and dates; 50 a page; only changed fields, long values summarised."""
    visible = visible_audit_events(request.user)
    events, values, errors = _audit_filters(request, visible.select_related("partnership"))
    for error in errors:
        error["href"] = f"#{error['field']}"
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = audit_rows(page.object_list, request.user)
    for row in rows:
        row["fields"] = changed_fields(row["changes"])
    query = {k: v for k, v in values.items() if v}
    models_seen = sorted(visible.values_list("model", flat=True).distinct())
    return render(
        request,
        "accounts/audit.html",
        {
            "page": page,
            "rows": rows,
            "model": values["model"],
            "values": values,
            "errors": errors,
            "error_for": {e["field"]: e["text"] for e in errors},
            "people": sorted(visible.values_list("actor", flat=True).distinct()),
            "record_kinds": [(label, record_kind(label)) for label in models_seen],
            "actions": AuditEvent.Action.choices,
            "page_links": _page_links(page),
            "query": urlencode(query),
            "filtered": bool(query),
            "page_title": "Audit trail",
        },
    )


def _set_password_link(request, user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:set-password", kwargs={"uidb64": uid, "token": token})
    return request.build_absolute_uri(path)


@requires(Permission.ADMINISTER)
def roles(request, partnership):
    """A partnership administrator gives and removes roles, creating accounts for new people."""
    p = request.partnership
    form = GrantRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            first, _, last = data["full_name"].partition(" ")
            user, created = get_user_model().objects.get_or_create(
                username=data["username"],
                defaults={"first_name": first, "last_name": last, "email": data["email"]},
            )
            if created:
                user.set_unusable_password()
                user.save()
            _, granted = PartnershipRole.objects.get_or_create(
                user=user, partnership=p, role=data["role"]
            )
        label = Role(data["role"]).label
        if created:
            request.session["new_account_link"] = (
                user.get_username(),
                _set_password_link(request, user),
            )
        if granted:
            messages.success(
                request, f"{user.get_full_name() or user.get_username()} is now {label}"
            )
        else:
            messages.info(request, f"{user.get_username()} already holds the role {label}")
        return redirect("accounts:roles", partnership=p.slug)
    holders = (
        PartnershipRole.objects.filter(partnership=p)
        .select_related("user")
        .order_by("user__username", "role")
    )
    return render(
        request,
        "accounts/roles.html",
        {
            "partnership": p,
            "holders": holders,
            "form": form,
            "new_account": request.session.pop("new_account_link", None),
            "page_title": f"Roles in {p.name}",
        },
        status=400 if form.errors else 200,
    )


@requires(Permission.ADMINISTER)
@require_POST
def role_remove(request, partnership, role_id: int):
    grant = get_object_or_404(PartnershipRole, pk=role_id, partnership=request.partnership)
    if grant.user_id == request.user.pk and grant.role == Role.ADMINISTRATOR:
        messages.error(request, "You cannot remove your own administrator role")
    else:
        grant.delete()
        messages.success(
            request, f"Removed {grant.get_role_display()} from {grant.user.get_username()}"
        )
    return redirect("accounts:roles", partnership=request.partnership.slug)
