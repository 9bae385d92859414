"""Validation specs: each turns a Block of string columns into good rows and quarantined ones."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cdrp.store.geography import Geography
from cdrp.store.inputs import (
    _MONTH_RE,
    ImportOptions,
    Input,
)
from cdrp.store.reader import BadInput, Block
from cdrp.store.schema import (
    CATEGORIES,
    INCIDENT_SCHEMA,
    LSOA_PATTERN,
    OUTCOME_COLUMNS,
    STOP_SEARCH_COLUMNS,
    STREET_COLUMNS,
    STREET_REQUIRED,
    UK_BOUNDS,
    same_force,
    slugify,
)

#: A quarantined row: (row number, field, reason, the row as JSON).
Failure = tuple[int, str, str, str]
#: A check of a block's rows: the rows that fail it, the field it names, and the reason given
#: a failing row's value.
RowCheck = tuple[npt.NDArray[np.bool_], str, Callable[[Any], str]]


@dataclass
class Checked:
    """A Block after validation: the good rows as a table, the bad as (row, field, reason, raw)."""

    table: pa.Table
    bad: list[Failure]


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


def _month_checks(spec: Spec, month: pa.Array, field_name: str) -> list[RowCheck]:
    valid = pc.match_substring_regex(month, _MONTH_RE).to_numpy(zero_copy_only=False)
    checks: list[RowCheck] = [
        (~valid, field_name, lambda v: f"month {v!r} is not of the form YYYY-MM")
    ]
    named = spec.item.month
    if named:
        wrong = valid & pc.not_equal(month, named).to_numpy(zero_copy_only=False)
        checks.append(
            (wrong, field_name, lambda v: f"month {v} disagrees with the file name's month {named}")
        )
    return checks


def _coordinate_checks(
    lon: pa.Array, lat: pa.Array
) -> tuple[list[RowCheck], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Checks for a longitude/latitude pair, and the parsed values (NaN where empty)."""
    checks: list[RowCheck] = []
    values: dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]] = {}
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
        checks.append((bad_number & ~empty, label, _not_a_number(label.lower())))
        checks.append((outside, label, _outside_the_uk(label.lower(), lo, hi)))
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


def _not_a_number(what: str) -> Callable[[Any], str]:
    return lambda v: f"{what} {v!r} is not a number"


def _outside_the_uk(what: str, lo: float, hi: float) -> Callable[[Any], str]:
    return lambda v: f"{what} {v} is outside the UK ({lo} to {hi})"


def _parse_floats(
    text: npt.NDArray[np.object_],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
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


def _apply(
    block: Block, checks: list[RowCheck], fields: dict[str, pa.Array]
) -> tuple[npt.NDArray[np.bool_], list[Failure]]:
    """Combine checks (first failing wins) into a keep-mask and quarantine entries."""
    n = len(block.rows)
    failed = np.zeros(n, dtype=bool)
    bad: list[Failure] = []
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
