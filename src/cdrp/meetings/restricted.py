"""Restricted meeting records: which records are restricted, keeping them from readers who may
not see them, and auditing each read by those who may.

A group marked restricted (a prolific-offender or domestic-abuse group) restricts everything
raised at or belonging to it: its actions, its decisions and their votes, its minutes, agenda
items and papers. In any other group a single agenda item may be restricted, and its papers with
it. Whether a reader may see a group's restricted records is decided by
`cdrp.accounts.policy.may_see_restricted` (the group's current members only); this module applies
that answer to records, querysets and the audit trail. A meeting itself (its group and date) is
not restricted: people may know a group meets, not what it discussed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext

from django.apps import apps

from cdrp.accounts.audit import acting_as, record_view
from cdrp.accounts.policy import may_see_restricted
from cdrp.partnerships.models import Group

__all__ = [
    "RESTRICTED_LABELS",
    "UNKNOWN_GROUP",
    "restricting_group",
    "may_read",
    "hidden_group_ids",
    "visible_actions",
    "audit_reads",
    "restricting_groups",
]

# Each record kind → (field naming its parent, the parent's kind, its own restriction flag).
# Following the parents from any record reaches the group whose members alone may read it.
_CHAIN: dict[str, tuple[str | None, str | None, str | None]] = {
    "meetings.Action": ("group_id", "partnerships.Group", None),
    "meetings.AgendaItem": ("meeting_id", "meetings.Meeting", "restricted"),
    "meetings.Paper": ("item_id", "meetings.AgendaItem", None),
    "meetings.Minutes": ("meeting_id", "meetings.Meeting", None),
    "meetings.MinutesAmendment": ("minutes_id", "meetings.Minutes", None),
    "meetings.Decision": ("meeting_id", "meetings.Meeting", None),
    "meetings.Vote": ("decision_id", "meetings.Decision", None),
    # A declaration of interest: restricted with its meeting's group (the trail judges it by the
    # group; pages and the API also hide one on a restricted item of an ordinary group).
    "meetings.Declaration": ("meeting_id", "meetings.Meeting", None),
    "meetings.Meeting": ("group_id", "partnerships.Group", None),
    "partnerships.Group": (None, None, "restricted"),
}
# The kinds of record that can be restricted (a meeting and a group never are).
RESTRICTED_LABELS = frozenset(_CHAIN) - {"meetings.Meeting", "partnerships.Group"}
# A restricted record whose group can no longer be told (both deleted, no trail): nobody's.
UNKNOWN_GROUP = 0


def restricting_group(record):
    """The group whose current members alone may read `record`, or None if it is not restricted."""
    label = record._meta.label
    if label == "meetings.Paper":
        return restricting_group(record.item)
    if label == "meetings.Vote":
        return restricting_group(record.decision)
    if label == "meetings.MinutesAmendment":
        return restricting_group(record.minutes)
    if label == "meetings.Declaration":
        if record.item_id is not None and record.item.restricted:
            return record.meeting.group
        group = record.meeting.group
        return group if group.restricted else None
    if label == "meetings.Action":
        group = record.group
        return group if group.restricted else None
    if label in ("meetings.AgendaItem", "meetings.Minutes", "meetings.Decision"):
        group = record.meeting.group
        own = label == "meetings.AgendaItem" and record.restricted
        return group if own or group.restricted else None
    return None


def may_read(user, record) -> bool:
    group = restricting_group(record)
    return group is None or may_see_restricted(user, group)


def hidden_group_ids(user, partnership=None) -> list[int]:
    """Restricted groups (of `partnership`, or of any) whose records `user` may not read."""
    groups = Group.objects.filter(restricted=True)
    if partnership is not None:
        groups = groups.filter(partnership=partnership)
    return [pk for pk in groups.values_list("pk", flat=True) if not may_see_restricted(user, pk)]


def visible_actions(actions, user, partnership=None):
    """The actions of `actions` (a queryset) that `user` may read."""
    return actions.exclude(group_id__in=hidden_group_ids(user, partnership))


def audit_reads(records: Iterable, reader=None) -> int:
    """Audit one read of each restricted record in `records` (shown on one page or in one
    document) by `reader` (default: the acting user of the request); a record listed twice is
    one read. Returns the number of reads written."""
    seen = set()
    with acting_as(reader) if reader is not None else nullcontext():
        for record in records:
            key = (record._meta.label, record.pk)
            if key in seen or restricting_group(record) is None:
                continue
            seen.add(key)
            record_view(record)
    return len(seen)


def restricting_groups(
    label: str, ids: Iterable[str], snapshots: Callable[[str, list[str]], dict[str, dict]]
) -> dict[str, int | None]:
    """For the audit trail: object id → id of the group whose members alone may read that
    record (UNKNOWN_GROUP when it is restricted but its group can no longer be told), or None
    when it is not restricted. Records that no longer exist are judged from their last known
    field values, `snapshots(label, ids)` (the trail's own create and delete events)."""
    ids = [i for i in dict.fromkeys(ids) if str(i).isdigit()]
    node: dict[str, str | None] = {i: i for i in ids}
    flagged = dict.fromkeys(ids, False)
    current = label
    while current is not None:
        parent_field, parent, flag = _CHAIN[current]
        rows = _rows(current, {n for n in node.values() if n is not None}, snapshots)
        if parent is None:  # the group: the chain's end
            break
        for orig, n in node.items():
            row = rows.get(n) if n is not None else None
            if row is None:
                node[orig] = None
                continue
            if flag and row.get(flag):
                flagged[orig] = True
            value = row.get(parent_field)
            node[orig] = str(value) if value is not None else None
        current = parent
    out: dict[str, int | None] = {}
    for orig in ids:
        key = node[orig]
        group = rows.get(key) if key is not None else None
        if key is None or group is None:
            out[orig] = UNKNOWN_GROUP  # fail safe: a record we cannot place is nobody's to read
        elif flagged[orig] or group.get("restricted"):
            out[orig] = int(key)
        else:
            out[orig] = None
    return out


def _rows(label: str, ids: set[str], snapshots) -> dict[str, dict]:
    """Parent and flag fields of the `label` records with these ids, from the database or, for
    records deleted since, from their snapshots."""
    if not ids:
        return {}
    parent_field, _, flag = _CHAIN[label]
    fields = [f for f in (parent_field, flag) if f]
    model = apps.get_model(label)
    found = {
        str(row["pk"]): row
        for row in model._base_manager.filter(pk__in=[int(i) for i in ids]).values("pk", *fields)
    }
    missing = sorted(ids - set(found))
    if missing:
        found.update(snapshots(label, missing))
    return found
