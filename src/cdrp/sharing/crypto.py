"""Encryption at rest of personal fields: authenticated encryption (Fernet: AES-128-CBC with an
HMAC-SHA256 over the token, from the `cryptography` package) with the keys of the
CDRP_FIELD_KEYS setting, newest first (`cdrp.config.field_keys`).

A personal field (`EncryptedTextField`, `EncryptedDateField`) is written encrypted with the
newest key and read with any of the keys (so a new key can be put first and the records
re-encrypted afterwards: `rotate`, `cdrp sharing rotate-key`). A value that none of the keys
decrypts, or a field read with no key configured, raises `FieldKeyError` naming the setting:
never a silent plaintext and never a silent blank. The audit trail records that a personal field
changed, never its value (`audit_value`).

Encrypted values cannot be searched or sorted in the database: the services filter on the plain
fields (group, dates, strand) and compare names in Python.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models, transaction

__all__ = [
    "FieldKeyError",
    "EncryptedTextField",
    "EncryptedDateField",
    "encrypt",
    "decrypt",
    "personal_fields",
    "rotate",
    "generate_key",
]


class FieldKeyError(RuntimeError):
    """The personal fields cannot be read or written with the configured keys."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


@lru_cache(maxsize=8)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise FieldKeyError(
            "CDRP_FIELD_KEYS is empty: personal records are encrypted at rest and cannot be read "
            "or written without their key (set CDRP_FIELD_KEYS to the Fernet key(s), newest "
            "first; `cdrp sharing new-key` makes one)"
        )
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError):
        raise FieldKeyError(
            "CDRP_FIELD_KEYS: each key must be a Fernet key (32 bytes, url-safe base64); "
            "`cdrp sharing new-key` makes one"
        ) from None


def cipher() -> MultiFernet:
    return _cipher(tuple(getattr(settings, "CDRP_FIELD_KEYS", None) or ()))


def encrypt(text: str) -> str:
    return cipher().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str, where: str = "a personal field") -> str:
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise FieldKeyError(
            f"cannot decrypt {where}: none of the keys in CDRP_FIELD_KEYS opens it (the key is "
            "wrong, or the key it was written with has been removed before `cdrp sharing "
            "rotate-key` re-encrypted it)"
        ) from None


def _fingerprint(text: str) -> str:
    """A keyed digest for the audit trail: tells that a value changed, not what it is."""
    cipher()  # the same clear error as a read when no key is set
    newest = (getattr(settings, "CDRP_FIELD_KEYS", None) or [""])[0]
    key = hashlib.sha256(("cdrp-audit:" + newest).encode()).digest()
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


class _Encrypted:
    """Shared by the encrypted fields: `personal` marks the field for the record of processing
    and the raw-table test; `audit_value` is what the audit trail keeps instead of the value."""

    personal = True

    def _where(self) -> str:
        model = getattr(self, "model", None)
        label = model._meta.label if model is not None else "?"
        return f"{label}.{self.name}"  # type: ignore[attr-defined]

    def audit_value(self, value) -> str | None:
        if value in (None, ""):
            return value
        return "(encrypted " + _fingerprint(str(value)) + ")"


class EncryptedTextField(_Encrypted, models.TextField):
    """Text kept encrypted in the database (a name, a reference number, a case note)."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt(value, self._where())

    def to_python(self, value):
        return value if value is None else str(value)


class EncryptedDateField(_Encrypted, models.Field):
    """A date (a date of birth) kept encrypted in a text column; read back as a
    `datetime.date`."""

    # For django-stubs: what the field takes and gives (a date, not the text it is stored as).
    _pyi_private_set_type: dt.date | str | None
    _pyi_private_get_type: dt.date | None

    def get_internal_type(self) -> str:
        return "TextField"

    def get_prep_value(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        return encrypt(value.isoformat())

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return dt.date.fromisoformat(decrypt(value, self._where()))

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))

    def formfield(self, **kwargs):
        from django import forms

        kwargs.setdefault("required", not self.blank)
        kwargs.setdefault("label", self.verbose_name.capitalize())
        kwargs.setdefault("help_text", self.help_text)
        return forms.DateField(**kwargs)


def personal_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if getattr(f, "personal", False)]


def encrypted_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [m for m in apps.get_models() if personal_fields(m)]


def rotate(report=None) -> dict[str, int]:
    """Re-encrypt every personal field of every record with the newest key (the first of
    CDRP_FIELD_KEYS): read with any key, written with the first. Queryset updates, so the
    records' versions and audit trails are untouched (nothing they say changes). One
    transaction: either every record is re-encrypted or none is. Returns rows per model."""
    counts: dict[str, int] = {}
    with transaction.atomic():
        for model in encrypted_models():
            names = [f.name for f in personal_fields(model)]
            done = 0
            for row in model._base_manager.values("pk", *names).iterator():
                pk = row.pop("pk")
                model._base_manager.filter(pk=pk).update(**row)
                done += 1
            counts[model._meta.label] = done
            if report is not None:
                report(model._meta.label, done)
    return counts
