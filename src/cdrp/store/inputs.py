"""What an import reads: its inputs (files, zip archives, police.uk names), options, result."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, NotRequired, TypedDict

import pyarrow.fs as pafs

from cdrp.store.reader import BadInput, Block, OnHeader, Readable

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


class Replacement(TypedDict):
    """What replacing one partition did (kept in the manifest and shown to the person)."""

    partition: str  # force/month
    table: str
    source: str
    force: str
    month: str
    rows_before: int
    rows_after: int
    emptied: dict[str, int]  # column → values it held before
    worse: bool
    confirmed: bool
    by: str
    reason: str
    replaced_imports: list[str]
    at: NotRequired[str]  # when it was committed


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
    replacements: list[Replacement] = field(default_factory=list)
    published: str = ""  # the publication month of the data (YYYY-MM), if known
    seconds: float = 0.0
    timestamp: str = ""
    ingest_id: str = ""
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Input:
    """One file to import: a display name, how to open its decompressed bytes, a quick key."""

    name: str
    open: Callable[[], Readable]
    key: Callable[[], str]
    kind: str | None = None
    force: str | None = None
    month: str | None = None
    # Files that are not CSV (XLSX) supply their own Blocks: blocks(on_header) -> iterator.
    blocks: Callable[[OnHeader], Iterator[Block]] | None = None
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


def _sha256_stream(stream: Readable, chunk: int = 1 << 20) -> str:
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


def _file_input(fs: pafs.FileSystem, where: str, shown: str) -> Input:
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


def _zip_inputs(fs: pafs.FileSystem, where: str, shown: str, notes: list[str]) -> list[Input]:
    try:
        if isinstance(fs, pafs.LocalFileSystem):
            archive = zipfile.ZipFile(where)  # read lazily: police.uk archives are large
        else:
            with fs.open_input_file(where) as handle:
                archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    except zipfile.BadZipFile as exc:
        raise BadInput(f"{shown}: not a readable zip archive ({exc})") from exc
    inputs: list[Input] = []
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

        def opener(member: str = member) -> IO[bytes]:
            return archive.open(member)

        def key(member: str = member) -> str:
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
