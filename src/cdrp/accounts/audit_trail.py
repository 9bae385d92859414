"""Reading the audit trail: which events a reader may see, and what of them.

The audit page and `/api/audit` both read the trail through `audit_rows`. An administrator sees
the events of the partnerships they administer (a superuser every event), but an event about a
restricted record (an offender cohort's action, a domestic-abuse group's agenda item or paper, or
a read of one) shows its title and text only to a reader who may read that record
(`cdrp.accounts.policy.may_see_restricted`); everyone else sees "Restricted record" with the kind
of record, its id and the date, and the changed fields without their text.

Which records are restricted is said by the apps that hold them: an app registers a resolver for
its record kinds with `register_restriction` (the meetings app does, in its `ready`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.apps import apps
from django.db import models

from cdrp.accounts.models import AuditEvent
from cdrp.accounts.policy import may_see_restricted

__all__ = [
    "REDACTED",
    "REDACTED_VALUE",
    "register_restriction",
    "audit_rows",
    "record_kind",
]

REDACTED = "Restricted record"
REDACTED_VALUE = "(restricted)"

# label → resolver(label, object ids, snapshots) → {object id: group id | None}
Resolver = Callable[[str, list[str], Callable[[str, list[str]], dict[str, dict]]], dict]
_RESOLVERS: dict[str, Resolver] = {}


def register_restriction(labels: Iterable[str], resolver: Resolver) -> None:
    """Declare that records of these kinds (``app.Model``) may be restricted; `resolver` says,
    for a batch of object ids, which group's members alone may read each (None: anyone who may
    read the trail)."""
    for label in labels:
        _RESOLVERS[label] = resolver


def _snapshots(label: str, ids: list[str]) -> dict[str, dict]:
    """Last known field values of deleted records, from their create and delete events."""
    rows: dict[str, dict] = {}
    ends = [AuditEvent.Action.CREATE, AuditEvent.Action.DELETE]
    for event in AuditEvent.objects.filter(
        model=label, object_id__in=ids, action__in=ends
    ).order_by("id"):
        side = 1 if event.action == AuditEvent.Action.CREATE else 0
        row = rows.setdefault(event.object_id, {})
        for field, pair in (event.changes or {}).items():
            if isinstance(pair, list) and len(pair) == 2:
                row[field] = pair[side]
    return rows


def _restricting_groups(events: list) -> dict[tuple[str, str], int | None]:
    by_label: dict[str, list[str]] = {}
    for e in events:
        if e.model in _RESOLVERS:
            by_label.setdefault(e.model, []).append(e.object_id)
    found: dict[tuple[str, str], int | None] = {}
    for label, ids in by_label.items():
        groups = _RESOLVERS[label](label, ids, _snapshots)
        for object_id in ids:
            # An id the resolver could not judge (not a number, say) is kept back, to be safe.
            found[(label, object_id)] = groups.get(object_id, 0)
    return found


def _plain_field(model, attname: str) -> bool:
    """Is this field's value safe to show for a restricted record? Flags, numbers, dates, the
    ids of related records and coded choices are; names, titles, text and file names are not."""
    if model is None:
        return False
    field = next((f for f in model._meta.concrete_fields if f.attname == attname), None)
    if field is None:
        return False
    if field.choices or field.is_relation:
        return True
    return isinstance(
        field,
        models.BooleanField
        | models.IntegerField
        | models.DecimalField
        | models.FloatField
        | models.DateField
        | models.TimeField
        | models.DurationField,
    )


def _redacted_changes(label: str, changes: dict) -> dict:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        model = None
    return {
        field: pair if _plain_field(model, field) else [REDACTED_VALUE, REDACTED_VALUE]
        for field, pair in (changes or {}).items()
    }


def record_kind(label: str) -> str:
    """The kind of record an audit label (``app.Model``) names, in words."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def audit_rows(events: Iterable, user) -> list[dict]:
    """The events as `user` may see them: one dict per event, restricted records redacted."""
    events = list(events)
    groups = _restricting_groups(events)
    rows = []
    for e in events:
        group = groups.get((e.model, e.object_id))
        hidden = group is not None and not may_see_restricted(user, group)
        rows.append(
            {
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "action_label": e.get_action_display(),
                "model": e.model,
                "record_kind": record_kind(e.model),
                "object_id": e.object_id,
                "object_repr": REDACTED if hidden else e.object_repr,
                "partnership": e.partnership,
                "changes": _redacted_changes(e.model, e.changes) if hidden else e.changes,
                "restricted": group is not None,
                "redacted": hidden,
            }
        )
    return rows
