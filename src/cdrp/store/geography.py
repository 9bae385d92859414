"""Geography lookups kept inside the incident store: LSOA → ward → district → partnership → force.

`build_geography` reads the bundled ONS files (national LSOA 2011 lookup, Census 2011 for Welsh
LSOAs and populations, LAD → CSP → PFA lookups, LSOA and ward boundaries) and writes small Parquet
tables under ``_geography/``. District comes from the LSOA code through the national lookup, so a
force imported without boundaries still gets exact district counts; the ward is the 2022 ward that
contains the LSOA's centroid (best fit); records with coordinates but no LSOA are placed by
point-in-polygon. The GeoPackage is read with sqlite3 and shapely: no GDAL needed.
"""

from __future__ import annotations

import io
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import Transformer

from cdrp.store.files import Store

__all__ = [
    "GEOGRAPHY_FILES",
    "GEOGRAPHY_TABLES",
    "Geography",
    "build_geography",
    "gpkg_to_wkb",
    "has_table",
    "load_geography",
    "read_table",
]

GEOGRAPHY_FILES = {
    "lsoa_lookup": "ons-lsoa2011-national/lsoa2011_msoa_lad_force_lookup.csv.gz",
    "census": "ons-lsoa2011-national/census2011_lsoa_population_households.csv.gz",
    "csp2019": "ons-lookups/lad_to_csp_dec2019.csv",
    "csp2017": "ons-lookups/Local_Authority_District_to_Community_Safety_Partnerships_to_"
    "Police_Force_Areas__January_2017__Lookup_in_England_and_Wales_Version_2.csv",
    "lsoa_shapes": "uk-geojson-lsoa2011-lancashire",
    "districts": "crimemappingdata-lancashire/lancashire_districts.geojson",
    "wards": "crimemappingdata-lancashire/lancashire_wards.gpkg",
    "population": "ons-population-la",
    "iod": "iod2019-lad/IoD2019_lad.csv",
}
#: The geography tables a store may hold (``build_geography`` writes them).
GEOGRAPHY_TABLES = ("lsoa", "districts", "wards", "district_shapes", "lsoa_shapes")
_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


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


def _read_gpkg(path: Path, layer: str) -> tuple[pd.DataFrame, np.ndarray]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        found = con.execute(
            "SELECT table_name, column_name FROM gpkg_geometry_columns WHERE table_name = ?",
            (layer,),
        ).fetchone()
        if found is None:
            raise ValueError(f"{path.name}: no geometry layer {layer!r}")
        # A table name cannot be a parameter: this is the file's own name for the layer, quoted.
        table = '"' + found[0].replace('"', '""') + '"'
        geom_col = found[1]
        frame = pd.read_sql_query(f"SELECT * FROM {table}", con)  # nosec B608: quoted, see above
    geoms = shapely.from_wkb([gpkg_to_wkb(b) for b in frame.pop(geom_col)])
    return frame, geoms


def _read_geojson(path: Path) -> tuple[list[dict], np.ndarray]:
    features = json.loads(path.read_text())["features"]
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    return [f["properties"] for f in features], geoms


def _lad_csp_pfa(data_dir: Path) -> pd.DataFrame:
    new = pd.read_csv(data_dir / GEOGRAPHY_FILES["csp2019"], sep=";", dtype=str)
    new.columns = [
        "district_code",
        "district_name",
        "csp_code",
        "csp_name",
        "force_code",
        "force_name",
    ]
    old = pd.read_csv(data_dir / GEOGRAPHY_FILES["csp2017"], dtype=str, encoding="utf-8-sig")
    old = old.rename(
        columns={
            "LAD17CD": "district_code",
            "LAD17NM": "district_name",
            "CSP17CD": "csp_code",
            "CSP17NM": "csp_name",
            "PFA17CD": "force_code",
            "PFA17NM": "force_name",
        }
    )[new.columns]
    # Dec-2019 first; districts abolished by then keep their Jan-2017 partnership.
    both = pd.concat([new, old[~old.district_code.isin(new.district_code)]], ignore_index=True)
    return both.drop_duplicates("district_code")


def _populations(data_dir: Path) -> pd.DataFrame:
    frames = []
    for path in sorted((data_dir / GEOGRAPHY_FILES["population"]).glob("la_population_mid*.csv")):
        year = path.stem.rsplit("mid", 1)[1]
        frame = pd.read_csv(path, dtype={"area_code": str})
        frames.append(frame.set_index("area_code")["population"].rename(f"population_{year}"))
    return pd.concat(frames, axis=1) if frames else pd.DataFrame()


def build_geography(store: Store | str, data_dir: str | Path, report=None) -> dict:
    """Build the geography tables of the store from the bundled ONS files.

    Parameters
    ----------
    store : Store or str
        The incident store (or its root).
    data_dir : path
        The folder holding the ONS files (``data/demo`` in this repository).
    report : callable, optional
        ``report(done, total, message)`` progress callback.

    Returns
    -------
    dict
        Row counts of the tables written: lsoa, districts, wards, district_shapes.
    """
    store = store if isinstance(store, Store) else Store(store)
    data_dir = Path(data_dir)
    report = report or (lambda done, total, message="": None)
    report(0, 5, "LSOA lookups")

    english = pd.read_csv(data_dir / GEOGRAPHY_FILES["lsoa_lookup"], dtype=str).rename(
        columns={
            "LSOA Code": "lsoa_code",
            "LSOA Name": "lsoa_name",
            "Local authority code": "district_code",
            "Local authority name": "district_name",
        }
    )[["lsoa_code", "lsoa_name", "district_code", "district_name"]]
    census = pd.read_csv(data_dir / GEOGRAPHY_FILES["census"], dtype=str)
    census = census.iloc[:, [2, 3, 6, 7, 9]]
    census.columns = ["district_code", "district_name", "lsoa_code", "lsoa_name", "population"]
    census = census.dropna(subset=["lsoa_code"])
    census["population"] = pd.to_numeric(census.population.str.replace(",", ""), errors="coerce")
    welsh = census[census.lsoa_code.str.startswith("W01")].drop(columns="population")
    lsoa = pd.concat([english, welsh], ignore_index=True).drop_duplicates("lsoa_code")
    lsoa = lsoa.merge(census[["lsoa_code", "population"]], on="lsoa_code", how="left")
    # "Blackburn with Darwen UA" → the ONS district name without the unitary suffix.
    lsoa["district_name"] = lsoa.district_name.str.replace(r"\s+UA$", "", regex=True)

    report(1, 5, "LSOA boundaries")
    shape_rows = []
    for path in sorted((data_dir / GEOGRAPHY_FILES["lsoa_shapes"]).glob("*.json")):
        props, geoms = _read_geojson(path)
        for prop, geom in zip(props, geoms, strict=True):
            shape_rows.append((prop["LSOA11CD"], geom))
    shapes = pd.DataFrame(shape_rows, columns=["lsoa_code", "geometry"])
    centroids = shapely.centroid(shapes.geometry.to_numpy())
    shapes["lon"], shapes["lat"] = shapely.get_x(centroids), shapely.get_y(centroids)
    shapes["geometry"] = shapely.to_wkb(shapes.geometry.to_numpy())

    report(2, 5, "ward best fit")
    wards, ward_geoms = _read_gpkg(data_dir / GEOGRAPHY_FILES["wards"], "lancashire_wards")
    bng = shapely.points(*_TO_BNG.transform(shapes.lon.to_numpy(), shapes.lat.to_numpy()))
    shapes["ward_code"] = _best_fit(bng, ward_geoms, wards.ward_code.to_numpy())
    lsoa = lsoa.merge(shapes.drop(columns="geometry"), on="lsoa_code", how="left")
    lsoa = lsoa.merge(wards[["ward_code", "ward_name"]], on="ward_code", how="left")

    report(3, 5, "districts and partnerships")
    lad = _lad_csp_pfa(data_dir)
    districts = (
        lsoa.groupby("district_code", as_index=False)
        .agg(district_name=("district_name", "first"), population_2011=("population", "sum"))
        .merge(lad.drop(columns="district_name"), on="district_code", how="outer")
    )
    names = lad.set_index("district_code").district_name
    districts["district_name"] = districts.district_name.fillna(districts.district_code.map(names))
    pops = _populations(data_dir)
    if not pops.empty:
        districts = districts.merge(pops, left_on="district_code", right_index=True, how="left")

    # A ward's district is the district of most of its best-fit LSOAs.
    ward_district = (
        lsoa.dropna(subset=["ward_code"])
        .groupby("ward_code")
        .district_code.agg(lambda s: s.value_counts().index[0])
    )
    wards["district_code"] = wards.ward_code.map(ward_district)
    ward_wgs = shapely.transform(ward_geoms, lambda xy: np.column_stack(_TO_WGS84.transform(*xy.T)))

    props, district_geoms = _read_geojson(data_dir / GEOGRAPHY_FILES["districts"])
    district_codes = np.array([p["objectid"] for p in props], dtype=object)
    district_shapes = pd.DataFrame(
        {"district_code": district_codes, "geometry": shapely.to_wkb(district_geoms)}
    )
    # Small wards may hold no LSOA centroid: place them by a point inside them.
    orphan = wards.district_code.isna().to_numpy()
    if orphan.any():
        inner = shapely.point_on_surface(ward_wgs[orphan])
        wards.loc[orphan, "district_code"] = _best_fit(inner, district_geoms, district_codes)
    wards["geometry"] = shapely.to_wkb(ward_wgs)
    wards = wards.drop(columns=[c for c in ("fid",) if c in wards.columns])
    lsoa_shapes = shapes[["lsoa_code", "geometry"]]

    report(4, 5, "writing")
    tables = {
        "lsoa": lsoa,
        "districts": districts,
        "wards": wards,
        "district_shapes": district_shapes,
        "lsoa_shapes": lsoa_shapes,
    }
    with store.lock():
        for name, frame in tables.items():
            sink = io.BytesIO()
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
            store.write_bytes(f"_geography/{name}.parquet", sink.getvalue())
        state = store.state()
        state["geography"] = {name: len(frame) for name, frame in tables.items()}
        store.commit(state)
    report(5, 5, "done")
    return state["geography"]


def _best_fit(points: np.ndarray, polygons: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The code of the polygon containing each point, else of the nearest polygon."""
    tree = shapely.STRtree(polygons)
    out = np.full(len(points), None, dtype=object)
    inside, hit = tree.query(points, predicate="within")
    out[inside] = codes[hit]
    missing = np.flatnonzero(pd.isna(out))
    if len(missing):
        _, nearest = tree.query_nearest(points[missing], all_matches=False)
        out[missing] = codes[nearest]
    return out


@dataclass
class Geography:
    """The lookup tables of a store, loaded for import-time enrichment."""

    lsoa: pa.Table
    districts: pa.Table
    wards: pa.Table
    district_shapes: pa.Table

    def assign_points(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """District and ward codes for WGS84 points by point-in-polygon (None outside)."""
        points = shapely.points(lon, lat)
        district = np.full(len(points), None, dtype=object)
        ward = np.full(len(points), None, dtype=object)
        for table, out, column in (
            (self.district_shapes, district, "district_code"),
            (self.wards, ward, "ward_code"),
        ):
            if table.num_rows == 0:
                continue
            geoms = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
            codes = np.asarray(table.column(column).to_pylist(), dtype=object)
            inside, hit = shapely.STRtree(geoms).query(points, predicate="within")
            out[inside] = codes[hit]
        return district, ward


_EMPTY = pa.table(
    {"district_code": pa.array([], pa.string()), "geometry": pa.array([], pa.binary())}
)


def load_geography(store: Store) -> Geography | None:
    """The store's geography tables, or None when `build_geography` has not been run."""
    if not store.exists("_geography/lsoa.parquet"):
        return None

    def read(name: str, columns=None) -> pa.Table:
        if not store.exists(f"_geography/{name}.parquet"):
            return _EMPTY
        with store.fs.open_input_file(store.path(f"_geography/{name}.parquet")) as handle:
            return pq.read_table(handle, columns=columns)

    return Geography(
        lsoa=read("lsoa", ["lsoa_code", "district_code", "ward_code"]),
        districts=read("districts"),
        wards=read("wards", ["ward_code", "district_code", "geometry"]),
        district_shapes=read("district_shapes"),
    )


def _table_path(name: str) -> str:
    if name not in GEOGRAPHY_TABLES:
        known = ", ".join(GEOGRAPHY_TABLES)
        raise ValueError(f"no geography table {name!r}: the tables are {known}")
    return f"_geography/{name}.parquet"


def has_table(store: Store, name: str) -> bool:
    """Does the store hold the geography table `name` (see `GEOGRAPHY_TABLES`)?"""
    return store.exists(_table_path(name))


def read_table(store: Store, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """One geography table of the store as a frame (all columns, or those named).

    This is how everything outside the store reads geography: the files' layout is the store's
    own business.

    Raises
    ------
    FileNotFoundError
        When the store has no such table (`has_table` says whether it has).
    """
    path = _table_path(name)
    if not store.exists(path):
        raise FileNotFoundError(f"the incident store has no {name} geography: import geography")
    with store.fs.open_input_file(store.path(path)) as handle:
        return pq.read_table(handle, columns=columns).to_pandas()
