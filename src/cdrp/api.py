"""The JSON API at /api/ (OpenAPI at /api/openapi.json).

Token (Authorization: Bearer …) or session authentication; every endpoint declares its policy
action with `allow`, which asks cdrp.accounts.policy like the pages do.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer, SessionAuth

from cdrp.accounts.policy import Permission, allows, roles_of

__all__ = ["api", "allow"]


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        from cdrp.accounts.models import ApiToken

        found = ApiToken.objects.for_key(token)
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


AUTH = [BearerToken(), SessionAuth()]

api = NinjaAPI(
    title="Community safety partnership API",
    version="1",
    description="Partnerships, their records and aggregate statistics. Authenticate with "
    "`Authorization: Bearer <token>` (tokens are issued on your account page).",
    urls_namespace="api",
    # Swagger UI at /api/docs from django-ninja's own static files ("ninja" is an installed app),
    # never from a CDN; its settings travel as JSON, its start-up script is a static file, so it
    # runs under the site's Content-Security-Policy.
    docs=Swagger(),
)


def _user(request):
    auth = getattr(request, "auth", None)
    return auth if hasattr(auth, "is_authenticated") else request.user


def allow(action: Permission, partnership_arg: str | None = "partnership"):
    """Endpoint decorator: 403 unless the policy allows `action` (in the named partnership)."""

    def decorate(func):
        @wraps(func)
        def wrapped(request, *args, **kwargs):
            partnership = None
            slug = kwargs.get(partnership_arg) if partnership_arg else None
            if slug is not None:
                from cdrp.partnerships.models import Partnership

                partnership = Partnership.objects.filter(slug=slug).first()
                if partnership is None:
                    raise HttpError(404, f"No partnership {slug!r}")
            if not allows(_user(request), action, partnership):
                raise HttpError(403, "Your role does not allow this")
            request.partnership = partnership
            return func(request, *args, **kwargs)

        wrapped.cdrp_permission = action
        return wrapped

    return decorate


class PartnershipOut(Schema):
    slug: str
    name: str
    code: str
    status: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class MeOut(Schema):
    username: str
    roles: dict[str, list[str]]


class AuditOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    model: str
    object_id: str
    object_repr: str
    partnership: str | None
    changes: dict
    restricted: bool = False  # a restricted group's record (or a read of one)
    redacted: bool = False  # its title and text are withheld: the reader is not in the group


@api.get("/partnerships", response=list[PartnershipOut], auth=None, tags=["partnerships"])
@allow(Permission.VIEW_PUBLIC)
def list_partnerships(request):
    from cdrp.partnerships.models import Partnership

    return list(Partnership.objects.all())


@api.get("/me", response=MeOut, auth=AUTH, tags=["accounts"])
@allow(Permission.VIEW_PUBLIC)
def me(request):
    from cdrp.partnerships.models import Partnership

    user = _user(request)
    roles = {
        p.slug: sorted(r.value for r in roles_of(user, p) if r != "public")
        for p in Partnership.objects.all()
    }
    return {"username": user.get_username(), "roles": {k: v for k, v in roles.items() if v}}


@api.get("/audit", response=list[AuditOut], auth=AUTH, tags=["accounts"])
@allow(Permission.ADMINISTER)
def audit_trail(request, limit: int = 100):
    """The newest events the reader may see, restricted records redacted as on the page."""
    from cdrp.accounts.audit_trail import audit_rows, visible_audit_events

    user = _user(request)
    events = visible_audit_events(user).select_related("partnership")[: max(min(limit, 1000), 0)]
    return [
        row | {"partnership": row["partnership"].slug if row["partnership"] else None}
        for row in audit_rows(events, user)
    ]


api.add_router("/", "cdrp.intelligence.api.router")
api.add_router("/", "cdrp.partnerships.api.router")
api.add_router("/", "cdrp.meetings.api.router")
api.add_router("/", "cdrp.intelligence.assessment_api.router")
api.add_router("/", "cdrp.plans.api.router")
api.add_router("/", "cdrp.performance.api.router")
api.add_router("/", "cdrp.funding.api.router")
