"""Sign in and out, the account page (roles, API tokens) and the audit trail for administrators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_POST

from cdrp.accounts.audit_trail import audit_rows, visible_audit_events
from cdrp.accounts.forms import GrantRoleForm, SignInForm, TokenForm
from cdrp.accounts.models import ApiToken, PartnershipRole
from cdrp.accounts.policy import Action, Role, public, requires

login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=SignInForm,
        redirect_authenticated_user=True,
    )
)
logout = public(auth_views.LogoutView.as_view())
set_password = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/set_password.html",
        success_url="/accounts/sign-in/",
        post_reset_login=False,
    )
)


@requires(Action.VIEW_MEMBER)
def account(request):
    from cdrp.partnerships.models import Partnership

    roles = PartnershipRole.objects.filter(user=request.user).select_related("partnership")
    form = TokenForm()
    new_key = request.session.pop("new_api_key", None)
    administered = (
        Partnership.objects.all()
        if request.user.is_superuser
        else Partnership.objects.filter(
            roles__user=request.user, roles__role=Role.ADMINISTRATOR
        ).distinct()
    )
    return render(
        request,
        "accounts/account.html",
        {
            "roles": roles,
            "tokens": request.user.api_tokens.filter(revoked=False),
            "form": form,
            "new_key": new_key,
            "administered": administered,
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


@requires(Action.ADMINISTER)
def audit(request):
    """The trail of the partnerships the administrator holds; restricted records redacted for
    readers who may not read them (cdrp.accounts.audit_trail)."""
    events = visible_audit_events(request.user).select_related("partnership")
    model = request.GET.get("model", "")
    if model:
        events = events.filter(model=model)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit.html",
        {
            "page": page,
            "rows": audit_rows(page.object_list, request.user),
            "model": model,
            "page_title": "Audit trail",
        },
    )


def _set_password_link(request, user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:set-password", kwargs={"uidb64": uid, "token": token})
    return request.build_absolute_uri(path)


@requires(Action.ADMINISTER)
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


@requires(Action.ADMINISTER)
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
