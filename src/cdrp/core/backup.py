"""Back up and restore a whole cdrp site: its database, its incident store and its uploaded papers.

A backup is a folder:

- ``backup.json``: what it holds and how to check it: the database vendor, the store's committed
  version, every file's SHA-256 and size, and the number of records of every model;
- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the site runs) or
  ``database.pgdump`` (``pg_dump --format=custom``: one consistent snapshot);
- ``store/``: the store's committed state and exactly the files it names (taken under the
  store's import lock, so no import commits halfway through the copy);
- ``uploads/``: the uploaded papers and stored documents, read through the documents' storage
  (under ``MEDIA_ROOT``, or the object store of ``CDRP_DOCUMENTS_STORE``).

Never the secret key, the field encryption keys or anything else from the environment: a backup
is restored onto a site that has its own.

A backup is written under a temporary name and renamed into place when complete, so a folder
named ``DEST`` is always a whole backup. A restore checks every checksum before it changes
anything, restores the database in one step (SQLite's backup API, or ``pg_restore
--single-transaction``), then copies the store's files before committing its state, so readers
see the old store or the restored one, never a mixture.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404: pg_dump and pg_restore, run with argument lists, never a shell
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections

from cdrp.analysis.errors import RefusedInput
from cdrp.core.objectstore import incident_store
from cdrp.store import Store
from cdrp.store.check import listed_files

__all__ = ["BackupError", "Summary", "backup", "record_counts", "restore"]

FORMAT = 1
MANIFEST = "backup.json"
_CHUNK = 1 << 20


class BackupError(RefusedInput):
    """A backup or restore refused: names the file or option and what was expected."""


@dataclass
class Summary:
    """What a backup or restore did, for the command to print and the tests to check."""

    path: Path
    database: str
    store_version: int
    store_files: int
    uploads: int
    bytes: int
    counts: dict[str, int] = field(default_factory=dict)


Report = Callable[[str], None]
Files = dict[str, dict[str, Any]]  # a path in the backup → its sha256 and size


def _quiet(_: str) -> None:
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def record_counts() -> dict[str, int]:
    """Records of every model, by ``app_label.ModelName``."""
    return {
        model._meta.label: model._default_manager.using("default").count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


# -- database -----------------------------------------------------------------------------------
def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(  # nosec B603: an argument list of our own, no shell
            command, env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupError(
            "database",
            f"{command[0]} is not installed: install the PostgreSQL client tools "
            "(Debian: postgresql-client) to {what}",
        ) from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError("database", f"{command[0]} failed: {detail[-1] if detail else ''}")


def _backup_database(folder: Path) -> tuple[str, str]:
    connection = connections["default"]
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(folder / "database.sqlite3")
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return "sqlite", "database.sqlite3"
    if connection.vendor == "postgresql":
        args, env = _pg_env(db)
        out = folder / "database.pgdump"
        _run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(out),
                str(db["NAME"]),
            ],
            env,
            "back up a PostgreSQL database",
        )
        return "postgresql", "database.pgdump"
    raise BackupError("database", f"cannot back up a {connection.vendor} database")


def _restore_database(folder: Path, vendor: str, name: str) -> None:
    connection = connections["default"]
    if connection.vendor != vendor:
        raise BackupError(
            "database",
            f"the backup holds a {vendor} database but this site uses {connection.vendor}: "
            "restore it onto a site configured with the same kind of database",
        )
    if vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(folder / name)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    db = connection.settings_dict
    connections.close_all()
    args, env = _pg_env(db)
    _run(
        [
            "pg_restore",
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--dbname",
            str(db["NAME"]),
            str(folder / name),
        ],
        env,
        "restore a PostgreSQL database",
    )


# -- files ----------------------------------------------------------------------------------------
def _copy_store(store: Store, folder: Path, report: Report) -> tuple[int, Files]:
    """The committed state and every file it names, copied under the import lock."""
    files: Files = {}
    with store.lock(timeout=600):
        state = store.state()
        names = sorted(listed_files(state))
        for i, relative in enumerate(names, 1):
            target = folder / "store" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with store.fs.open_input_stream(store.path(relative)) as src, target.open("wb") as out:
                while chunk := src.read(_CHUNK):
                    out.write(chunk)
            files[f"store/{relative}"] = {"sha256": _sha256(target), "size": target.stat().st_size}
            if i % 50 == 0 or i == len(names):
                report(f"Store: {i} of {len(names)} files")
    state_path = folder / "store" / "_state.json"
    state_path.parent.mkdir(parents=True, exist_ok=True)
    state_path.write_text(json.dumps(state, indent=1))
    files["store/_state.json"] = {"sha256": _sha256(state_path), "size": state_path.stat().st_size}
    return int(state["version"]), files


def _stored_names(prefix: str = "") -> list[str]:
    """Every file in the documents' storage (disk or an object store), through the storage API."""
    from django.core.files.storage import default_storage

    try:
        folders, names = default_storage.listdir(prefix)
    except FileNotFoundError:  # nothing uploaded yet: no folder on disk
        return []
    found = [f"{prefix}{name}" for name in sorted(names)]
    for folder in sorted(folders):
        found += _stored_names(f"{prefix}{folder}/")
    return found


def _copy_uploads(folder: Path) -> Files:
    """The uploaded papers and stored documents, read through the documents' storage, so a site
    whose documents are on an object store (CDRP_DOCUMENTS_STORE) is backed up the same way."""
    from django.core.files.storage import default_storage

    files: Files = {}
    for relative in _stored_names():
        target = folder / "uploads" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(relative, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
        files[f"uploads/{relative}"] = {"sha256": _sha256(target), "size": target.stat().st_size}
    return files


def _restore_uploads(src: Path, names: list[str]) -> None:
    """Put the backed-up files back under their own names in the documents' storage."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    for name in names:
        relative = name[len("uploads/") :]
        if default_storage.exists(relative):
            default_storage.delete(relative)
        with (src / name).open("rb") as handle:
            saved = default_storage.save(relative, File(handle))
        if saved != relative:
            raise BackupError("uploads", f"{relative} was stored as {saved}: restore stopped")


def backup(dest: Path | str, report: Report = _quiet) -> Summary:
    """Write a whole backup of this site to the folder `dest` (which must not exist yet)."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError("DEST", f"{dest} already exists: name a new folder for the backup")
    partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        report("Database: copying")
        vendor, db_name = _backup_database(partial)
        dump = partial / db_name
        files: Files = {db_name: {"sha256": _sha256(dump), "size": dump.stat().st_size}}
        counts = record_counts()
        report("Store: copying the committed files")
        store_version, store_files = _copy_store(incident_store(), partial, report)
        files |= store_files
        uploads = _copy_uploads(partial)
        files |= uploads
        manifest = {
            "format": FORMAT,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": {"vendor": vendor, "file": db_name},
            "store": {"version": store_version},
            "counts": counts,
            "files": files,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        if dest.exists():
            dest.rmdir()
        partial.rename(dest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Summary(
        path=dest,
        database=vendor,
        store_version=store_version,
        store_files=len(store_files),
        uploads=len(uploads),
        bytes=sum(int(f["size"]) for f in files.values()),
        counts=counts,
    )


def _read_manifest(src: Path) -> dict[str, Any]:
    path = src / MANIFEST
    if not path.is_file():
        raise BackupError("SRC", f"{src} is not a cdrp backup: it has no {MANIFEST}")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise BackupError("SRC", f"{path} is not valid JSON (line {exc.lineno})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            "SRC", f"{path}: backup format {manifest.get('format')!r}, expected {FORMAT}"
        )
    return manifest


def verify(src: Path | str) -> dict[str, Any]:
    """The manifest of the backup in `src`, once every file it names matches its checksum."""
    src = Path(src)
    manifest = _read_manifest(src)
    for relative, meta in manifest["files"].items():
        path = src / relative
        if not path.is_file():
            raise BackupError("SRC", f"{path}: missing from the backup (named in {MANIFEST})")
        if _sha256(path) != meta["sha256"]:
            raise BackupError(
                "SRC", f"{path}: its SHA-256 differs from {MANIFEST}: the backup is damaged"
            )
    return manifest


def _existing_records() -> int:
    partnership = apps.get_model("partnerships", "Partnership")
    user = apps.get_model(settings.AUTH_USER_MODEL)
    return partnership.objects.count() + user.objects.count()


def _restore_store(src: Path, manifest: dict[str, Any], replace: bool, report: Report) -> int:
    store = incident_store()
    state = json.loads((src / "store" / "_state.json").read_text())
    names = [name[len("store/") :] for name in manifest["files"] if name.startswith("store/")]
    names = [n for n in names if n != "_state.json"]
    with store.lock(timeout=600):
        current = store.state()
        if current["version"] and not replace:
            raise BackupError(
                "--replace",
                f"the incident store at {settings.INCIDENT_STORE} already holds version "
                f"{current['version']}: restoring replaces it; run again with --replace",
            )
        for i, relative in enumerate(names, 1):
            store.write_bytes(relative, (src / "store" / relative).read_bytes())
            if i % 50 == 0 or i == len(names):
                report(f"Store: {i} of {len(names)} files")
        body = {k: v for k, v in state.items() if k != "version"}
        if current["version"]:
            return store.commit(body)  # after what is there: readers move to it at once
        # An empty store takes the backed-up version number, so caches keyed on it still hold.
        store.write_bytes(
            f"_state/{int(state['version']):08d}.json",
            json.dumps(dict(body, version=state["version"]), indent=1).encode(),
        )
        return int(state["version"])


def restore(src: Path | str, replace: bool = False, report: Report = _quiet) -> Summary:
    """Bring the backup in `src` back onto this site.

    Refused (nothing changed) when a file is missing or damaged, when the database kinds differ,
    or when the site already holds records and `replace` is not given.
    """
    src = Path(src)
    report("Checking the backup's files")
    manifest = verify(src)
    existing = _existing_records()
    if existing and not replace:
        raise BackupError(
            "--replace",
            f"this site's database already holds {existing} partnerships and users: restoring "
            "replaces everything in it; run again with --replace",
        )
    db = manifest["database"]
    report("Database: restoring")
    _restore_database(src, db["vendor"], db["file"])
    version = _restore_store(src, manifest, replace, report)
    uploads = [name for name in manifest["files"] if name.startswith("uploads/")]
    _restore_uploads(src, uploads)
    counts = record_counts()
    return Summary(
        path=src,
        database=db["vendor"],
        store_version=version,
        store_files=sum(1 for n in manifest["files"] if n.startswith("store/")),
        uploads=len(uploads),
        bytes=sum(int(f["size"]) for f in manifest["files"].values()),
        counts=counts,
    )
