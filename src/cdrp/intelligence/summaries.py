"""Terminal summaries of imports (rich tables), shared by the import and fetch commands."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from cdrp.store import ImportResult

__all__ = ["summary_table"]


def summary_table(results: list[ImportResult]) -> Table:
    """One row per file: read, imported, quarantined, repeated Crime IDs, seconds."""
    table = Table(title="Import summary")
    for column in (
        "file",
        "status",
        "months",
        "read",
        "imported",
        "quarantined",
        "repeated IDs",
        "distinct",
        "seconds",
    ):
        table.add_column(
            column, justify="left" if column in ("file", "status", "months") else "right"
        )
    for r in results:
        months = f"{r.months[0]}…{r.months[-1]}" if len(r.months) > 1 else "".join(r.months)
        table.add_row(
            Path(r.file.split(":")[-1]).name,
            r.status,
            months,
            f"{r.read:,}",
            f"{r.imported:,}",
            f"{r.quarantined:,}",
            "" if r.repeated_ids is None else f"{r.repeated_ids:,}",
            "" if r.distinct_rows is None else f"{r.distinct_rows:,}",
            f"{r.seconds:.2f}",
        )
    if len(results) > 1:
        table.add_row(
            "total",
            "",
            "",
            f"{sum(r.read for r in results):,}",
            f"{sum(r.imported for r in results):,}",
            f"{sum(r.quarantined for r in results):,}",
            f"{sum(r.repeated_ids or 0 for r in results):,}",
            f"{sum(r.distinct_rows or 0 for r in results):,}",
            f"{sum(r.seconds for r in results):.2f}",
            style="bold",
        )
    return table
