"""Streaming CSV reading with exact row numbers and a careful fallback for broken lines.

A file is read in blocks of whole lines, so memory stays bounded whatever the file's size. Each
block is parsed by pyarrow (fast path). If pyarrow sees anything odd in a block — a row with the
wrong number of fields, bytes that are not UTF-8, a quoted newline — that block alone is parsed
again line by line in Python (slow path), which names the row and the reason for every line it
cannot read. Row numbers are line numbers in the file (the header is line 1).

Newlines are universal: a line ends at a line feed, a carriage return and line feed, or a
carriage return alone (old spreadsheet exports), and a byte order mark is skipped. A file whose
last line stops short of the header's fields, or ends inside a quoted field, is refused as
truncated: a row cut off mid-line is a sign the rows after it are missing too.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv

__all__ = [
    "Block",
    "BadInput",
    "Truncated",
    "read_header",
    "iter_blocks",
    "BLOCK_BYTES",
    "OnHeader",
    "Readable",
]

BLOCK_BYTES = 16 << 20
_BOM = b"\xef\xbb\xbf"


class Readable(Protocol):
    """A binary stream: what the reader needs of a file."""

    def read(self, size: int, /) -> bytes: ...


#: Called with a file's header before its rows: may raise BadInput to refuse the file, or
#: return the header with columns renamed (None keeps it).
OnHeader = Callable[[list[str]], list[str] | None]


class BadInput(ValueError):
    """A file that cannot be imported at all (no header, wrong header, broken compression)."""


class Truncated(BadInput):
    """A file that ends in the middle of a row: refused whole, since rows are missing."""


@dataclass
class Block:
    """Some consecutive records of a file: string columns, their row numbers, and failures."""

    columns: dict[str, pa.Array]
    rows: npt.NDArray[np.int64]
    failures: list[tuple[int, str, str, str]] = field(default_factory=list)  # row, field, why, raw

    @property
    def read(self) -> int:
        return len(self.rows) + len(self.failures)


class _Hashing:
    """Wraps a binary stream, hashing what is read and turning stream errors into BadInput."""

    def __init__(self, stream: Readable, name: str) -> None:
        self.stream, self.name = stream, name
        self.sha = hashlib.sha256()
        self.bytes = 0

    def read(self, size: int) -> bytes:
        try:
            data = self.stream.read(size)
        except (OSError, EOFError, ValueError) as exc:
            raise BadInput(f"{self.name}: cannot read the file ({exc})") from exc
        self.sha.update(data)
        self.bytes += len(data)
        return data


class _Newlines:
    """Wraps a binary stream, ending every line with a line feed (universal newlines).

    A carriage return at the end of one read is held back until the next, so a CR LF pair
    split between two reads is still one line end.
    """

    def __init__(self, stream: Readable) -> None:
        self.stream = stream
        self.held = b""

    def read(self, size: int) -> bytes:
        while True:
            data = self.stream.read(size)
            if not data:
                out, self.held = self.held, b""
                return out.replace(b"\r", b"\n")
            data, self.held = self.held + data, b""
            if data.endswith(b"\r"):
                data, self.held = data[:-1], b"\r"
            if data:
                return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _split_header(line: bytes, name: str, delimiter: str = ",") -> list[str]:
    line = line.removeprefix(_BOM).rstrip(b"\r\n")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{name}: line 1: the header is not UTF-8 text ({exc.reason})") from exc
    if not text.strip():
        raise BadInput(f"{name}: the file is empty: expected a header line")
    try:
        fields = next(csv.reader([text], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise BadInput(f"{name}: line 1: the header is not a valid CSV line ({exc})") from exc
    return [c.strip() for c in fields]


def read_header(stream: Readable, name: str, delimiter: str = ",") -> tuple[list[str], bytes]:
    """The header's column names, and the bytes already read past it (newlines universal)."""
    buffer = b""
    while b"\n" not in buffer:
        data = stream.read(1 << 16)
        if not data:
            break
        buffer += data
    if not buffer.strip():
        raise BadInput(f"{name}: the file is empty: expected a header line")
    line, _, rest = buffer.partition(b"\n")
    return _split_header(line, name, delimiter), rest


def _last_line(buffer: bytes, first: int) -> tuple[bytes, int] | None:
    """The last line of `buffer` that is not blank, and its line number (None if all blank)."""
    body = buffer.rstrip(b"\n\t ")  # a last line of blanks is not a row
    if not body:
        return None
    start = body.rfind(b"\n") + 1
    return body[start:], first + body.count(b"\n", 0, start)


def _check_complete(last: tuple[bytes, int], width: int, name: str, delimiter: str) -> None:
    """Refuse a file whose last line is cut short: fewer fields, or inside a quoted field."""
    line, line_no = last
    text = line.decode("utf-8", errors="replace")
    try:
        fields = next(csv.reader([text], delimiter=delimiter, strict=True))
    except csv.Error:
        if text.count('"') % 2:  # an open quote: the file stops inside a quoted field
            raise Truncated(
                f"{name}: line {line_no}: the file ends inside a quoted field: it looks "
                "truncated (cut off mid-row); nothing imported"
            ) from None
        return  # some other malformed last line: quarantined like any other
    if len(fields) < width:
        raise Truncated(
            f"{name}: line {line_no}: the last line has {len(fields)} of {width} fields: the "
            "file looks truncated (cut off mid-row); nothing imported"
        )


def iter_blocks(
    stream: Readable,
    name: str,
    on_header: OnHeader,
    block_bytes: int = BLOCK_BYTES,
    delimiter: str = ",",
) -> Iterator[Block]:
    """Yield the records of a CSV stream as Blocks of string columns (whitespace-trimmed).

    `on_header(columns)` is called with the file's header before any block (it may raise
    BadInput to refuse the file, or return the header with columns renamed). The stream's
    hash is available afterwards as `stream.sha`. A truncated file raises `Truncated` when
    its end is reached (the caller discards what it wrote).
    """
    lines = _Newlines(stream)
    header, carry = read_header(lines, name, delimiter)
    header = on_header(header) or header
    width = len(header)
    names = [f"c{i}" for i in range(width)]
    line_no = 2
    eof = False
    last: tuple[bytes, int] | None = None
    while not eof:
        data = lines.read(block_bytes)
        eof = not data
        buffer = carry + data
        if not eof:
            cut = buffer.rfind(b"\n")
            if cut < 0:
                carry = buffer
                continue
            buffer, carry = buffer[: cut + 1], buffer[cut + 1 :]
        else:
            carry = b""
        if not buffer:
            continue
        last = _last_line(buffer, line_no) or last
        block = _parse(buffer, line_no, names, header, delimiter)
        line_no += buffer.count(b"\n") + (0 if buffer.endswith(b"\n") else 1)
        if block.read:
            yield block
    if last is not None:
        _check_complete(last, width, name, delimiter)


def _line_numbers(buffer: bytes, first: int) -> npt.NDArray[np.int64]:
    """Line numbers of the non-empty lines of `buffer` (pyarrow skips empty ones)."""
    raw = np.frombuffer(buffer, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    if not buffer.endswith(b"\n"):
        ends = np.append(ends, len(raw))
    starts = np.concatenate(([0], ends[:-1] + 1))
    return first + np.flatnonzero(ends - starts > 0)


def _parse(
    buffer: bytes, first: int, names: list[str], header: list[str], delimiter: str = ","
) -> Block:
    try:  # a quick C-speed check; pyarrow cannot hand over rows that are not UTF-8
        buffer.decode("utf-8")
    except UnicodeDecodeError:
        return _parse_slow(buffer, first, header, delimiter)
    rows = _line_numbers(buffer, first)
    bad: list[Any] = []

    def handler(row: Any) -> str:  # pyarrow's InvalidRow
        bad.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.py_buffer(buffer),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _parse_slow(buffer, first, header, delimiter)
    if bad or table.num_rows != len(rows):
        return _parse_slow(buffer, first, header, delimiter)
    columns = {}
    for column_name, n in zip(header, names, strict=True):
        column = table.column(n).combine_chunks()
        columns[column_name] = pa.compute.utf8_trim_whitespace(column)
    return Block(columns, rows)


def _parse_slow(buffer: bytes, first: int, header: list[str], delimiter: str = ",") -> Block:
    width = len(header)
    values: list[list[str]] = [[] for _ in range(width)]
    rows, failures = [], []
    lines = buffer.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for offset, raw_line in enumerate(lines):
        line = raw_line
        if not line:
            continue
        row = first + offset
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            shown = line.decode("utf-8", errors="backslashreplace")
            failures.append(
                (
                    row,
                    "",
                    f"not UTF-8 text: byte 0x{line[exc.start]:02x} at column {exc.start + 1}",
                    shown,
                )
            )
            continue
        try:
            fields = next(csv.reader([text], strict=True, delimiter=delimiter))
        except csv.Error as exc:
            failures.append((row, "", f"not a valid CSV line ({exc})", text))
            continue
        if len(fields) != width:
            failures.append(
                (row, "", f"{len(fields)} fields, expected {width} as in the header", text)
            )
            continue
        rows.append(row)
        for i, value in enumerate(fields):
            values[i].append(value.strip())
    columns = {h: pa.array(v, pa.string()) for h, v in zip(header, values, strict=True)}
    return Block(columns, np.asarray(rows, dtype=np.int64), failures)
