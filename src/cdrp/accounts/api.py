"""JSON API for accounts: who the caller is (with their roles), and the audit trail.

Registered in `cdrp.api`. The audit trail is read through `cdrp.accounts.audit_trail` (as on the
audit page), restricted records redacted.
"""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from cdrp.accounts.api_auth import AUTH, allow, api_user
from cdrp.accounts.audit_trail import audit_rows
from cdrp.accounts.models import partnership_model
from cdrp.accounts.policy import Permission, roles_of, visible_audit_events

router = Router(tags=["accounts"])


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


# The operation ids are the ones these endpoints had when cdrp.api served them: unchanged for
# clients.
@router.get("/me", response=MeOut, auth=AUTH, operation_id="cdrp_api_me")
@allow(Permission.VIEW_PUBLIC)
def me(request):
    Partnership = partnership_model()
    user = api_user(request)
    roles = {
        p.slug: sorted(r.value for r in roles_of(user, p) if r != "public")
        for p in Partnership.objects.all()
    }
    return {"username": user.get_username(), "roles": {k: v for k, v in roles.items() if v}}


@router.get("/audit", response=list[AuditOut], auth=AUTH, operation_id="cdrp_api_audit_trail")
@allow(Permission.ADMINISTER)
def audit_trail(request, limit: int = 100):
    """The newest events the reader may see, restricted records redacted as on the page."""
    user = api_user(request)
    events = visible_audit_events(user).select_related("partnership")[: max(min(limit, 1000), 0)]
    return [
        row | {"partnership": row["partnership"].slug if row["partnership"] else None}
        for row in audit_rows(events, user)
    ]
