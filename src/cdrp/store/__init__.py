"""The incident store: police.uk and partner records as Hive-partitioned Parquet, read by DuckDB.

Pure code: never imports Django. The root is a local path or any URI DuckDB can read.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["store_state"]


def store_state(root: str) -> dict:
    """A short description of the store for health checks: where it is and what it holds."""
    if "://" in root:
        return {"root": root, "local": False}
    path = Path(root)
    if not path.exists():
        return {"root": root, "local": True, "exists": False, "partitions": 0}
    partitions = sum(1 for _ in path.glob("source=*/force=*/month=*"))
    return {"root": root, "local": True, "exists": True, "partitions": partitions}
