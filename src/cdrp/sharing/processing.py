"""The record of processing activities (UK GDPR Article 30; DPA 2018 s.61 for law enforcement
processing), generated from the models: every model with a personal field (one that is
encrypted at rest, `cdrp.sharing.crypto.personal_fields`), which fields are personal, the
purpose and basis it declares (`PROCESSING`), the recipients, and the retention in force
(`cdrp.sharing.retention.schedule`). A model with a personal field and no declaration is listed
as undeclared, so nothing personal goes unrecorded."""

from __future__ import annotations

from cdrp.sharing.crypto import encrypted_models, personal_fields
from cdrp.sharing.retention import schedule

__all__ = ["record", "UNDECLARED"]

UNDECLARED = "Not declared: add PROCESSING to the model"
_FOLLOWS = {"sharing.PartnerOffence": "sharing.CohortMember", "sharing.CaseAction": "sharing.Case"}


def record() -> list[dict]:
    rules = schedule()
    out = []
    for model in sorted(encrypted_models(), key=lambda m: m._meta.label):
        label = model._meta.label
        declared = getattr(model, "PROCESSING", None) or {}
        rule = rules.get(label) or rules.get(_FOLLOWS.get(label, ""))
        retention = (
            f"{rule.action.capitalize()} {rule.years} years after the record's "
            f"'{rule.after}' date ({rule.source})"
            if rule is not None
            else "Kept with the record it belongs to"
        )
        if label in _FOLLOWS and rule is not None:
            retention = f"With its {_FOLLOWS[label].split('.')[1]}: " + retention
        out.append(
            {
                "label": label,
                "name": str(model._meta.verbose_name).capitalize(),
                "description": (model.__doc__ or "").strip().splitlines()[0],
                "fields": [
                    {"name": f.name, "label": str(f.verbose_name), "help": str(f.help_text)}
                    for f in personal_fields(model)
                ],
                "purpose": declared.get("purpose", UNDECLARED),
                "basis": declared.get("basis", UNDECLARED),
                "subjects": declared.get("subjects", UNDECLARED),
                "recipients": declared.get("recipients", UNDECLARED),
                "retention": retention,
                "security": "Personal fields encrypted at rest (Fernet, CDRP_FIELD_KEYS); every "
                "read audited with its reason",
            }
        )
    return out
