"""Subject access (UK GDPR Article 15; DPA 2018 section 45 for law enforcement processing):
every record naming a person, with the reads of those records, as JSON and PDF.

A person is found by name (case and spacing ignored) in every personal field of every model
that has one (`cdrp.sharing.crypto.encrypted_models`: the cohort, partner offences, cases and
their actions, and any personal field added later), decrypted in Python since encrypted values
cannot be searched in the database; with the records that hang from a match (a cohort member's
offences, a case's actions), the registry's people of that name, and every audited read of any
of them. Run by the information governance lead (the page) or from the command line.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from typing import Any

from django.apps import apps
from django.template.loader import render_to_string
from django.utils import timezone

from cdrp.accounts.audit import acting_as, record_view
from cdrp.accounts.models import AuditEvent
from cdrp.sharing.crypto import EncryptedTextField, encrypted_models, personal_fields

__all__ = ["find", "export", "export_pdf"]


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _plain(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _row(obj) -> dict:
    return {
        "kind": obj._meta.label,
        "id": obj.pk,
        "partnership": getattr(obj, "audit_partnership_id", lambda: None)(),
        "fields": {
            f.name: _plain(getattr(obj, f.attname))
            for f in obj._meta.concrete_fields
            if f.name not in {"version", "updated_at"}
        },
    }


def find(name: str, partnership=None) -> list:
    """Every record naming `name` (of `partnership`, when given), and their dependent records."""
    wanted = _norm(name)
    if len(wanted) < 3:
        raise ValueError("give the person's name (at least three letters)")
    found: dict[tuple[str, int], Any] = {}
    for model in encrypted_models():
        texts = [f for f in personal_fields(model) if isinstance(f, EncryptedTextField)]
        obj: Any
        for obj in model._base_manager.all():
            if partnership is not None and obj.audit_partnership_id() != partnership.pk:
                continue
            if any(wanted in _norm(getattr(obj, f.attname) or "") for f in texts):
                found[(model._meta.label, obj.pk)] = obj
    for obj in list(found.values()):
        label = obj._meta.label
        children = (
            obj.offences.all()
            if label == "sharing.CohortMember"
            else obj.actions.all()
            if label == "sharing.Case"
            else []
        )
        for child in children:
            found.setdefault((child._meta.label, child.pk), child)
    person_model = apps.get_model("partnerships", "Person")
    for person in person_model.objects.all():
        if _norm(person.name) == wanted:
            found.setdefault((person._meta.label, person.pk), person)
    return list(found.values())


def export(name: str, partnership=None, reader=None) -> dict:
    """The JSON export: the records and every audited read of them."""
    records = find(name, partnership)
    reads = []
    for obj in records:
        for e in AuditEvent.objects.filter(
            model=obj._meta.label, object_id=str(obj.pk), action=AuditEvent.Action.VIEW
        ).order_by("at"):
            reads.append(
                {"kind": e.model, "id": e.object_id, "by": e.actor, "at": e.at.isoformat(),
                 "reason": (e.changes or {}).get("reason", "")}
            )  # fmt: skip
    # The export is itself a read of each restricted record, audited like any other.
    with acting_as(reader) if reader is not None else nullcontext():
        for obj in records:
            if obj._meta.label.startswith("sharing."):
                record_view(obj, "subject access request")
    return {
        "subject": name,
        "partnership": getattr(partnership, "slug", None),
        "generated": timezone.now().isoformat(),
        "records": [_row(obj) for obj in records],
        "reads": reads,
    }


def export_pdf(data: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("sharing/subject_access_print.html", {"data": data})
    return HTML(string=html).write_pdf()
