"""Authentication and the policy check shared by every app's API router.

Token (``Authorization: Bearer …``) or session authentication (`AUTH`); `allow` declares an
endpoint's policy action and asks `cdrp.accounts.policy` like the pages do; `api_user` is the
user a request acts as. The routers import these from here; `cdrp.api` only assembles them.
"""

from __future__ import annotations

from functools import wraps

from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from cdrp.accounts.models import ApiToken
from cdrp.accounts.policy import Permission, allows, partnership_by_slug

__all__ = ["BearerToken", "AUTH", "api_user", "anyone", "allow"]


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        found = ApiToken.objects.for_key(token)
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


AUTH = [BearerToken(), SessionAuth()]


def api_user(request):
    """The user the request acts as: the token's or the session's (anonymous when neither)."""
    auth = getattr(request, "auth", None)
    return auth if hasattr(auth, "is_authenticated") else request.user


def anyone(request):
    """Lets the public in while a token or session, when given, still identifies the user."""
    return request.user


def allow(action: Permission, partnership_arg: str | None = "partnership"):
    """Endpoint decorator: 403 unless the policy allows `action` (in the named partnership)."""

    def decorate(func):
        @wraps(func)
        def wrapped(request, *args, **kwargs):
            partnership = None
            slug = kwargs.get(partnership_arg) if partnership_arg else None
            if slug is not None:
                partnership = partnership_by_slug(slug)
                if partnership is None:
                    raise HttpError(404, f"No partnership {slug!r}")
            if not allows(api_user(request), action, partnership):
                raise HttpError(403, "Your role does not allow this")
            request.partnership = partnership
            return func(request, *args, **kwargs)

        wrapped.cdrp_permission = action
        return wrapped

    return decorate
