"""For the audit trail: which group's members alone may read each restricted register's record
(`cdrp.accounts.audit_trail.register_restriction`). Records deleted since (by retention) are
placed from the trail's own snapshots; a record that cannot be placed is nobody's to read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps

__all__ = ["LABELS", "UNKNOWN_GROUP", "restricting_groups"]

UNKNOWN_GROUP = 0
# label → (field naming the parent, the parent's label); the parent-less kinds name the group.
_PARENT: dict[str, tuple[str | None, str | None]] = {
    "sharing.CohortMember": (None, None),
    "sharing.Case": (None, None),
    "sharing.PartnerOffence": ("member_id", "sharing.CohortMember"),
    "sharing.CaseAction": ("case_id", "sharing.Case"),
}
LABELS = frozenset(_PARENT)


def _rows(label: str, ids: list[str], snapshots, field: str) -> dict[str, Any]:
    model = apps.get_model(label)
    found = {
        str(pk): value
        for pk, value in model._base_manager.filter(pk__in=[int(i) for i in ids]).values_list(
            "pk", field
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        for key, row in snapshots(label, missing).items():
            found[key] = row.get(field)
    return found


def restricting_groups(
    label: str, ids: Iterable[str], snapshots: Callable[[str, list[str]], dict[str, dict]]
) -> dict[str, int | None]:
    ids = [i for i in dict.fromkeys(str(i) for i in ids) if i.isdigit()]
    parent_field, parent = _PARENT[label]
    if parent_field is None:
        groups = _rows(label, ids, snapshots, "group_id")
        return {i: int(groups[i]) if groups.get(i) else UNKNOWN_GROUP for i in ids}
    assert parent is not None  # noqa: S101  (the table above pairs them)
    parents = _rows(label, ids, snapshots, parent_field)
    up = restricting_groups(parent, [str(p) for p in parents.values() if p is not None], snapshots)
    return {i: up.get(str(parents.get(i)), UNKNOWN_GROUP) or UNKNOWN_GROUP for i in ids}
