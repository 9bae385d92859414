"""Audit trail: every save and delete of a GovernanceRecord writes an AuditEvent.

The acting user comes from the request (AuditUserMiddleware) or from `acting_as` in commands and
tasks. Queryset `update()`/`bulk_create()` bypass signals, so services change governance records
one `save()` at a time.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save

from cdrp.accounts.models import AuditEvent
from cdrp.core.models import GovernanceRecord

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_actor: contextvars.ContextVar[tuple[User | None, str]] = contextvars.ContextVar(
    "cdrp_audit_actor", default=(None, "system")
)

__all__ = ["AuditUserMiddleware", "acting_as", "connect", "record_view"]


@contextmanager
def acting_as(user=None, label: str | None = None):
    """Attribute writes inside the block to `user` (or to a command named by `label`)."""
    token = _actor.set((user, label or (user.get_username() if user else "system")))
    try:
        yield
    finally:
        _actor.reset(token)


class AuditUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else None
        with acting_as(user, user.get_username() if user else "anonymous"):
            return self.get_response(request)


def _plain(value):
    if isinstance(value, FieldFile):
        return value.name
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _snapshot(instance) -> dict:
    # A field that keeps personal data encrypted (cdrp.sharing.crypto) says what the trail may
    # keep of it (`audit_value`: that it changed, never its text).
    return {
        f.attname: (
            f.audit_value(getattr(instance, f.attname))
            if hasattr(f, "audit_value")
            else _plain(getattr(instance, f.attname))
        )
        for f in instance._meta.concrete_fields
        if f.attname not in {"updated_at", "version"}
    }


def _is_audited(sender) -> bool:
    return isinstance(sender, type) and issubclass(sender, GovernanceRecord)


def _before_save(sender, instance, raw=False, **kwargs):
    if raw or not _is_audited(sender):
        return
    old = sender._base_manager.filter(pk=instance.pk).first() if instance.pk is not None else None
    instance._audit_before = _snapshot(old) if old is not None else None


def _record(instance, action: str, changes: dict) -> None:
    user, actor = _actor.get()
    AuditEvent.objects.create(
        user=user if getattr(user, "pk", None) else None,
        actor=actor[:150],
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        partnership_id=instance.audit_partnership_id(),
        changes=changes,
    )


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_audited(sender):
        return
    before = getattr(instance, "_audit_before", None)
    after = _snapshot(instance)
    if created or before is None:
        pk_name = instance._meta.pk.attname
        created_fields = {
            k: [None, v] for k, v in after.items() if v not in (None, "") and k != pk_name
        }
        _record(instance, "create", created_fields)
    else:
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        if changes:
            _record(instance, "update", changes)
    instance._audit_before = after


def _after_delete(sender, instance, **kwargs):
    if not _is_audited(sender):
        return
    _record(instance, "delete", {k: [v, None] for k, v in _snapshot(instance).items()})


def connect() -> None:
    pre_save.connect(_before_save, dispatch_uid="cdrp_audit_pre_save")
    post_save.connect(_after_save, dispatch_uid="cdrp_audit_post_save")
    post_delete.connect(_after_delete, dispatch_uid="cdrp_audit_post_delete")


def record_view(instance, reason: str = "") -> None:
    """Audit a read of a restricted record by the acting user (with the reason they gave for
    reading, where the page asks one)."""
    _record(instance, "view", {"reason": reason} if reason else {})
