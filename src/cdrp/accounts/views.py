"""Sign in and out, the account page (roles, API tokens) and the audit trail for administrators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cdrp.accounts.forms import SignInForm, TokenForm
from cdrp.accounts.models import ApiToken, AuditEvent, PartnershipRole
from cdrp.accounts.policy import Action, Role, public, requires

login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=SignInForm,
        redirect_authenticated_user=True,
    )
)
logout = public(auth_views.LogoutView.as_view())


@requires(Action.VIEW_MEMBER)
def account(request):
    roles = PartnershipRole.objects.filter(user=request.user).select_related("partnership")
    form = TokenForm()
    new_key = request.session.pop("new_api_key", None)
    return render(
        request,
        "accounts/account.html",
        {
            "roles": roles,
            "tokens": request.user.api_tokens.filter(revoked=False),
            "form": form,
            "new_key": new_key,
            "page_title": "Your account",
        },
    )


@requires(Action.VIEW_MEMBER)
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        roles = PartnershipRole.objects.filter(user=request.user).select_related("partnership")
        return render(
            request,
            "accounts/account.html",
            {"roles": roles, "tokens": request.user.api_tokens.filter(revoked=False), "form": form},
            status=400,
        )
    _, key = ApiToken.issue(request.user, form.cleaned_data["name"])
    request.session["new_api_key"] = key
    return redirect("accounts:account")


@requires(Action.VIEW_MEMBER)
@require_POST
def token_revoke(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.revoked = True
    token.save(update_fields=["revoked"])
    messages.success(request, f"Token “{token.name}” revoked")
    return redirect("accounts:account")


def visible_audit_events(user):
    """Superusers see every event; a partnership administrator sees that partnership's events."""
    events = AuditEvent.objects.all()
    if user.is_superuser:
        return events
    ids = PartnershipRole.objects.filter(user=user, role=Role.ADMINISTRATOR).values(
        "partnership_id"
    )
    return events.filter(partnership_id__in=ids)


@requires(Action.ADMINISTER)
def audit(request):
    events = visible_audit_events(request.user).select_related("partnership")
    model = request.GET.get("model", "")
    if model:
        events = events.filter(model=model)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request, "accounts/audit.html", {"page": page, "model": model, "page_title": "Audit trail"}
    )
