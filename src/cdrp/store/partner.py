"""Partner data (fire service, council ASB, A&E assaults, youth offending) from CSV or XLSX.

A small declarative YAML mapping says which column holds the date (or month), the category and
the place (an LSOA code, longitude/latitude, or British National Grid easting/northing); an
optional table maps the partner's own category names to ours. Rows that fail are quarantined
exactly as police.uk rows are, and imports are idempotent by content hash. Example:

    source: fire-deliberate-fires       # partition source=…; letters, digits and hyphens
    force: lancashire                   # partition force=… (default: partner)
    columns:
      record_id: Incident number        # optional
      date: Call date                   # or  month: Month  (YYYY-MM)
      category: Fire type               # or, outside columns, category_value: <one slug>
      location: Address                 # optional free text
      easting: Easting                  # or  lsoa: LSOA code  or  lon/lat
      northing: Northing
    date_format: "%d/%m/%Y"             # optional; ISO dates (YYYY-MM-DD) by default
    delimiter: ","                      # optional; a tab for .tab and .tsv files
    categories:                         # optional; values not listed are quarantined
      Deliberate primary: deliberate-fire-primary
      Deliberate secondary: deliberate-fire-secondary
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import yaml
from pyproj import Transformer

from cdrp.store.files import Store
from cdrp.store.ingest import import_inputs
from cdrp.store.inputs import ImportOptions, ImportResult, Input, _file_input
from cdrp.store.reader import BadInput, Block, OnHeader
from cdrp.store.schema import (
    INCIDENT_SCHEMA,
    LSOA_PATTERN,
    OUTCOME_COLUMNS,
    STOP_SEARCH_COLUMNS,
    STREET_COLUMNS,
    slugify,
)
from cdrp.store.specs import (
    Checked,
    RowCheck,
    StreetSpec,
    _apply,
    _coordinate_checks,
    _null_if_empty,
)

__all__ = ["load_mapping", "load_columns", "import_partner"]

_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
_PLACES: tuple[tuple[str, ...], ...] = (("lsoa",), ("lon", "lat"), ("easting", "northing"))


def load_mapping(path: str | Path) -> dict[str, Any]:
    """Read and check a partner mapping; BadInput names the mapping file and the problem."""
    path = Path(path)
    try:
        mapping = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise BadInput(f"{path}: cannot read the mapping ({exc})") from exc
    if not isinstance(mapping, dict) or not isinstance(mapping.get("columns"), dict):
        raise BadInput(f"{path}: expected a 'columns:' section naming the file's columns")
    columns = mapping["columns"]
    source = str(mapping.get("source", ""))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", source) or source == "police-uk":
        raise BadInput(f"{path}: 'source' must be a slug such as fire-deliberate-fires")
    if ("date" in columns) == ("month" in columns):
        raise BadInput(f"{path}: map exactly one of 'date' or 'month' under columns")
    if ("category" in columns) == bool(mapping.get("category_value")):
        raise BadInput(
            f"{path}: map the 'category' column under columns, or give one 'category_value' "
            "for every row"
        )
    places = [p for p in _PLACES if all(k in columns for k in p)]
    if places[:2] == [("lsoa",), ("lon", "lat")]:  # an LSOA code places it; points are kept
        places = [("lsoa", "lon", "lat")]
    if len(places) != 1:
        raise BadInput(
            f"{path}: map exactly one place: 'lsoa', or 'lon' and 'lat', or 'easting' and "
            "'northing'"
        )
    mapping["place"] = places[0]
    mapping.setdefault("force", "partner")
    mapping["force"] = slugify(str(mapping["force"]))
    return mapping


def load_columns(path: str | Path) -> dict[str, str]:
    """Read a police.uk column mapping: which of the file's columns holds each police.uk column.

    The same form as a partner mapping's ``columns:`` section, keyed by police.uk's names::

        columns:
          Longitude: Lon
          Latitude: Lat
    """
    path = Path(path)
    try:
        mapping = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise BadInput(f"{path}: cannot read the mapping ({exc})") from exc
    columns = mapping.get("columns") if isinstance(mapping, dict) else None
    if not isinstance(columns, dict) or not columns:
        raise BadInput(f"{path}: expected a 'columns:' section, e.g. columns: {{Longitude: Lon}}")
    known = dict.fromkeys([*STREET_COLUMNS, *OUTCOME_COLUMNS, *STOP_SEARCH_COLUMNS])
    for ours, theirs in columns.items():
        if ours not in known:
            raise BadInput(
                f"{path}: {ours!r} is not a police.uk column; expected one of {', '.join(known)}"
            )
        if not isinstance(theirs, str) or not theirs.strip():
            raise BadInput(f"{path}: give the file's column name for {ours}")
    return {str(k): str(v).strip() for k, v in columns.items()}


class PartnerSpec(StreetSpec):
    """Validation of partner rows according to a mapping (set on a subclass per import)."""

    kind = "partner"
    table = ""
    mapping: dict[str, Any] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = self.mapping["source"]
        self.columns = list(self.mapping["columns"].values())
        self.required = set(self.columns)

    def check(self, block: Block) -> Checked:
        m = self.mapping
        names = m["columns"]
        col = {c: self.column(block, c) for c in self.columns}
        n = len(block.rows)
        checks: list[RowCheck] = []
        if "date" in names:
            month, bad_date = _months_from_dates(col[names["date"]], m.get("date_format"))
            shown = m.get("date_format", "YYYY-MM-DD")
            checks.append((bad_date, names["date"], lambda v: f"date {v!r} is not {shown}"))
        else:
            month = col[names["month"]]
            valid = pc.match_substring_regex(month, r"^[0-9]{4}-(0[1-9]|1[0-2])$")
            checks.append(
                (
                    ~valid.to_numpy(zero_copy_only=False),
                    names["month"],
                    lambda v: f"month {v!r} is not of the form YYYY-MM",
                )
            )
        if m.get("category_value"):
            raw_category = pa.array([str(m["category_value"])] * n, pa.string())
        else:
            raw_category = col[names["category"]]
        if m.get("categories"):
            table = m["categories"]
            known = pc.is_in(raw_category, value_set=pa.array(list(table), pa.string()))
            category = pc.take(
                pa.array([slugify(v) for v in table.values()], pa.string()),
                pc.index_in(raw_category, value_set=pa.array(list(table), pa.string())),
            )
            checks.append(
                (
                    ~known.to_numpy(zero_copy_only=False),
                    names.get("category", ""),
                    lambda v: f"category {v!r} is not in the mapping's categories",
                )
            )
        else:
            empty = pc.equal(raw_category, "").to_numpy(zero_copy_only=False)
            checks.append((empty, names.get("category", ""), lambda v: "the category is empty"))
            unique = pc.unique(raw_category)
            slugs = pa.array([slugify(v) for v in unique.to_pylist()], pa.string())
            category = pc.take(slugs, pc.index_in(raw_category, value_set=unique))
        lsoa = pa.array([""] * n, pa.string())
        place = m["place"]
        if place[0] == "lsoa":
            lsoa = col[names["lsoa"]]
            ok = pc.match_substring_regex(lsoa, LSOA_PATTERN).to_numpy(zero_copy_only=False)
            checks.append(
                (~ok, names["lsoa"], lambda v: f"LSOA code {v!r} is not of the form E01234567")
            )
            lon = lat = np.full(n, np.nan)
            if "lon" in place:  # coordinates too: checked and kept for maps
                coord, lon, lat = _coordinate_checks(col[names["lon"]], col[names["lat"]])
                renamed = {"Longitude": names["lon"], "Latitude": names["lat"]}
                checks.extend(_rename(coord, renamed))
        elif place == ("lon", "lat"):
            coord, lon, lat = _coordinate_checks(col[names["lon"]], col[names["lat"]])
            checks.extend(_rename(coord, {"Longitude": names["lon"], "Latitude": names["lat"]}))
            missing = pc.equal(col[names["lon"]], "").to_numpy(zero_copy_only=False)
            checks.append((missing, names["lon"], lambda v: "no coordinates"))
        else:
            lon, lat, grid_checks = _grid(col[names["easting"]], col[names["northing"]], names)
            checks.extend(grid_checks)
        keep, bad = _apply(block, checks, col)
        mask = pa.array(keep)
        kept = int(keep.sum())
        lsoa_code = _null_if_empty(pc.filter(lsoa, mask))
        lon_k, lat_k = lon[keep], lat[keep]
        district, ward = self._places(lsoa_code, lon_k, lat_k)

        def text(key: str) -> pa.Array:
            if key not in names:
                return pa.nulls(kept, pa.string())
            return _null_if_empty(pc.filter(col[names[key]], mask))

        month_kept = pc.filter(month, mask)
        table = pa.table(
            {
                "source": pa.array([self.source] * kept, pa.string()),
                "source_file": pa.array([self.item.name] * kept, pa.string()),
                "source_row": pa.array(block.rows[keep], pa.int64()),
                "record_id": text("record_id"),
                "month": pc.cast(
                    pc.strptime(
                        pc.binary_join_element_wise(month_kept, "01", "-"), "%Y-%m-%d", "s"
                    ),
                    pa.date32(),
                )
                if kept
                else pa.array([], pa.date32()),
                "category": pc.filter(category, mask),
                "lon": pa.array(lon_k, pa.float64(), from_pandas=True),
                "lat": pa.array(lat_k, pa.float64(), from_pandas=True),
                "location_text": text("location"),
                "lsoa_code": lsoa_code,
                "district_code": district,
                "ward_code": ward,
                "outcome": text("outcome"),
                "outcome_vintage": pa.array([self.vintage] * kept, pa.date32()),
                "reported_by": pa.array([self.source] * kept, pa.string()),
                "falls_within": pa.nulls(kept, pa.string()),
                "ingest_id": pa.array([self.ingest_id] * kept, pa.string()),
            },
            schema=INCIDENT_SCHEMA,
        )
        table = table.append_column("force", pa.array([m["force"]] * kept, pa.string()))
        return Checked(table, bad)


def _rename(checks: list[RowCheck], names: dict[str, str]) -> list[RowCheck]:
    return [(mask, names.get(field, field), reason) for mask, field, reason in checks]


def _months_from_dates(values: pa.Array, fmt: str | None) -> tuple[pa.Array, npt.NDArray[np.bool_]]:
    """YYYY-MM for each date (empty where it does not parse) and the failures."""
    pattern = fmt or "%Y-%m-%d"
    parsed = pc.strptime(values, pattern, "s", error_is_null=True)
    months = pc.fill_null(pc.strftime(parsed, "%Y-%m"), "").to_pylist()
    bad = np.zeros(len(months), dtype=bool)
    # pyarrow's strptime rolls 30/02 over into March: a date must print back as it was written.
    # Rows it cannot read, or reads differently, get Python's parser (ISO timestamps, 3/1/2022).
    again = pc.fill_null(pc.equal(pc.strftime(parsed, pattern), values), False)
    for i in np.flatnonzero(~again.to_numpy(zero_copy_only=False)):
        value = values[i].as_py()
        try:
            when = dt.datetime.strptime(value, fmt) if fmt else dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            bad[i] = True
            continue
        months[i] = when.strftime("%Y-%m")
    return pa.array(months, pa.string()), bad


def _grid(
    easting: pa.Array, northing: pa.Array, names: dict[str, str]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], list[RowCheck]]:
    checks: list[RowCheck] = []
    values = []
    for array, key, top in ((easting, "easting", 700_000), (northing, "northing", 1_300_000)):
        text = array.to_numpy(zero_copy_only=False)
        parsed = np.full(len(text), np.nan)
        bad = np.zeros(len(text), dtype=bool)
        for i, v in enumerate(text):
            try:
                parsed[i] = float(v)
            except ValueError:
                bad[i] = True
        with np.errstate(invalid="ignore"):
            outside = ~bad & ~((parsed >= 0) & (parsed <= top))
        checks.append((bad, names[key], _not_a_number(key)))
        checks.append((outside, names[key], _outside(key, top)))
        values.append(parsed)
    lon, lat = _TO_WGS84.transform(values[0], values[1])
    return np.asarray(lon), np.asarray(lat), checks


def _not_a_number(what: str) -> Callable[[Any], str]:
    return lambda v: f"{what} {v!r} is not a number"


def _outside(what: str, top: int) -> Callable[[Any], str]:
    return lambda v: f"{what} {v} is outside 0 to {top:,}"


def _xlsx_input(path: Path, sheet: str | None) -> Input:
    def key() -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    def blocks(on_header: OnHeader) -> Iterator[Block]:
        # openpyxl is needed only for a spreadsheet, so it loads only then.
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise BadInput(f"{path}: not a readable XLSX workbook ({exc})") from exc
        try:
            ws = book[sheet] if sheet else book.worksheets[0]
        except KeyError as exc:
            raise BadInput(f"{path}: no sheet named {sheet!r}") from exc
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise BadInput(f"{path}: the sheet is empty: expected a header row")
        header = ["" if h is None else str(h).strip() for h in header_row]
        on_header(header)
        chunk: list[tuple[int, list[str]]] = []

        def flush() -> Block:
            values = list(zip(*(r for _, r in chunk), strict=True)) or [()] * len(header)
            columns = {
                h: pa.array([str(v) for v in vs], pa.string())
                for h, vs in zip(header, values, strict=True)
            }
            return Block(columns, np.array([n for n, _ in chunk], dtype=np.int64))

        for number, row in enumerate(rows, start=2):
            cells = list(row) + [None] * (len(header) - len(row))
            if all(c is None or str(c).strip() == "" for c in cells):
                continue
            chunk.append((number, [_cell(c) for c in cells[: len(header)]]))
            if len(chunk) >= 50_000:
                yield flush()
                chunk = []
        if chunk:
            yield flush()
        book.close()

    # The rows come from `blocks`; `open` gives the workbook's bytes, as for any input.
    return Input(
        name=str(path), open=lambda: path.open("rb"), key=key, kind="partner", blocks=blocks
    )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def import_partner(
    store: Store | str,
    path: str | Path,
    mapping: str | Path | dict[str, Any],
    *,
    replace: bool = False,
    by: str = "",
    reason: str = "",
    published: str | None = None,
) -> ImportResult:
    """Import one partner CSV or XLSX file with a YAML column mapping.

    Parameters
    ----------
    store : Store or str
        The incident store or its root.
    path : str or Path
        The partner file (.csv, .csv.gz or .xlsx).
    mapping : path or dict
        The mapping (see the module docstring), or its already loaded dict.
    replace, by, reason, published
        As for `cdrp.store.import_police_uk`: a replacement that leaves a partition with fewer
        rows or an emptied column is refused unless `replace`; the publication month, if known,
        is the records' vintage.

    Returns
    -------
    ImportResult
        read, imported, quarantined, seconds; status 'failed' with a message for a bad file.
    """
    mapping = mapping if isinstance(mapping, dict) else load_mapping(mapping)
    path = Path(path)
    if not path.exists():
        raise BadInput(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        item = _xlsx_input(path, mapping.get("sheet"))
    else:
        item = _file_input(pafs.LocalFileSystem(), str(path.resolve()), str(path))
        item.kind, item.force, item.month = "partner", None, None
    delimiter = mapping.get("delimiter") or (
        "\t" if path.suffix.lower() in (".tab", ".tsv") else ","
    )
    spec = type("MappedPartnerSpec", (PartnerSpec,), {"mapping": mapping, "delimiter": delimiter})
    options = ImportOptions(replace=replace, by=by, reason=reason, published=published)
    (result,) = import_inputs(store, [item], spec_for=lambda _: spec, options=options)
    return result
