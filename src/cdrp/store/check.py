"""Checking the store: the manifest against the files, and removing what an import killed
before it committed left behind."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from cdrp.store.files import Store


def _checksum(store: Store, relative: str) -> tuple[str, int]:
    """The SHA-256 and size of a file in the store, as the manifest records them."""
    with store.fs.open_input_stream(store.path(relative)) as stream:
        sha, size = hashlib.sha256(), 0
        while data := stream.read(1 << 20):
            sha.update(data)
            size += len(data)
    return sha.hexdigest(), size


@dataclass
class StoreCheck:
    """What `check_store` found: files checked, problems, orphans, and orphans removed."""

    checked: int = 0
    unverified: int = 0  # files listed before checksums were recorded: rows checked only
    problems: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Files listed before the manifest kept each file's districts, given them by a repair.
    districts_listed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not (set(self.orphans) - set(self.removed))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}


def listed_files(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every file the committed state names → what the manifest says of it (what a check
    verifies and a backup copies)."""
    listed: dict[str, dict[str, Any]] = {}
    for entry in state["files"]:
        listed[entry["path"]] = {"rows": entry["rows"], "sha256": entry.get("sha256")}
    for record in state["imports"]:
        if record.get("quarantine_path"):
            listed[record["quarantine_path"]] = {
                "rows": record.get("quarantined"),
                "sha256": record.get("quarantine_sha256"),
            }
    if state.get("distinct_index"):
        listed[state["distinct_index"]["path"]] = {"rows": None, "sha256": None}
    for name in state.get("geography") or {}:
        listed[f"_geography/{name}.parquet"] = {"rows": None, "sha256": None}
    return listed


def check_store(store: Store | str, repair: bool = False, lock_timeout: float = 60.0) -> StoreCheck:
    """Verify the store's files against its manifest, and find (or remove) orphans.

    Every file the committed state lists must exist, match its recorded SHA-256 and hold the
    rows the manifest says. An *orphan* is a Parquet or temporary file that no committed state
    names: what an import killed before it committed leaves behind. Queries never read them
    (they read only listed files), so counts stay right, but they take space and confuse.
    `repair=True` deletes the orphans; it never touches a listed file (a missing or damaged one
    is reported: re-import its source file). The check holds the store lock, so an import in
    progress is not mistaken for orphans.
    """
    store = store if isinstance(store, Store) else Store(store)
    report = StoreCheck()
    with store.lock(timeout=lock_timeout):
        state = store.state()
        listed = listed_files(state)
        present = {}
        directories = []
        selector = pafs.FileSelector(store.base, recursive=True, allow_not_found=True)
        for info in store.fs.get_file_info(selector):
            relative = info.path[len(store.base) :].lstrip("/")
            if info.type == pafs.FileType.Directory:
                directories.append(relative)
            elif info.type == pafs.FileType.File:
                present[relative] = info.size
        for relative, says in sorted(listed.items()):
            if relative not in present:
                report.problems.append(f"{relative}: missing (listed in the manifest)")
                continue
            report.checked += 1
            if says["sha256"]:
                if _checksum(store, relative)[0] != says["sha256"]:
                    report.problems.append(f"{relative}: checksum differs from the manifest's")
                    continue
            elif relative.endswith(".parquet") and not relative.startswith("_geography/"):
                report.unverified += 1
            if says["rows"] is not None:
                try:
                    with store.fs.open_input_file(store.path(relative)) as handle:
                        rows = pq.ParquetFile(handle).metadata.num_rows
                except (OSError, pa.ArrowInvalid) as exc:
                    report.problems.append(f"{relative}: not a readable Parquet file ({exc})")
                    continue
                if rows != says["rows"]:
                    report.problems.append(
                        f"{relative}: {rows:,} rows, the manifest says {says['rows']:,}"
                    )
        for relative in sorted(present):
            if relative in listed or relative.startswith("_state/") and relative.endswith(".json"):
                continue
            if relative.endswith(".parquet") or ".tmp-" in PurePosixPath(relative).name:
                report.orphans.append(relative)
        if repair:
            for relative in report.orphans:
                store.delete(relative)
                if not store.exists(relative):
                    report.removed.append(relative)
            # Partition folders the orphans leave empty (object stores have none).
            for folder in sorted(directories, key=lambda d: d.count("/"), reverse=True):
                inside = store.fs.get_file_info(
                    pafs.FileSelector(store.path(folder), allow_not_found=True)
                )
                if not inside and folder.split("/")[-1].startswith(("month=", "force=", "source=")):
                    store.fs.delete_dir(store.path(folder))
            report.districts_listed = _list_districts(store, state, report)
    return report


def _list_districts(store: Store, state: dict[str, Any], report: StoreCheck) -> int:
    """Give each sound incident file listed without its districts (a store imported before the
    manifest kept them) the districts its records lie in, and commit that as a new state: no file
    changes, and queries for some districts can then leave the other files unread."""
    damaged = {p.split(":", 1)[0] for p in report.problems}
    missing = [
        e
        for e in state["files"]
        if e["table"] == "" and "districts" not in e and e["path"] not in damaged
    ]
    for entry in missing:
        with store.fs.open_input_file(store.path(entry["path"])) as handle:
            column = pq.read_table(handle, columns=["district_code"]).column("district_code")
        entry["districts"] = sorted(str(d) for d in pc.unique(column.drop_null()).to_pylist())
    if missing:
        store.commit(state)
    return len(missing)
