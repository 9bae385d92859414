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
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from cdrp.store.files import Store
from cdrp.store.geography import Geography, load_geography
from cdrp.store.reader import BadInput, Block, Truncated, _Hashing, iter_blocks
from cdrp.store.schema import (
    CATEGORIES,
    INCIDENT_SCHEMA,
    LSOA_PATTERN,
    OUTCOME_COLUMNS,
    QUARANTINE_SCHEMA,
    STOP_SEARCH_COLUMNS,
    STREET_COLUMNS,
    STREET_REQUIRED,
    UK_BOUNDS,
    same_force,
    slugify,
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

Report = Callable[[int, int | None, str], None]
_FILE_RE = re.compile(
    r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-(?P<kind>street|outcomes|stop-and-search)\.csv"
    r"(?:\.gz)?$"
)
_MONTH_RE = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
# police.uk's monthly archive is named for its latest month: data/archive/2022-12.zip.
_ARCHIVE_RE = re.compile(r"^(?P<month>\d{4}-(0[1-9]|1[0-2]))\.zip$")
# Columns that only say where a row came from: not compared when a partition is replaced.
_BOOKKEEPING = {
    "source",
    "source_file",
    "source_row",
    "ingest_id",
    "month",
    "month_text",
    "force",
    "outcome_vintage",
}
# Which table each kind of file goes to, under the store root.
TABLES = {"street": "", "outcomes": "outcomes/", "stop-and-search": "stop_and_search/"}


@dataclass
class ImportResult:
    """What one import did: the manifest row shown by the CLI, pages and API."""

    file: str
    kind: str
    status: str  # imported | already imported | refused (needs --replace) | failed
    sha256: str = ""
    source: str = ""
    forces: list[str] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    read: int = 0
    imported: int = 0
    quarantined: int = 0
    repeated_ids: int | None = None
    distinct_rows: int | None = None
    replaced: list[str] = field(default_factory=list)
    replacements: list[dict] = field(default_factory=list)
    published: str = ""  # the publication month of the data (YYYY-MM), if known
    seconds: float = 0.0
    timestamp: str = ""
    ingest_id: str = ""
    message: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Input:
    """One file to import: a display name, how to open its decompressed bytes, a quick key."""

    name: str
    open: Callable[[], object]
    key: Callable[[], str]
    kind: str | None = None
    force: str | None = None
    month: str | None = None
    # Files that are not CSV (XLSX) supply their own Blocks: blocks(on_header) -> iterator.
    blocks: Callable[[Callable[[list[str]], None]], Iterator[Block]] | None = None
    published: str | None = None  # the publication month, when the archive's name gives it


@dataclass
class ImportOptions:
    """What the person importing has said: confirmations, renames and the publication month.

    replace : a replacement with fewer rows or emptied columns is confirmed (recorded as such).
    by, reason : who confirmed it and why (kept with every replacement in the manifest).
    published : the data's publication month, YYYY-MM (else from the archive's or files' names).
    columns : police.uk column → the file's column, for files whose columns are renamed.
    """

    replace: bool = False
    by: str = ""
    reason: str = ""
    published: str | None = None
    columns: dict[str, str] = field(default_factory=dict)


def _sha256_stream(stream, chunk: int = 1 << 20) -> str:
    sha = hashlib.sha256()
    while data := stream.read(chunk):
        sha.update(data)
    return sha.hexdigest()


def _classify(name: str) -> tuple[str | None, str | None, str | None]:
    match = _FILE_RE.search(PurePosixPath(name).name)
    if not match:
        return None, None, None
    return match["kind"], match["force"], match["month"]


def expand_paths(paths: Iterable[str | Path], notes: list[str] | None = None) -> list[Input]:
    """The importable files in `paths`: CSV, CSV.gz, folders of them, and police.uk zip archives.

    Files in a zip archive that are not street, outcomes or stop-and-search CSVs are skipped with
    a note appended to `notes`.
    """
    notes = notes if notes is not None else []
    inputs: list[Input] = []
    for raw in paths:
        path = str(raw)
        if "://" in path:
            fs, where = pafs.FileSystem.from_uri(path)
        else:
            fs, where = pafs.LocalFileSystem(), str(Path(path).resolve())
        info = fs.get_file_info(where)
        if info.type == pafs.FileType.NotFound:
            raise BadInput(f"{path}: no such file or folder")
        if info.type == pafs.FileType.Directory:
            found = [
                i.path
                for i in fs.get_file_info(pafs.FileSelector(where, recursive=True))
                if i.type == pafs.FileType.File and re.search(r"\.(csv|csv\.gz|zip)$", i.path)
            ]
            if "://" in path:  # keep the scheme so the files open on the same filesystem
                scheme = path.split("://", 1)[0]
                found = [f"{scheme}://{f}" for f in found]
            inputs.extend(expand_paths(sorted(found), notes))
            continue
        if where.endswith(".zip"):
            inputs.extend(_zip_inputs(fs, where, path, notes))
            continue
        inputs.append(_file_input(fs, where, path))
    return inputs


def _file_input(fs, where: str, shown: str) -> Input:
    compression = "gzip" if where.endswith(".gz") else None
    kind, force, month = _classify(where)

    def key() -> str:
        # The bytes as stored (no decompression): a cheap first test for a repeated file.
        with fs.open_input_stream(where, compression=None) as stream:
            return _sha256_stream(stream)

    return Input(
        name=shown,
        open=lambda: fs.open_input_stream(where, compression=compression),
        key=key,
        kind=kind,
        force=force,
        month=month,
    )


def _zip_inputs(fs, where: str, shown: str, notes: list[str]) -> list[Input]:
    try:
        if isinstance(fs, pafs.LocalFileSystem):
            archive = zipfile.ZipFile(where)  # read lazily: police.uk archives are large
        else:
            with fs.open_input_file(where) as handle:
                archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    except zipfile.BadZipFile as exc:
        raise BadInput(f"{shown}: not a readable zip archive ({exc})") from exc
    inputs = []
    for member in archive.namelist():
        if member.endswith("/"):
            continue
        kind, force, month = _classify(member)
        if kind is None:
            notes.append(
                f"{shown}: ignored {member} "
                "(not a police.uk street, outcomes or stop-and-search CSV)"
            )
            continue

        def opener(member=member):
            return archive.open(member)

        def key(member=member) -> str:
            try:
                with archive.open(member) as stream:
                    return _sha256_stream(stream)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise BadInput(f"{shown}:{member}: cannot read the file ({exc})") from exc

        archive_month = _ARCHIVE_RE.match(PurePosixPath(where).name)
        inputs.append(
            Input(
                f"{shown}:{member}",
                opener,
                key,
                kind,
                force,
                month,
                published=archive_month["month"] if archive_month else None,
            )
        )
    if not inputs:
        raise BadInput(
            f"{shown}: the archive holds no police.uk street, outcomes or stop-and-search CSV"
        )
    return inputs


# --------------------------------------------------------------------------------------------
# Validation specs: each turns a Block of string columns into good rows and quarantined ones.


@dataclass
class Checked:
    """A Block after validation: the good rows as a table, the bad as (row, field, reason, raw)."""

    table: pa.Table
    bad: list[tuple[int, str, str, str]]


class Spec:
    """How to validate and normalise one kind of file. Subclasses set columns and `check`."""

    kind = ""
    table = ""
    columns: list[str] = []
    required: set[str] = set()
    source = "police-uk"
    delimiter = ","

    def __init__(
        self,
        item: Input,
        geography: Geography | None,
        ingest_id: str,
        vintage: dt.date | None,
        options: ImportOptions | None = None,
    ):
        self.item, self.geography, self.ingest_id = item, geography, ingest_id
        self.vintage = vintage  # the publication month's first day (None: not known)
        self.options = options or ImportOptions()
        self.notes: list[str] = []
        self.unknown_lsoa = 0  # well-formed LSOA codes missing from the lookup
        self.forces: dict[str, str] = {}  # partition force → the name the rows give

    def on_header(self, header: list[str]) -> list[str]:
        """Check the header (BadInput names what is wrong); return it with mapped renames."""
        name = self.item.name
        renames = {}
        for ours, theirs in self.options.columns.items():
            if theirs not in header:
                raise BadInput(
                    f"{name}: line 1: the mapping names column {theirs!r} for {ours}, but the "
                    f"header has no such column (it has {', '.join(header)})"
                )
            renames[theirs] = ours
        header = [renames.get(h, h) for h in header]
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            raise BadInput(f"{name}: line 1: column {dupes[0]!r} appears twice in the header")
        missing = [c for c in self.columns if c not in header]
        if len(missing) == len(self.columns) or self.required & set(missing):
            extra = [h for h in header if h not in self.columns]
            shown = ", ".join(repr(e) for e in extra)
            found = f" (the header has {shown} instead)" if extra else ""
            raise BadInput(
                f"{name}: line 1: the header is not a {self.source} {self.kind} header: missing "
                f"{', '.join(repr(m) for m in missing)}{found}; expected "
                f"{', '.join(self.columns)}; if the file names these columns differently, give "
                "a mapping of its columns (columns: {Longitude: Lon})"
            )
        if missing:
            self.notes.append(f"{name}: no {', '.join(missing)} column: left empty")
        extra = [h for h in header if h not in self.columns]
        if extra:
            self.notes.append(f"{name}: ignored extra column(s) {', '.join(extra)}")
        return header

    def force_of(self, block: Block) -> tuple[pa.Array, np.ndarray]:
        """Each row's force as a partition name, from the rows themselves (`Reported by`, else
        `Falls within`), and the rows that name none. Records the names seen in `forces`."""
        reported = self.column(block, "Reported by")
        falls = self.column(block, "Falls within")
        name = pc.if_else(pc.equal(reported, ""), falls, reported)
        unique = pc.unique(name)
        slugs = []
        for value in unique.to_pylist():
            slug = slugify(value) if value else ""
            if value:
                self.forces.setdefault(slug, value)
            slugs.append(slug)
        force = pc.take(pa.array(slugs, pa.string()), pc.index_in(name, value_set=unique))
        return force, pc.equal(name, "").to_numpy(zero_copy_only=False)

    def finish(self) -> None:
        """After the last block: refuse a file whose police.uk name names another force."""
        named = self.item.force
        if not named or not self.forces:
            return
        if not any(same_force(named, full) for full in self.forces.values()):
            given = ", ".join(sorted(set(self.forces.values())))
            raise BadInput(
                f"{self.item.name}: the file name says force {named!r} but its rows are "
                f"reported by {given}: the force comes from the rows, so check the file or "
                "rename it (a name such as YYYY-MM-<force>-street.csv must name the rows' force)"
            )

    def column(self, block: Block, name: str) -> pa.Array:
        if name in block.columns:
            return block.columns[name]
        return pa.array([""] * len(block.rows), pa.string())

    def check(self, block: Block) -> Checked:  # pragma: no cover - abstract
        raise NotImplementedError


def _null_if_empty(array: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def _month_checks(spec: Spec, month: pa.Array, field_name: str) -> list:
    valid = pc.match_substring_regex(month, _MONTH_RE).to_numpy(zero_copy_only=False)
    checks = [(~valid, field_name, lambda v: f"month {v!r} is not of the form YYYY-MM")]
    if spec.item.month:
        wrong = valid & pc.not_equal(month, spec.item.month).to_numpy(zero_copy_only=False)
        checks.append(
            (
                wrong,
                field_name,
                lambda v, m=spec.item.month: f"month {v} disagrees with the file name's month {m}",
            )
        )
    return checks


def _coordinate_checks(lon: pa.Array, lat: pa.Array) -> tuple[list, np.ndarray, np.ndarray]:
    """Checks for a longitude/latitude pair, and the parsed values (NaN where empty)."""
    checks = []
    values = {}
    for label, array in (("Longitude", lon), ("Latitude", lat)):
        empty = pc.equal(array, "").to_numpy(zero_copy_only=False)
        parsed = np.full(len(array), np.nan)
        text = array.to_numpy(zero_copy_only=False)
        try:
            parsed = pc.cast(pc.if_else(pc.equal(array, ""), None, array), pa.float64()).to_numpy(
                zero_copy_only=False
            )
            bad_number = np.zeros(len(array), dtype=bool)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            parsed, bad_number = _parse_floats(text)
        lo, hi = UK_BOUNDS["lon" if label == "Longitude" else "lat"]
        with np.errstate(invalid="ignore"):
            outside = ~empty & ~bad_number & ~((parsed >= lo) & (parsed <= hi))
        checks.append(
            (
                bad_number & ~empty,
                label,
                lambda v, lab=label: f"{lab.lower()} {v!r} is not a number",
            )
        )
        checks.append(
            (
                outside,
                label,
                lambda v,
                lab=label,
                lo=lo,
                hi=hi: f"{lab.lower()} {v} is outside the UK ({lo} to {hi})",
            )
        )
        values[label] = (parsed, empty)
    lon_empty, lat_empty = values["Longitude"][1], values["Latitude"][1]
    checks.append(
        (
            lon_empty != lat_empty,
            "Longitude",
            lambda v: "only one of longitude and latitude is given",
        )
    )
    return checks, values["Longitude"][0], values["Latitude"][0]


def _parse_floats(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out = np.full(len(text), np.nan)
    bad = np.zeros(len(text), dtype=bool)
    for i, value in enumerate(text):
        if value == "":
            continue
        try:
            out[i] = float(value)
        except ValueError:
            bad[i] = True
        else:
            if not np.isfinite(out[i]):
                bad[i] = True
    return out, bad


def _apply(block: Block, checks: list, fields: dict[str, pa.Array]) -> tuple[np.ndarray, list]:
    """Combine checks (first failing wins) into a keep-mask and quarantine entries."""
    n = len(block.rows)
    failed = np.zeros(n, dtype=bool)
    bad = []
    for mask, field_name, reason in checks:
        hit = np.asarray(mask, dtype=bool) & ~failed
        if not hit.any():
            continue
        failed |= hit
        values = fields.get(field_name)
        for i in np.flatnonzero(hit):
            value = values[i].as_py() if values is not None else ""
            raw = json.dumps({k: v[i].as_py() for k, v in fields.items()}, ensure_ascii=False)
            bad.append((int(block.rows[i]), field_name, reason(value), raw))
    return ~failed, bad


class StreetSpec(Spec):
    kind = "street"
    table = ""
    columns = STREET_COLUMNS
    required = STREET_REQUIRED

    def check(self, block: Block) -> Checked:
        col = {c: self.column(block, c) for c in self.columns}
        checks = _month_checks(self, col["Month"], "Month")
        known = pc.is_in(col["Crime type"], value_set=pa.array(list(CATEGORIES))).to_numpy(
            zero_copy_only=False
        )
        checks.append(
            (~known, "Crime type", lambda v: f"category {v!r} is not a police.uk crime type")
        )
        coord_checks, lon, lat = _coordinate_checks(col["Longitude"], col["Latitude"])
        checks.extend(coord_checks)
        lsoa = col["LSOA code"]
        lsoa_ok = pc.or_(pc.equal(lsoa, ""), pc.match_substring_regex(lsoa, LSOA_PATTERN))
        checks.append(
            (
                ~lsoa_ok.to_numpy(zero_copy_only=False),
                "LSOA code",
                lambda v: f"LSOA code {v!r} is not of the form E01234567 or W01234567",
            )
        )
        forces, no_force = self.force_of(block)
        checks.append(
            (
                no_force,
                "Reported by",
                lambda v: "no force: 'Reported by' and 'Falls within' are both empty",
            )
        )
        keep, bad = _apply(block, checks, col)
        mask = pa.array(keep)
        good = {c: pc.filter(a, mask) for c, a in col.items()}
        n = int(keep.sum())
        lsoa_code = _null_if_empty(good["LSOA code"])
        lon_k, lat_k = lon[keep], lat[keep]
        district, ward = self._places(lsoa_code, lon_k, lat_k)
        falls = good["Falls within"]
        force = pc.filter(forces, mask)
        category = pc.take(
            pa.array(list(CATEGORIES.values())),
            pc.index_in(good["Crime type"], value_set=pa.array(list(CATEGORIES))),
        )
        table = pa.table(
            {
                "source": pa.array([self.source] * n, pa.string()),
                "source_file": pa.array([self.item.name] * n, pa.string()),
                "source_row": pa.array(block.rows[keep], pa.int64()),
                "record_id": _null_if_empty(good["Crime ID"]),
                "month": pc.cast(
                    pc.strptime(
                        pc.binary_join_element_wise(good["Month"], "01", "-"), "%Y-%m-%d", "s"
                    ),
                    pa.date32(),
                )
                if n
                else pa.array([], pa.date32()),
                "category": category,
                "lon": pa.array(lon_k, pa.float64(), from_pandas=True),
                "lat": pa.array(lat_k, pa.float64(), from_pandas=True),
                "location_text": _null_if_empty(good["Location"]),
                "lsoa_code": lsoa_code,
                "district_code": district,
                "ward_code": ward,
                "outcome": _null_if_empty(good["Last outcome category"]),
                "outcome_vintage": pa.array([self.vintage] * n, pa.date32()),
                "reported_by": _null_if_empty(good["Reported by"]),
                "falls_within": _null_if_empty(falls),
                "ingest_id": pa.array([self.ingest_id] * n, pa.string()),
            },
            schema=INCIDENT_SCHEMA,
        )
        table = table.append_column("force", force)
        return Checked(table, bad)

    def _places(
        self, lsoa: pa.Array, lon: np.ndarray, lat: np.ndarray
    ) -> tuple[pa.Array, pa.Array]:
        n = len(lsoa)
        if self.geography is None:
            none = pa.nulls(n, pa.string())
            return none, none
        lookup = self.geography.lsoa
        index = pc.index_in(lsoa, value_set=lookup.column("lsoa_code"))
        district = pc.take(lookup.column("district_code"), index)
        ward = pc.take(lookup.column("ward_code"), index)
        self.unknown_lsoa += n - lsoa.null_count - (n - index.null_count)
        # Coordinates but no LSOA code: place the point in its district and ward.
        placeable = pc.and_(pc.is_null(lsoa), pa.array(~np.isnan(lon))).to_numpy(
            zero_copy_only=False
        )
        if placeable.any():
            d, w = self.geography.assign_points(lon[placeable], lat[placeable])
            district_np = np.asarray(district.to_pylist(), dtype=object)
            ward_np = np.asarray(ward.to_pylist(), dtype=object)
            district_np[placeable], ward_np[placeable] = d, w
            district, ward = pa.array(district_np, pa.string()), pa.array(ward_np, pa.string())
        return district, ward


class _PlainSpec(Spec):
    """Outcomes and stop-and-search files: kept as published strings, month checked."""

    month_column = "Month"

    def check(self, block: Block) -> Checked:
        col = {c: self.column(block, c) for c in self.columns}
        month_text = col[self.month_column]
        if self.month_column == "Date":  # stop and search: an ISO timestamp
            month_text = pc.utf8_slice_codeunits(month_text, 0, 7)
        checks = _month_checks(self, month_text, self.month_column)
        coord_checks, _, _ = _coordinate_checks(col["Longitude"], col["Latitude"])
        checks.extend(coord_checks)
        if "Reported by" in self.columns:
            forces, no_force = self.force_of(block)
            checks.append(
                (
                    no_force,
                    "Reported by",
                    lambda v: "no force: 'Reported by' and 'Falls within' are both empty",
                )
            )
        else:  # stop-and-search rows name no force: the file's name is all there is
            forces = pa.array([self.item.force or "unknown"] * len(block.rows), pa.string())
        keep, bad = _apply(block, checks, col)
        mask = pa.array(keep)
        n = int(keep.sum())
        data = {
            re.sub(r"[^a-z0-9]+", "_", c.lower()).strip("_"): _null_if_empty(pc.filter(a, mask))
            for c, a in col.items()
            if c != "Month"
        }
        month = pc.filter(month_text, mask)
        table = pa.table(
            {
                "source": pa.array([self.source] * n, pa.string()),
                "source_file": pa.array([self.item.name] * n, pa.string()),
                "source_row": pa.array(block.rows[keep], pa.int64()),
                **data,
                "month_text": month,
                "ingest_id": pa.array([self.ingest_id] * n, pa.string()),
                "force": pc.filter(forces, mask),
            }
        )
        table = table.append_column(
            "month",
            pc.cast(
                pc.strptime(pc.binary_join_element_wise(month, "01", "-"), "%Y-%m-%d", "s"),
                pa.date32(),
            )
            if n
            else pa.array([], pa.date32()),
        ).drop_columns(["month_text"])
        return Checked(table, bad)


class OutcomeSpec(_PlainSpec):
    kind = "outcomes"
    table = "outcomes/"
    columns = OUTCOME_COLUMNS
    required = {"Month", "Outcome type"}


class StopSearchSpec(_PlainSpec):
    kind = "stop-and-search"
    table = "stop_and_search/"
    columns = STOP_SEARCH_COLUMNS
    required = {"Date"}
    month_column = "Date"

    def finish(self) -> None:  # the name is the force here: nothing to compare it with
        return


SPECS: dict[str, type[Spec]] = {
    "street": StreetSpec,
    "outcomes": OutcomeSpec,
    "stop-and-search": StopSearchSpec,
}


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
        self.writer = None
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
        if self.writer is not None:
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


def _known(state: dict, key: str) -> dict | None:
    for previous in state["imports"]:
        if previous.get("status") == "imported" and key in (
            previous["sha256"],
            previous.get("content_sha256"),
        ):
            return previous
    return None


def _checksum(store: Store, relative: str) -> tuple[str, int]:
    """The SHA-256 and size of a file in the store, as the manifest records them."""
    with store.fs.open_input_stream(store.path(relative)) as stream:
        sha, size = hashlib.sha256(), 0
        while data := stream.read(1 << 20):
            sha.update(data)
            size += len(data)
    return sha.hexdigest(), size


def _prepare(
    store: Store,
    item: Input,
    spec_class: type[Spec],
    geography: Geography | None,
    state: dict,
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
    prepared = _Prepared(
        result,
        spec,
        _Writers(store, spec_class.table, ingest_id),
        _QuarantineWriter(store, ingest_id, item.name),
        started=started,
        now=now,
    )
    try:
        if item.blocks is not None:
            stream, blocks = None, item.blocks(spec.on_header)
        else:
            stream = _Hashing(item.open(), item.name)
            blocks = iter_blocks(stream, item.name, spec.on_header, delimiter=spec.delimiter)
        for block in blocks:
            prepared.quarantine.write(block.failures)
            checked = spec.check(block)
            prepared.quarantine.write(checked.bad)
            prepared.writers.write(checked.table)
            result.read += block.read
            result.imported += checked.table.num_rows
        spec.finish()
        prepared.writers.close()
        prepared.quarantine.close()
        prepared.sums = {
            relative: _checksum(store, relative) for relative in prepared.writers.paths.values()
        }
    except BaseException:
        prepared.discard()
        raise
    result.quarantined = prepared.quarantine.count
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


def _filled(store: Store, entries: list[dict]) -> dict[str, int] | None:
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
    store: Store, prepared: _Prepared, dropped: list[dict], table_key: str
) -> list[dict]:
    """What replacing each partition would do: rows before and after, columns emptied."""
    writers, options = prepared.writers, prepared.spec.options
    out = []
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


def _describe(replacement: dict) -> str:
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
    if writers is None:
        return result
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
    kept, dropped = [], []
    for entry in state["files"]:
        same = (
            entry["table"] == table_key
            and (entry["source"], entry["force"], entry["month"]) in new_keys
        )
        (dropped if same else kept).append(entry)
    replacements = _replacements(store, prepared, dropped, table_key)
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
            }
        )
    result.replaced = sorted({f"{d['force']}/{d['month']}" for d in dropped})
    result.replacements = replacements
    result.timestamp = prepared.now.isoformat()
    if dropped:
        result.message = "replaced " + "; ".join(_describe(r) for r in replacements)
    record = result.as_dict() | {"content_sha256": prepared.content_sha, "notes": spec.notes}
    if prepared.quarantine.count:
        record["quarantine_path"] = prepared.quarantine.relative
        sha, size = _checksum(store, prepared.quarantine.relative)
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
    from concurrent.futures import ThreadPoolExecutor

    store = store if isinstance(store, Store) else Store(store)
    options = options or ImportOptions()
    report = report or (lambda done, total, message="": None)
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
    from cdrp.store.query import build_distinct_index, repeat_statistics

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

    Returns
    -------
    list of ImportResult
        One per file, in order: read, imported, quarantined, repeated IDs, seconds.
    """
    notes = notes if notes is not None else []
    inputs = expand_paths(paths, notes)
    options = ImportOptions(replace, by, reason, published, dict(columns or {}))
    return import_inputs(store, inputs, report, options=options)


# --------------------------------------------------------------------------------------------
# Checking the store: the manifest against the files.


@dataclass
class StoreCheck:
    """What `check_store` found: files checked, problems, orphans, and orphans removed."""

    checked: int = 0
    unverified: int = 0  # files listed before checksums were recorded: rows checked only
    problems: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not (set(self.orphans) - set(self.removed))

    def as_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok}


def _listed(state: dict) -> dict[str, dict]:
    """Every file the committed state names → what the manifest says of it."""
    listed: dict[str, dict] = {}
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
        listed = _listed(state)
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
    return report
