"""The incident store and the documents on shared storage: S3 settings, the import lock, health.

Several application servers and workers share one PostgreSQL database and one object store.
The incident store (`cdrp.store`, pure code) is told here, once at start-up, how to reach an
``s3://`` root (`settings.CDRP_S3`: endpoint, key, secret, region) and which lock its imports
take: on PostgreSQL an advisory lock keyed on the store's root, held on a connection of its own,
so two importers on any two machines cannot both commit; on SQLite (one machine) the store's
file lock. Documents and uploaded papers go through Django's storage API (`default_storage`),
which is django-storages' S3 backend when ``CDRP_DOCUMENTS_STORE`` is an ``s3://`` URI.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.files.storage import storages
from django.db import connections

from cdrp.store import Store, StoreLocked
from cdrp.store import files as store_files

__all__ = ["advisory_key", "documents_state", "incident_store", "pg_store_lock", "setup"]


def advisory_key(root: str) -> int:
    """The advisory lock's key for a store root: a signed 64-bit number from its hash."""
    digest = hashlib.sha256(f"cdrp-store:{root}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def pg_store_lock(root: str, timeout: float = 600.0) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock for `root` on a connection of its own (so the lock does
    not depend on the transactions of the import, and is released if this process dies).
    Waits up to `timeout` seconds, then raises StoreLocked."""
    base = connections["default"]
    own = base.__class__(dict(base.settings_dict), alias="cdrp_store_lock")
    key = advisory_key(root)
    try:
        own.ensure_connection()
        own.set_autocommit(True)
        deadline = time.monotonic() + timeout
        with own.cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
                if cursor.fetchone()[0]:
                    break
                if time.monotonic() > deadline:
                    raise StoreLocked(
                        f"{root}: another import (on this or another server) has held the "
                        f"store's lock for over {timeout:.0f} s"
                    )
                time.sleep(0.1)
        try:
            yield
        finally:
            with own.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    finally:
        own.close()


def setup() -> None:
    """Tell the store how to reach S3 (called by CoreConfig.ready, and again by anything that
    changes the settings, such as a test)."""
    s3 = getattr(settings, "CDRP_S3", None) or None
    store_files.configure(s3=s3 if s3 and any(s3.values()) else None)


def incident_store() -> Store:
    """The configured incident store (local or S3), whose imports take PostgreSQL's advisory
    lock when the database is PostgreSQL (the store's file lock otherwise). Every import,
    backup and restore the application makes goes through this."""
    postgres = connections["default"].vendor == "postgresql"
    return Store(settings.INCIDENT_STORE, locker=pg_store_lock if postgres else None)


def documents_state() -> dict:
    """For /healthz: where documents are kept and whether that storage answers."""
    storage = storages["default"]
    kind = type(storage)
    state: dict[str, object] = {"backend": f"{kind.__module__}.{kind.__name__}"}
    if bucket := getattr(storage, "bucket_name", None):
        state["bucket"] = bucket
    try:
        storage.exists("healthz-probe")  # a HEAD (S3) or a stat (disk): it answers, or raises
        state["ok"] = True
    except Exception as exc:  # a health check reports, it never raises
        state.update(ok=False, error=str(exc).strip()[:200] or type(exc).__name__)
    return state
