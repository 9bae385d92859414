"""Importing files into the store: validation, quarantine, partitioned Parquet, atomic commit.

Every input file becomes one *import*. Its rows are validated block by block (vectorised with
pyarrow); rows that fail go to the quarantine table with row, field, reason and raw values, so
``imported + quarantined = read`` for every file. Good rows are written as new Parquet files in
their ``source=…/force=…/month=…`` partitions; nothing is visible until the import commits a new
store state naming them, which also drops the files of any partition the import replaces (a newer
vintage of a force-month). A failed import deletes what it wrote and commits nothing, so the store
is exactly as it was. The whole import runs under the store lock, so two imports of one
force-month cannot interleave: the second waits, then replaces or finds it already imported.

An import never makes the store worse without being told to:

- the force and month of a row come from the row (`Reported by`, else `Falls within`; `Month`),
  never from the file's name; a police.uk name that names another force refuses the file, and a
  file holding several forces is split by them;
- a file missing a required column (or with it renamed: a mapping may rename), or cut off
  mid-row, is refused whole;
- replacing a partition with fewer rows, or with a column that had values now empty, is refused
  with the before and after figures unless `replace=True`; every replacement is recorded in the
  manifest (who, when, rows before and after, emptied columns, reason);
- each committed Parquet file is listed with its checksum, so `check_store` can verify the
  files against the manifest and remove the orphans of an import killed before it committed.

The outcome vintage of a row is the data's publication month (given, or the police.uk archive's
month, or the latest month named among the files imported together), never the day of import.

The parts: `cdrp.store.inputs` (what an import reads: files, archives, options, results),
`cdrp.store.specs` (validation of each kind of file), this module (the import and its commit),
`cdrp.store.check` (the manifest against the files).
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cdrp.store.check import StoreCheck, _checksum, check_store
from cdrp.store.files import Store
from cdrp.store.geography import Geography, load_geography
from cdrp.store.inputs import (
    _BOOKKEEPING,
    _MONTH_RE,
    ImportOptions,
    ImportResult,
    Input,
    Replacement,
    Report,
    expand_paths,
)
from cdrp.store.query import build_distinct_index, repeat_statistics
from cdrp.store.reader import BadInput, Truncated, _Hashing, iter_blocks
from cdrp.store.schema import (
    QUARANTINE_SCHEMA,
)
from cdrp.store.specs import (
    SPECS,
    Spec,
    StreetSpec,
)

__all__ = [
    "ImportResult",
    "ImportOptions",
    "Input",
    "BadInput",
    "Truncated",
    "StoreCheck",
    "check_store",
    "import_police_uk",
    "import_inputs",
    "expand_paths",
    "Spec",
]


# --------------------------------------------------------------------------------------------
# The import itself.


class _Writers:
    """Parquet writers per partition, writing new files that stay invisible until commit."""

    def __init__(self, store: Store, table: str, ingest_id: str):
        self.store, self.prefix, self.ingest_id = store, table, ingest_id
        self.open: dict[tuple[str, str, str], pq.ParquetWriter] = {}
        self.paths: dict[tuple[str, str, str], str] = {}
        self.rows: dict[tuple[str, str, str], int] = {}
        # Values present per column, to compare with a partition this import would replace.
        self.filled: dict[tuple[str, str, str], dict[str, int]] = {}
        # The districts each partition's records lie in (a force's file can hold a neighbour's):
        # the manifest lists them so a query for some districts reads only the files holding them.
        self.districts: dict[tuple[str, str, str], set[str]] = {}

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        keys = pa.table(
            {
                "s": table.column("source"),
                "f": table.column("force"),
                "m": pc.strftime(table.column("month"), "%Y-%m"),
            }
        )
        groups = keys.group_by(["s", "f", "m"]).aggregate([])
        for source, force, month in zip(
            *(groups.column(c).to_pylist() for c in ("s", "f", "m")), strict=True
        ):
            key = (source, force, month)
            if len(groups) == 1:
                part = table
            else:
                mask = pc.and_(
                    pc.and_(pc.equal(keys.column("s"), source), pc.equal(keys.column("f"), force)),
                    pc.equal(keys.column("m"), month),
                )
                part = table.filter(mask)
            if key not in self.open:
                partition = f"source={source}/force={force}/month={month}"
                relative = f"{self.prefix}{partition}/part-{self.ingest_id}.parquet"
                self.store.makedirs(relative.rsplit("/", 1)[0])
                sink = self.store.fs.open_output_stream(self.store.path(relative))
                self.open[key] = pq.ParquetWriter(sink, part.schema, compression="zstd")
                self.open[key]._cdrp_sink = sink
                self.paths[key] = relative
                self.rows[key] = 0
                self.filled[key] = dict.fromkeys(part.column_names, 0)
            self.open[key].write_table(part)
            self.rows[key] += part.num_rows
            if "district_code" in part.column_names:
                found = pc.unique(part.column("district_code").drop_null()).to_pylist()
                self.districts.setdefault(key, set()).update(str(d) for d in found)
            for name in part.column_names:
                self.filled[key][name] += part.num_rows - part.column(name).null_count

    def close(self) -> None:
        for writer in self.open.values():
            writer.close()
            writer._cdrp_sink.close()

    def discard(self) -> None:
        for writer in self.open.values():
            try:
                writer.close()
                writer._cdrp_sink.close()
            except Exception:  # noqa: S110 - best effort while already failing
                pass
        for relative in self.paths.values():
            self.store.delete(relative)


class _QuarantineWriter:
    def __init__(self, store: Store, ingest_id: str, name: str):
        self.store, self.ingest_id, self.name = store, ingest_id, name
        self.relative = f"_quarantine/part-{ingest_id}.parquet"
        self.writer: pq.ParquetWriter | None = None
        self.sink: pa.NativeFile | None = None
        self.count = 0

    def write(self, bad: list[tuple[int, str, str, str]]) -> None:
        if not bad:
            return
        rows, fields, reasons, raws = zip(*bad, strict=True)
        n = len(bad)
        table = pa.table(
            {
                "ingest_id": [self.ingest_id] * n,
                "source_file": [self.name] * n,
                "source_row": list(rows),
                "field": list(fields),
                "reason": list(reasons),
                "raw": list(raws),
            },
            schema=QUARANTINE_SCHEMA,
        )
        if self.writer is None:
            self.store.makedirs("_quarantine")
            self.sink = self.store.fs.open_output_stream(self.store.path(self.relative))
            self.writer = pq.ParquetWriter(self.sink, QUARANTINE_SCHEMA, compression="zstd")
        self.writer.write_table(table)
        self.count += n

    def close(self) -> None:
        if self.writer is not None and self.sink is not None:
            self.writer.close()
            self.sink.close()

    def discard(self) -> None:
        if self.writer is not None:
            try:
                self.close()
            except Exception:  # noqa: S110
                pass
            self.store.delete(self.relative)


@dataclass
class _Prepared:
    """An import whose Parquet files are written but not yet committed (invisible)."""

    result: ImportResult
    spec: Spec | None = None
    writers: _Writers | None = None
    quarantine: _QuarantineWriter | None = None
    content_sha: str = ""
    started: float = 0.0
    now: dt.datetime | None = None
    sums: dict[str, tuple[str, int]] = field(default_factory=dict)  # path → (sha256, bytes)

    def discard(self) -> None:
        if self.writers is not None:
            self.writers.discard()
        if self.quarantine is not None:
            self.quarantine.discard()


def _known(state: dict[str, Any], key: str) -> dict[str, Any] | None:
    imports: list[dict[str, Any]] = state["imports"]
    for previous in imports:
        if previous.get("status") == "imported" and key in (
            previous["sha256"],
            previous.get("content_sha256"),
        ):
            return previous
    return None


def _prepare(
    store: Store,
    item: Input,
    spec_class: type[Spec],
    geography: Geography | None,
    state: dict[str, Any],
    options: ImportOptions | None = None,
    published: str | None = None,
) -> _Prepared:
    """Read, validate and write one input's files; nothing is visible until `_commit`."""
    started = time.monotonic()
    now = dt.datetime.now(dt.UTC)
    ingest_id = now.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    result = ImportResult(
        file=item.name, kind=spec_class.kind, status="imported", ingest_id=ingest_id
    )
    result.source = spec_class.source
    result.published = published or ""
    result.sha256 = key = item.key()
    previous = _known(state, key)
    if previous is not None:
        result.status = "already imported"
        result.message = f"already imported ({previous['timestamp'][:19]}), 0 new rows"
        result.seconds = round(time.monotonic() - started, 3)
        return _Prepared(result)
    vintage = dt.date.fromisoformat(f"{published}-01") if published else None
    spec = spec_class(item, geography, ingest_id, vintage, options)
    result.source = spec.source
    writers = _Writers(store, spec_class.table, ingest_id)
    quarantine = _QuarantineWriter(store, ingest_id, item.name)
    prepared = _Prepared(result, spec, writers, quarantine, started=started, now=now)
    stream: _Hashing | None = None
    try:
        if item.blocks is not None:
            blocks = item.blocks(spec.on_header)
        else:
            stream = _Hashing(item.open(), item.name)
            blocks = iter_blocks(stream, item.name, spec.on_header, delimiter=spec.delimiter)
        for block in blocks:
            quarantine.write(block.failures)
            checked = spec.check(block)
            quarantine.write(checked.bad)
            writers.write(checked.table)
            result.read += block.read
            result.imported += checked.table.num_rows
        spec.finish()
        writers.close()
        quarantine.close()
        prepared.sums = {
            relative: _checksum(store, relative) for relative in writers.paths.values()
        }
    except BaseException:
        prepared.discard()
        raise
    result.quarantined = quarantine.count
    if spec.unknown_lsoa:
        spec.notes.append(
            f"{item.name}: {spec.unknown_lsoa:,} record(s) carry an LSOA code that is not in the "
            "2011 lookup (a 2021 code?): imported, but with no district"
        )
    prepared.content_sha = stream.sha.hexdigest() if stream is not None else key
    if result.imported + result.quarantined != result.read:  # pragma: no cover - invariant
        prepared.discard()
        raise RuntimeError(
            f"{item.name}: {result.imported} + {result.quarantined} != {result.read}"
        )
    return prepared


def _filled(store: Store, entries: list[dict[str, Any]]) -> dict[str, int] | None:
    """Values present per column in a partition's files, from their Parquet statistics (None
    when a file cannot be read: a damaged partition is compared by its rows only)."""
    filled: dict[str, int] = {}
    try:
        for entry in entries:
            with store.fs.open_input_file(store.path(entry["path"])) as handle:
                meta = pq.ParquetFile(handle).metadata
            for g in range(meta.num_row_groups):
                group = meta.row_group(g)
                for c in range(group.num_columns):
                    column = group.column(c)
                    stats = column.statistics
                    if stats is None or not stats.has_null_count:
                        return None
                    name = column.path_in_schema
                    filled[name] = filled.get(name, 0) + group.num_rows - stats.null_count
    except (OSError, pa.ArrowInvalid):
        return None
    return filled


def _replacements(
    store: Store,
    writers: _Writers,
    options: ImportOptions,
    dropped: list[dict[str, Any]],
    table_key: str,
) -> list[Replacement]:
    """What replacing each partition would do: rows before and after, columns emptied."""
    out: list[Replacement] = []
    for key in sorted(writers.paths):
        source, force, month = key
        old = [d for d in dropped if (d["source"], d["force"], d["month"]) == key]
        if not old:
            continue
        before = _filled(store, old) or {}
        after = writers.filled[key]
        emptied = sorted(
            c for c, n in before.items() if c not in _BOOKKEEPING and n > 0 and not after.get(c)
        )
        rows_before, rows_after = sum(d["rows"] for d in old), writers.rows[key]
        worse = rows_after < rows_before or bool(emptied)
        out.append(
            {
                "partition": f"{force}/{month}",
                "table": table_key,
                "source": source,
                "force": force,
                "month": month,
                "rows_before": rows_before,
                "rows_after": rows_after,
                "emptied": {c: before[c] for c in emptied},
                "worse": worse,
                "confirmed": worse and options.replace,
                "by": options.by,
                "reason": options.reason,
                "replaced_imports": sorted({d["ingest_id"] for d in old}),
            }
        )
    return out


def _describe(replacement: Replacement) -> str:
    """'<force> 2022-01: 16,268 rows → 6,369 rows (9,899 fewer); lon (15,732 values) now
    empty' — the figures a person needs to decide whether to replace."""
    r = replacement
    label = f"{r['force']} {r['month']}"
    if r["source"] != "police-uk":
        label = f"{r['source']} {label}"
    text = f"{label}: {r['rows_before']:,} rows → {r['rows_after']:,} rows"
    if r["rows_after"] < r["rows_before"]:
        text += f" ({r['rows_before'] - r['rows_after']:,} fewer)"
    if r["emptied"]:
        columns = ", ".join(f"{c} ({n:,} values)" for c, n in r["emptied"].items())
        text += f"; {columns} now empty"
    return text


def _commit(store: Store, prepared: _Prepared) -> ImportResult:
    """Publish a prepared import (call holding the lock): replace its partitions at once, unless
    that would make the store worse without the person's confirmation."""
    result, writers, spec = prepared.result, prepared.writers, prepared.spec
    quarantine, now = prepared.quarantine, prepared.now
    if writers is None:
        return result
    # Set together by _prepare: only an input already imported has none of them.
    assert spec is not None and quarantine is not None and now is not None
    state = store.state()
    previous = _known(state, prepared.content_sha) or _known(state, result.sha256)
    if previous is not None:
        prepared.discard()
        result.status = "already imported"
        result.imported = result.quarantined = result.read = 0
        result.message = f"already imported as {previous['file']}, 0 new rows"
        result.seconds = round(time.monotonic() - prepared.started, 3)
        return result
    new_keys = set(writers.paths)
    table_key = type(spec).table
    kept: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    for entry in state["files"]:
        same = (
            entry["table"] == table_key
            and (entry["source"], entry["force"], entry["month"]) in new_keys
        )
        (dropped if same else kept).append(entry)
    replacements = _replacements(store, writers, spec.options, dropped, table_key)
    worse = [r for r in replacements if r["worse"]]
    result.forces = sorted({k[1] for k in new_keys})
    result.months = sorted({k[2] for k in new_keys})
    result.seconds = round(time.monotonic() - prepared.started, 3)
    if worse and not spec.options.replace:
        prepared.discard()
        result.status = "refused"
        result.message = (
            f"{result.file}: refused: it would replace data with less: "
            + "; ".join(_describe(r) for r in worse)
            + ". Nothing imported; to replace anyway, confirm with --replace and a reason"
        )
        return result
    at = dt.datetime.now(dt.UTC).isoformat()
    for replacement in replacements:
        replacement["at"] = at
    for (source, force, month), relative in sorted(writers.paths.items()):
        sha, size = prepared.sums[relative]
        kept.append(
            {
                "table": table_key,
                "source": source,
                "force": force,
                "month": month,
                "path": relative,
                "rows": writers.rows[(source, force, month)],
                "ingest_id": result.ingest_id,
                "sha256": sha,
                "bytes": size,
                **(
                    {"districts": sorted(writers.districts[(source, force, month)])}
                    if (source, force, month) in writers.districts
                    else {}
                ),
            }
        )
    result.replaced = sorted({f"{d['force']}/{d['month']}" for d in dropped})
    result.replacements = replacements
    result.timestamp = now.isoformat()
    if dropped:
        result.message = "replaced " + "; ".join(_describe(r) for r in replacements)
    record = result.as_dict() | {"content_sha256": prepared.content_sha, "notes": spec.notes}
    if quarantine.count:
        record["quarantine_path"] = quarantine.relative
        sha, size = _checksum(store, quarantine.relative)
        record["quarantine_sha256"], record["quarantine_bytes"] = sha, size
    state["files"] = kept
    state["imports"].append(record)
    try:
        store.commit(state)
    except BaseException:
        prepared.discard()
        raise
    for entry in dropped:
        store.delete(entry["path"])
    result.message = "; ".join([m for m in [result.message, *spec.notes] if m])
    return result


def import_inputs(
    store: Store | str,
    inputs: list[Input],
    report: Report | None = None,
    spec_for: Callable[[Input], type[Spec]] | None = None,
    lock_timeout: float = 600.0,
    workers: int = 2,
    options: ImportOptions | None = None,
) -> list[ImportResult]:
    """Import each input (each its own import: a file that fails leaves the others).

    Files are read and validated on `workers` threads (pyarrow releases the GIL) and committed
    one by one in the order given, so a later vintage of a force-month given in the same call
    replaces an earlier one. The store lock is held throughout: another import waits, or after
    `lock_timeout` seconds gives up with StoreLocked.

    Returns one ImportResult per input, including failed ones (status 'failed', message naming
    the file, row and field, and what was expected) and refused ones (status 'refused': the
    replacement it would make needs `options.replace`; the message gives the figures).
    """

    store = store if isinstance(store, Store) else Store(store)
    options = options or ImportOptions()
    report = report or _no_report
    published = _publication_months(inputs, options)
    geography = load_geography(store)
    results: list[ImportResult] = []
    with store.lock(timeout=lock_timeout), ThreadPoolExecutor(max(1, workers)) as pool:
        state = store.state()
        futures = []
        for item in inputs:
            spec_class = (
                spec_for(item) if spec_for else SPECS.get(item.kind or "street", StreetSpec)
            )
            job = pool.submit(
                _prepare, store, item, spec_class, geography, state, options, published[id(item)]
            )
            futures.append((item, spec_class, job))
        report(0, len(inputs), "reading")
        try:
            for number, (item, spec_class, future) in enumerate(futures):
                try:
                    result = _commit(store, future.result())
                except BadInput as exc:
                    result = ImportResult(
                        file=item.name, kind=spec_class.kind, status="failed", message=str(exc)
                    )
                results.append(result)
                report(number + 1, len(inputs), f"{PurePosixPath(item.name).name}: {result.status}")
        except BaseException:
            # Something other than bad input (a full disk, a bug): drop what is not committed.
            for _, _, future in futures[len(results) + 1 :]:
                future.cancel()
                if future.done() and not future.cancelled() and future.exception() is None:
                    future.result().discard()
            raise
        if any(r.status == "imported" and r.kind in ("street", "partner") for r in results):
            _refresh_derived(store, results)
    return results


def _no_report(done: int, total: int | None, message: str = "") -> None:
    pass


def _publication_months(inputs: list[Input], options: ImportOptions) -> dict[int, str | None]:
    """Each input's publication month: as given; else its police.uk archive's month; else the
    latest month named among the police.uk files imported together (a file is published no
    earlier than the latest month published with it); else unknown (None)."""
    if options.published is not None and not re.fullmatch(_MONTH_RE, options.published):
        raise BadInput(f"the publication month must be YYYY-MM, not {options.published!r}")
    named = [i.month for i in inputs if i.month and re.fullmatch(_MONTH_RE, i.month)]
    latest = max(named) if named else None
    return {id(i): options.published or i.published or latest for i in inputs}


def _refresh_derived(store: Store, results: list[ImportResult]) -> None:
    """Rebuild the distinct index, and fill in each new street import's repeated Crime IDs and
    its rows kept under the distinct rule (call holding the lock)."""

    state = store.state()
    old = (state.get("distinct_index") or {}).get("path")
    entry = build_distinct_index(store)
    fresh = [r.ingest_id for r in results if r.status == "imported" and r.kind == "street"]
    stats = repeat_statistics(store, fresh, entry) if fresh else {}
    for record in state["imports"]:
        if record.get("ingest_id") in stats:
            record["repeated_ids"], record["distinct_rows"] = stats[record["ingest_id"]]
    state["distinct_index"] = entry
    store.commit(state)
    if old and (entry is None or old != entry["path"]):
        store.delete(old)
    for result in results:
        if result.ingest_id in stats:
            result.repeated_ids, result.distinct_rows = stats[result.ingest_id]


def import_police_uk(
    store: Store | str,
    paths: Iterable[str | Path],
    report: Report | None = None,
    notes: list[str] | None = None,
    *,
    replace: bool = False,
    by: str = "",
    reason: str = "",
    published: str | None = None,
    columns: dict[str, str] | None = None,
    lock_timeout: float = 600.0,
) -> list[ImportResult]:
    """Import police.uk files: street (and outcomes, stop-and-search) CSV, CSV.gz or zip archives.

    Parameters
    ----------
    store : Store or str
        The incident store or its root (local path or URI).
    paths : iterable of str or Path
        Files, folders (searched recursively) or police.uk zip archives.
    report : callable, optional
        ``report(done, total, message)`` progress callback.
    notes : list, optional
        Receives a message for each file in an archive that was ignored.
    replace : bool
        Confirms replacements that would leave a partition with fewer rows or an emptied
        column (refused otherwise, with the figures).
    by, reason : str
        Who is importing and why: recorded with every replacement.
    published : str, optional
        The data's publication month (YYYY-MM); by default the archive's month or the latest
        month among the files' names.
    columns : dict, optional
        police.uk column → the file's own name for it ({"Longitude": "Lon"}).
    lock_timeout : float
        Seconds to wait for another import to finish before giving up with StoreLocked.

    Returns
    -------
    list of ImportResult
        One per file, in order: read, imported, quarantined, repeated IDs, seconds.
    """
    notes = notes if notes is not None else []
    inputs = expand_paths(paths, notes)
    options = ImportOptions(replace, by, reason, published, dict(columns or {}))
    return import_inputs(store, inputs, report, lock_timeout=lock_timeout, options=options)
