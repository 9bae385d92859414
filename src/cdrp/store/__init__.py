"""The incident store: police.uk and partner records as Hive-partitioned Parquet, read by DuckDB.

Pure code: never imports Django. The root is a local path or any URI pyarrow and DuckDB can read
(``s3://…``): see `cdrp.store.files.Store`. Public API:

- `build_geography(root, data_dir, boundaries=[...])`: LSOA/ward/district/partnership/force
  lookups into the store, from boundary files of any area recognised by their code columns
  (`cdrp.store.boundaries`; LSOA → ward by area: `cdrp.store.wardfit`);
  `cdrp.store.ons.fetch_geography` downloads them from the ONS Open Geography Portal first.
- `import_police_uk(root, paths)`, `import_partner(root, path, mapping)`: imports, one result each
  (`cdrp.store.fetch.fetch_police_uk` downloads first).
- `counts(root, by=..., start=..., end=..., ...)`, `points(root, ...)`: queries (Arrow or pandas).
- `check_store(root, repair=False)`: the manifest verified against the files (checksums, rows),
  and the orphans an interrupted import left behind (removed with `repair=True`).
- `imports(root)`, `quarantine(root)`, `coverage(root)`, `repeated_ids(root)`: the manifest,
  bad rows, force × month, and the Crime IDs listed more than once.
"""

from __future__ import annotations

from typing import Any

from cdrp.store.files import Store, StoreLocked
from cdrp.store.geography import build_geography, load_geography
from cdrp.store.ingest import (
    BadInput,
    ImportOptions,
    ImportResult,
    StoreCheck,
    check_store,
    expand_paths,
    import_inputs,
    import_police_uk,
)
from cdrp.store.partner import import_partner, load_mapping
from cdrp.store.query import (
    LEVELS,
    counts,
    coverage,
    imports,
    points,
    quarantine,
    repeated_ids,
)

__all__ = [
    "LEVELS",
    "BadInput",
    "ImportOptions",
    "ImportResult",
    "Store",
    "StoreCheck",
    "StoreLocked",
    "build_geography",
    "check_store",
    "counts",
    "coverage",
    "expand_paths",
    "import_inputs",
    "import_partner",
    "import_police_uk",
    "imports",
    "load_geography",
    "load_mapping",
    "points",
    "quarantine",
    "repeated_ids",
    "store_state",
]


def store_state(root: str) -> dict[str, Any]:
    """A short description of the store for health checks: where it is and what it holds."""
    try:
        store = Store(root)
        state = store.state()
    except Exception as exc:  # a health check reports, it never raises
        return {"root": root, "ok": False, "error": str(exc)[:200]}
    files = [f for f in state["files"] if f["table"] == ""]
    return {
        "root": root,
        "local": store.local,
        "exists": store.exists(""),
        "ok": True,
        "version": state["version"],
        "partitions": len(files),
        "rows": sum(f["rows"] for f in files),
        "imports": len(state["imports"]),
        "geography": bool(state.get("geography")),
    }
