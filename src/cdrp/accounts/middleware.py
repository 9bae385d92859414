"""Session rules the views need not think about (ASVS V3 and V2.7).

`SessionLifetimeMiddleware` signs a session out after SESSION_IDLE_TIMEOUT without a request and
SESSION_ABSOLUTE_TIMEOUT after sign-in. `TwoFactorRequiredMiddleware` keeps a session that has not
given its second factor to the pages that let it do so: someone with an authenticator app is asked
for the code; a site administrator without one must set one up first.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from cdrp.accounts import two_factor

__all__ = ["SessionLifetimeMiddleware", "TwoFactorRequiredMiddleware"]

SIGNED_IN_AT = "cdrp_signed_in_at"
LAST_SEEN = "cdrp_last_seen"
PREVIOUS_SIGN_IN = "cdrp_previous_sign_in"
# Recording every request would write the session on every page; a minute's slack is enough.
_SEEN_RESOLUTION = 60


@receiver(user_logged_in, dispatch_uid="cdrp-session-started")
def _session_started(sender, request, user, **kwargs):
    """Start the session's clocks, and note the account's previous sign-in for the account page
    (from django-axes' access log; this session's own entry, if already written, is left out)."""
    from axes.helpers import get_client_session_hash
    from axes.models import AccessLog

    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    previous = (
        AccessLog.objects.filter(username=user.get_username())
        .exclude(session_hash=get_client_session_hash(request))
        .order_by("-attempt_time")
        .first()
    )
    request.session[PREVIOUS_SIGN_IN] = previous and {
        "at": previous.attempt_time.isoformat(),
        "address": previous.ip_address or "",
    }


def _describe(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = time.time()
        started = session.get(SIGNED_IN_AT)
        seen = session.get(LAST_SEEN)
        if started is None or seen is None:  # a session from before these rules: start them now
            session[SIGNED_IN_AT] = started or now
            session[LAST_SEEN] = now
            return
        idle = settings.SESSION_IDLE_TIMEOUT
        lifetime = settings.SESSION_ABSOLUTE_TIMEOUT
        if now - seen > idle.total_seconds():
            reason = f"You were signed out after {_describe(idle)} without activity."
        elif now - started > lifetime.total_seconds():
            reason = f"You were signed out because you signed in {_describe(lifetime)} ago."
        else:
            if now - seen >= _SEEN_RESOLUTION:
                session[LAST_SEEN] = now
            return
        logout(request)  # flushes the session: its key is deleted on the server
        messages.info(request, f"{reason} Sign in again to carry on.")


# Pages a session may open before its second factor, by URL name.
_ALWAYS = {
    "accounts:logout",
    "accounts:password-reset",
    "accounts:password-reset-sent",
    "accounts:set-password",
}
_WITH_AUTHENTICATOR = _ALWAYS | {"accounts:two-factor-verify"}
_TO_SET_UP = _ALWAYS | {"accounts:account", "accounts:two-factor-set-up"}


class TwoFactorRequiredMiddleware:
    """Runs after django-otp's OTPMiddleware, which tells whether the session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if two_factor.has_authenticator(user):
            allowed, target = _WITH_AUTHENTICATOR, "accounts:two-factor-verify"
        elif two_factor.required_for(user):
            allowed, target = _TO_SET_UP, "accounts:two-factor-set-up"
        else:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in allowed:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Sign in with your two-factor code before using the API"}, status=403
            )
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()}, safe="/")
        return redirect(url)
