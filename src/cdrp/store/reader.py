"""Streaming CSV reading with exact row numbers and a careful fallback for broken lines.

A file is read in blocks of whole lines, so memory stays bounded whatever the file's size. Each
block is parsed by pyarrow (fast path). If pyarrow sees anything odd in a block — a row with the
wrong number of fields, bytes that are not UTF-8, a quoted newline — that block alone is parsed
again line by line in Python (slow path), which names the row and the reason for every line it
cannot read. Row numbers are line numbers in the file (the header is line 1).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

__all__ = ["Block", "BadInput", "read_header", "iter_blocks", "BLOCK_BYTES"]

BLOCK_BYTES = 16 << 20
_BOM = b"\xef\xbb\xbf"


class BadInput(ValueError):
    """A file that cannot be imported at all (no header, wrong header, broken compression)."""


@dataclass
class Block:
    """Some consecutive records of a file: string columns, their row numbers, and failures."""

    columns: dict[str, pa.Array]
    rows: np.ndarray
    failures: list[tuple[int, str, str, str]] = field(default_factory=list)  # row, field, why, raw

    @property
    def read(self) -> int:
        return len(self.rows) + len(self.failures)


class _Hashing:
    """Wraps a binary stream, hashing what is read and turning stream errors into BadInput."""

    def __init__(self, stream, name: str):
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


def _split_header(line: bytes, name: str, delimiter: str = ",") -> list[str]:
    line = line.removeprefix(_BOM).rstrip(b"\r\n")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{name}: line 1: the header is not UTF-8 text ({exc.reason})") from exc
    if not text.strip():
        raise BadInput(f"{name}: the file is empty: expected a header line")
    return [c.strip() for c in next(csv.reader([text], delimiter=delimiter))]


def read_header(stream: _Hashing, name: str, delimiter: str = ",") -> tuple[list[str], bytes]:
    """The header's column names, and the bytes already read past it."""
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


def iter_blocks(
    stream,
    name: str,
    on_header: Callable[[list[str]], None],
    block_bytes: int = BLOCK_BYTES,
    delimiter: str = ",",
) -> Iterator[Block]:
    """Yield the records of a CSV stream as Blocks of string columns (whitespace-trimmed).

    `on_header(columns)` is called with the file's header before any block (it may raise
    BadInput to refuse the file). The stream's hash is available afterwards as `stream.sha`.
    """
    header, carry = read_header(stream, name, delimiter)
    on_header(header)
    width = len(header)
    names = [f"c{i}" for i in range(width)]
    line_no = 2
    eof = False
    while not eof:
        data = stream.read(block_bytes)
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
        block = _parse(buffer, line_no, names, header, delimiter)
        line_no += buffer.count(b"\n") + (0 if buffer.endswith(b"\n") else 1)
        if block.read:
            yield block


def _line_numbers(buffer: bytes, first: int) -> np.ndarray:
    """Line numbers of the non-empty lines of `buffer` (pyarrow skips empty ones)."""
    raw = np.frombuffer(buffer, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    if not buffer.endswith(b"\n"):
        ends = np.append(ends, len(raw))
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    has_cr = np.zeros(len(ends), dtype=bool)
    nonzero = lengths > 0
    has_cr[nonzero] = raw[np.minimum(ends[nonzero] - 1, len(raw) - 1)] == 13
    content = lengths - has_cr
    return first + np.flatnonzero(content > 0)


def _parse(
    buffer: bytes, first: int, names: list[str], header: list[str], delimiter: str = ","
) -> Block:
    try:  # a quick C-speed check; pyarrow cannot hand over rows that are not UTF-8
        buffer.decode("utf-8")
    except UnicodeDecodeError:
        return _parse_slow(buffer, first, header, delimiter)
    if buffer.count(b"\r") != buffer.count(b"\r\n"):
        # pyarrow ends a row at a lone carriage return too; we count lines by line feeds.
        return _parse_slow(buffer, first, header, delimiter)
    rows = _line_numbers(buffer, first)
    bad = []

    def handler(row):
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
        line = raw_line.rstrip(b"\r")
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
