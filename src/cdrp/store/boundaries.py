"""Boundary files of any area: read, recognise by their code columns, check, and reproject.

A boundary file is GeoJSON (optionally gzipped) or a GeoPackage (read with sqlite3 and shapely: no
GDAL). A zipped Shapefile is refused with a message saying how to get one of those instead. Its
layers are recognised by their ONS code column, never by the file's name:

- ``LSOA11CD``, ``LSOA21CD``… → LSOAs of 2011, 2021…
- ``WD13CD``, ``WD22CD``… → electoral wards of that year's vintage;
- ``LAD13CD``, ``LAD22CD``… → local authority districts.

A layer with none of these but one column whose every value is a GSS code of one kind (E01/W01
LSOA, E05/W05 ward, E06–E09/W06 district) is taken as that kind with no known year. The finest
level in a layer is its own (an LSOA layer that also carries ``LAD21CD`` is an LSOA layer).

Every geometry is reprojected to the British National Grid (EPSG:27700) with pyproj. Input that
cannot be used is refused with a `BoundaryError` naming the file, the feature, the field and
what was expected, before anything is written.
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from cdrp.analysis.errors import RefusedInput
from cdrp.store.reader import BadInput

__all__ = [
    "BNG",
    "KINDS",
    "BoundaryError",
    "Layer",
    "boundary_files",
    "gpkg_to_wkb",
    "layers_frame",
    "read_boundaries",
    "read_boundary_file",
]

Kind = Literal["lsoa", "ward", "district"]
#: The kinds of layer recognised, finest first.
KINDS: tuple[Kind, ...] = ("lsoa", "ward", "district")
BNG = "EPSG:27700"
_WGS84 = "EPSG:4326"
_CODE_COLUMN = {
    "lsoa": re.compile(r"^LSOA(\d\d)CD$", re.IGNORECASE),
    "ward": re.compile(r"^WD(\d\d)CD$", re.IGNORECASE),
    "district": re.compile(r"^LAD(\d\d)CD$", re.IGNORECASE),
}
_GSS = {
    "lsoa": re.compile(r"^[EW]01\d{6}$"),
    "ward": re.compile(r"^[EW]05\d{6}$"),
    "district": re.compile(r"^(E0[6789]|W06)\d{6}$"),
}
_EXPECTED = {
    "lsoa": "a 9-character LSOA code, E01… or W01…",
    "ward": "a 9-character ward code, E05… or W05…",
    "district": "a 9-character district code, E06…–E09… or W06…",
}
_NAME_WORDS = {"lsoa": ("lsoa",), "ward": ("ward",), "district": ("district", "lad")}
#: Great Britain on the National Grid, with a margin: coordinates outside are a wrong CRS.
_GB_BOUNDS = (-50_000.0, -50_000.0, 750_000.0, 1_300_000.0)
_GEOJSON_SUFFIXES = (".geojson", ".json", ".geojson.gz", ".json.gz")
SUFFIXES = (*_GEOJSON_SUFFIXES, ".gpkg", ".zip")


class BoundaryError(BadInput, RefusedInput):
    """A boundary file refused before anything was written (file, feature, field, expectation)."""

    def __init__(self, source: str, field: str, message: str) -> None:
        RefusedInput.__init__(self, field, f"{source}: {message}")
        self.source, self.detail = source, message


@dataclass(frozen=True)
class Layer:
    """One recognised boundary layer, geometries on the British National Grid.

    ``wgs84`` holds the geometries in longitude/latitude: the file's own when it was in WGS84
    (so nothing moves by a round trip, and a repair made for the area sums is not drawn), else
    the BNG ones reprojected.
    """

    kind: Kind
    year: int | None
    source: str
    code_field: str
    codes: npt.NDArray[np.object_]
    names: npt.NDArray[np.object_]
    geometry: npt.NDArray[np.object_]
    wgs84: npt.NDArray[np.object_]
    repaired: int = 0

    def __len__(self) -> int:
        return len(self.codes)


def gpkg_to_wkb(blob: bytes) -> bytes:
    """Strip the GeoPackage binary header from a geometry blob, leaving standard WKB.

    The header is 'GP', a version byte, a flags byte, a 4-byte SRS id, then an envelope whose
    size is set by bits 1-3 of the flags (0, 32, 48, 48 or 64 bytes).
    """
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 0b111]
    return bytes(blob[8 + envelope :])


def boundary_files(paths: Iterable[str | Path]) -> list[Path]:
    """The boundary files named, folders expanded (recursively, sorted) to files we can read."""
    out: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            out.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.name.lower().endswith(SUFFIXES)
            )
        elif path.exists():
            out.append(path)
        else:
            raise BoundaryError(str(path), "", "no such file or folder")
    return out


def read_boundaries(
    paths: Iterable[str | Path],
    *,
    skip_unrecognised: bool = False,
    notes: list[str] | None = None,
    report: Callable[[int, int, str], None] | None = None,
) -> list[Layer]:
    """Every layer of the files (folders expanded), each recognised and checked.

    Parameters
    ----------
    skip_unrecognised : bool
        Leave out files or layers with no recognised code column (or that are not boundary
        files at all, such as TopoJSON), with a note, instead of refusing them. Broken
        geometries and codes in a recognised layer are refused either way.
    """
    files = boundary_files(paths)
    layers: list[Layer] = []
    for done, path in enumerate(files):
        if report:
            report(done, len(files), path.name)
        try:
            layers.extend(read_boundary_file(path))
        except _Unrecognised as exc:
            if not skip_unrecognised:
                raise BoundaryError(exc.source, exc.field, exc.detail) from None
            if notes is not None:
                notes.append(f"{exc.source}: skipped: {exc.detail}")
    return layers


class _Unrecognised(BoundaryError):
    """Not a boundary layer we know: refused, or skipped when scanning a folder of data."""


def read_boundary_file(path: str | Path) -> list[Layer]:
    """The recognised layers of one file (GeoJSON, GeoJSON.gz, GeoPackage)."""
    path = Path(path)
    name = path.name.lower()
    try:
        if name.endswith(_GEOJSON_SUFFIXES):
            return [_read_geojson(path)]
        if name.endswith(".gpkg"):
            return _read_gpkg(path)
        if name.endswith(".zip"):
            return _read_shapefile_zip(path)
    except (OSError, EOFError, zipfile.BadZipFile, gzip.BadGzipFile, sqlite3.DatabaseError) as exc:
        raise BoundaryError(path.name, "", f"cannot be read ({exc})") from exc
    raise _Unrecognised(
        path.name, "", "not a boundary file: expected .geojson, .json(.gz), .gpkg or a zipped .shp"
    )


# -- GeoJSON ---------------------------------------------------------------------------------------


def _read_geojson(path: Path) -> Layer:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryError(path.name, "", f"is not JSON ({exc})") from exc
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "Topology":
        raise _Unrecognised(path.name, "type", "TopoJSON is not read: convert it to GeoJSON")
    if kind != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise _Unrecognised(path.name, "type", "expected a GeoJSON FeatureCollection")
    features: list[dict[str, Any]] = doc["features"]
    props = [f.get("properties") or {} for f in features]
    crs = _geojson_crs(path.name, doc)
    geoms = None
    if all(isinstance(f.get("geometry"), dict) for f in features):
        # One call for the whole collection (fast); features keep their order.
        try:
            parts = shapely.get_parts(shapely.from_geojson(raw))
            geoms = parts if len(parts) == len(features) else None
        except shapely.errors.GEOSException:
            geoms = None
    if geoms is None:
        geoms = np.array(
            [_feature_geometry(path.name, i, f) for i, f in enumerate(features)], dtype=object
        )
    return _layer(path.name, pd.DataFrame.from_records(props), geoms, crs, "feature")


def _feature_geometry(source: str, index: int, feature: dict[str, Any]) -> Any:
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        return None  # refused once the layer's codes are known, naming the feature's code
    try:
        return shapely.from_geojson(json.dumps(geometry))
    except shapely.errors.GEOSException as exc:
        raise BoundaryError(
            source, "geometry", f"feature {index + 1}: the geometry cannot be read ({exc})"
        ) from exc


def _geojson_crs(source: str, doc: dict[str, Any]) -> str:
    """The CRS a GeoJSON names (the 2008 ``crs`` member), else WGS84 as RFC 7946 says."""
    name = ((doc.get("crs") or {}).get("properties") or {}).get("name")
    if not name:
        return _WGS84
    if str(name).upper().endswith("CRS84"):
        return _WGS84
    try:
        return CRS.from_user_input(name).to_string()
    except CRSError as exc:
        raise BoundaryError(source, "crs", f"unknown coordinate reference system {name!r}") from exc


# -- GeoPackage ------------------------------------------------------------------------------------


def _read_gpkg(path: Path) -> list[Layer]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        try:
            found = con.execute(
                "SELECT c.table_name, c.column_name, s.organization, s.organization_coordsys_id "
                "FROM gpkg_geometry_columns c LEFT JOIN gpkg_spatial_ref_sys s "
                "ON s.srs_id = c.srs_id ORDER BY c.table_name"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _Unrecognised(path.name, "", f"is not a GeoPackage ({exc})") from exc
        if not found:
            raise _Unrecognised(path.name, "", "the GeoPackage has no geometry layer")
        layers = []
        for table_name, geom_col, org, org_id in found:
            source = f"{path.name} (layer {table_name})"
            if not org or org_id is None or int(org_id) <= 0:
                raise BoundaryError(source, geom_col, "the layer names no coordinate system")
            # A table name cannot be a parameter: this is the file's own name for it, quoted.
            table = '"' + str(table_name).replace('"', '""') + '"'
            frame = pd.read_sql_query(f"SELECT * FROM {table}", con)  # nosec B608: quoted
            blobs = frame.pop(geom_col)
            geoms = []
            for row, blob in enumerate(blobs):
                try:
                    geoms.append(shapely.from_wkb(gpkg_to_wkb(blob)) if blob else None)
                except (ValueError, TypeError, shapely.errors.GEOSException) as exc:
                    raise BoundaryError(
                        source, geom_col, f"row {row + 1}: the geometry cannot be read ({exc})"
                    ) from exc
            crs = f"{org}:{int(org_id)}".upper()
            layers.append(_layer(source, frame, np.array(geoms, dtype=object), crs, "row"))
    return layers


# -- zipped Shapefile -----------------------------------------------------------------------------


def _read_shapefile_zip(path: Path) -> list[Layer]:
    """Refused: reading Shapefiles needs GDAL or pyshp, which cdrp does not depend on."""
    with zipfile.ZipFile(path) as archive:
        if not any(n.lower().endswith(".shp") for n in archive.namelist()):
            raise _Unrecognised(path.name, "", "the zip holds no .shp file")
    raise BoundaryError(
        path.name,
        "",
        "zipped Shapefiles are not read: download the layer as GeoPackage or GeoJSON (the ONS "
        "Open Geography Portal offers both), or convert it (e.g. with QGIS), then import that",
    )


# -- recognising and checking ------------------------------------------------------------------


def _recognise(source: str, frame: pd.DataFrame) -> tuple[Kind, int | None, str, str | None]:
    """The layer's kind, year, code column and name column, by its columns (finest kind wins)."""
    for kind in KINDS:
        for column in frame.columns:
            match = _CODE_COLUMN[kind].match(str(column))
            if match:
                name: str | None = f"{column[:-2]}{'nm' if column[-2:].islower() else 'NM'}"
                if name not in frame.columns:  # e.g. LSOA21CD beside LSOA11NM
                    name = _name_column(frame, kind, str(column))
                return kind, 2000 + int(match.group(1)), str(column), name
    for kind in KINDS:
        for column in frame.columns:
            values = frame[column]
            if values.dtype == object and len(values) and values.map(_is_code(kind)).all():
                return kind, None, str(column), _name_column(frame, kind, str(column))
    known = "LSOAnnCD, WDnnCD or LADnnCD (or a column of GSS codes E01/E05/E06–E09…)"
    columns = ", ".join(map(str, frame.columns)) or "none"
    raise _Unrecognised(source, "", f"no recognised code column: expected {known}; has {columns}")


def _is_code(kind: Kind) -> Callable[[Any], bool]:
    pattern = _GSS[kind]
    return lambda value: isinstance(value, str) and bool(pattern.match(value))


def _name_column(frame: pd.DataFrame, kind: Kind, code: str) -> str | None:
    for column in frame.columns:
        lower = str(column).lower()
        if column != code and (lower.endswith("nm") or "name" in lower):
            return str(column)
    for column in frame.columns:
        if column != code and str(column).lower() in _NAME_WORDS[kind]:
            return str(column)
    return None


def _layer(source: str, frame: pd.DataFrame, geoms: npt.NDArray[Any], crs: str, unit: str) -> Layer:
    kind, year, code_field, name_field = _recognise(source, frame)
    if len(frame) == 0:
        raise BoundaryError(source, code_field, "the layer has no features")
    codes = frame[code_field].to_numpy(dtype=object)
    check = _is_code(kind)
    for row, code in enumerate(codes):
        if not check(code):
            raise BoundaryError(
                source, code_field, f"{unit} {row + 1}: {code!r} is not {_EXPECTED[kind]}"
            )
    names = np.full(len(frame), None, dtype=object)
    if name_field:
        given_names = frame[name_field]
        held = given_names.notna().to_numpy()
        names[held] = given_names.to_numpy(object)[held]
    given = np.asarray(geoms, dtype=object)
    geoms, repaired = _check_geometry(source, unit, codes, given)
    bng = _reproject(geoms, crs, BNG)
    minx, miny, maxx, maxy = shapely.total_bounds(bng)
    x0, y0, x1, y1 = _GB_BOUNDS
    # Degrees read as metres would put a whole district inside a square metre near (0, 0).
    tiny = max(maxx - minx, maxy - miny) < 10.0
    if tiny or not (x0 <= minx and y0 <= miny and maxx <= x1 and maxy <= y1):
        raise BoundaryError(
            source,
            "geometry",
            f"coordinates fall outside Great Britain (or span under 10 m) once read as {crs}: "
            "the file's coordinate system is wrong or missing",
        )
    # Shapes for maps keep the file's own coordinates (a repair only serves the area sums).
    wgs84 = given if crs == _WGS84 else _reproject(bng, BNG, _WGS84)
    return Layer(kind, year, source, code_field, codes, names, bng, wgs84, repaired)


def _check_geometry(
    source: str, unit: str, codes: npt.NDArray[np.object_], geoms: npt.NDArray[Any]
) -> tuple[npt.NDArray[Any], int]:
    """Refuse missing, empty or non-polygonal geometry; repair invalid polygons (make_valid)."""
    geoms = np.asarray(geoms, dtype=object)
    missing = np.flatnonzero(pd.isna(geoms))
    if len(missing):
        row = int(missing[0])
        raise BoundaryError(source, "geometry", f"{unit} {row + 1} ({codes[row]}): no geometry")
    types = shapely.get_type_id(geoms)
    bad = np.flatnonzero(~np.isin(types, (3, 6)) | shapely.is_empty(geoms))
    if len(bad):
        row = int(bad[0])
        kind = "empty" if shapely.is_empty(geoms[row]) else geoms[row].geom_type
        raise BoundaryError(
            source,
            "geometry",
            f"{unit} {row + 1} ({codes[row]}): expected a polygon or multipolygon, got {kind}",
        )
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if len(invalid):
        fixed = shapely.make_valid(geoms[invalid])
        # make_valid may add lines where a ring touched itself: keep the polygonal part.
        fixed = np.array([_polygonal(g) for g in fixed], dtype=object)
        lost = np.flatnonzero(shapely.is_empty(fixed) | (shapely.area(fixed) <= 0))
        if len(lost):
            row = int(invalid[lost[0]])
            raise BoundaryError(
                source,
                "geometry",
                f"{unit} {row + 1} ({codes[row]}): broken geometry with no area once repaired",
            )
        geoms = geoms.copy()
        geoms[invalid] = fixed
    return geoms, len(invalid)


def _polygonal(geom: Any) -> Any:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


@lru_cache(maxsize=16)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _reproject(geoms: npt.NDArray[Any], source: str, target: str) -> npt.NDArray[Any]:
    if CRS.from_user_input(source) == CRS.from_user_input(target):
        return geoms
    transformer = _transformer(source, target)
    return np.asarray(
        shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(*xy.T))),
        dtype=object,
    )


def layers_frame(layers: Sequence[Layer]) -> pd.DataFrame:
    """Every feature of the layers, one row each: kind, year, code, name, source, geometries."""
    if not layers:
        return pd.DataFrame(columns=["kind", "year", "code", "name", "source", "geometry", "wgs84"])
    return pd.DataFrame(
        {
            "kind": np.concatenate([np.full(len(x), x.kind, dtype=object) for x in layers]),
            "year": pd.array(
                np.concatenate([np.full(len(x), x.year or 0) for x in layers]), dtype="Int64"
            ),
            "code": np.concatenate([x.codes for x in layers]),
            "name": np.concatenate([x.names for x in layers]),
            "source": np.concatenate([np.full(len(x), x.source, dtype=object) for x in layers]),
            "geometry": np.concatenate([x.geometry for x in layers]),
            "wgs84": np.concatenate([x.wgs84 for x in layers]),
        }
    ).assign(year=lambda f: f.year.mask(f.year == 0))
