"""Geography lookups kept inside the incident store: LSOA → ward → district → partnership → force.

`build_geography` reads the ONS lookup files (national LSOA 2011 lookup, Census 2011 for Welsh
LSOAs and populations, LAD → CSP → PFA lookups, district populations) and boundary files of any
area (`cdrp.store.boundaries`: recognised by their code columns, never by their names), then
writes small Parquet tables under ``_geography/``. District comes from the LSOA code through the
national lookup, so a force imported without boundaries still gets exact district counts; the
ward of an LSOA is the ward holding most of its area (`cdrp.store.wardfit`), with that share
kept; records with coordinates but no LSOA are placed by point-in-polygon.

Every vintage of every boundary layer read is kept in the ``boundaries`` table with its year;
imports add to it (a layer read again replaces the same kind, year and codes).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import Transformer

from cdrp.store.boundaries import BNG, gpkg_to_wkb, layers_frame, read_boundaries
from cdrp.store.files import Store
from cdrp.store.wardfit import best_ward

__all__ = [
    "GEOGRAPHY_FILES",
    "GEOGRAPHY_TABLES",
    "Geography",
    "assign_wards",
    "build_geography",
    "gpkg_to_wkb",
    "has_table",
    "load_geography",
    "read_table",
]

#: The ONS lookup files `build_geography` reads from its data folder (none is a boundary file:
#: boundaries are found by their code columns, see `cdrp.store.boundaries`).
GEOGRAPHY_FILES = {
    "lsoa_lookup": "ons-lsoa2011-national/lsoa2011_msoa_lad_force_lookup.csv.gz",
    "census": "ons-lsoa2011-national/census2011_lsoa_population_households.csv.gz",
    "csp2019": "ons-lookups/lad_to_csp_dec2019.csv",
    "csp2017": "ons-lookups/Local_Authority_District_to_Community_Safety_Partnerships_to_"
    "Police_Force_Areas__January_2017__Lookup_in_England_and_Wales_Version_2.csv",
    "population": "ons-population-la",
    "iod": "iod2019-lad/IoD2019_lad.csv",
}
#: The geography tables a store may hold (``build_geography`` writes them).
GEOGRAPHY_TABLES = ("lsoa", "districts", "wards", "district_shapes", "lsoa_shapes", "boundaries")
_TO_WGS84 = Transformer.from_crs(BNG, "EPSG:4326", always_xy=True)
Report = Callable[..., None]


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


def _lsoa_lookup(data_dir: Path) -> pd.DataFrame:
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
    # "<name> UA" (a unitary authority) → the ONS district name without the suffix.
    lsoa["district_name"] = lsoa.district_name.str.replace(r"\s+UA$", "", regex=True)
    return lsoa


_BOUNDARY_COLUMNS = ["kind", "year", "code", "name", "source", "geometry", "wgs84"]


def _stored_boundaries(store: Store) -> pd.DataFrame:
    """The boundaries an earlier import kept (geometries as shapely objects)."""
    if not store.exists("_geography/boundaries.parquet"):
        return pd.DataFrame(columns=_BOUNDARY_COLUMNS)
    frame = read_table(store, "boundaries")
    frame["year"] = frame.year.astype("Int64")
    for column in ("geometry", "wgs84"):
        frame[column] = shapely.from_wkb(frame[column].to_numpy())
    return frame[_BOUNDARY_COLUMNS]


def _merge_boundaries(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The new rows, and the old ones whose kind, year and code the new do not give again.

    Within one kind and year a code drawn more than once is one shape: identical copies are
    dropped, parts are joined.
    """
    key = ["kind", "year", "code"]
    if len(old):
        again = old.set_index(key).index.isin(new.set_index(key).index)
        frame = pd.concat([old[~again], new], ignore_index=True)
    else:
        frame = new.reset_index(drop=True)
    frame = frame.assign(_wkb=shapely.to_wkb(frame.geometry.to_numpy()))
    frame = frame.drop_duplicates([*key, "_wkb"]).drop(columns="_wkb")
    parts = frame.duplicated(key, keep=False).to_numpy()
    if parts.any():
        joined = (
            frame[parts]
            .groupby(key, dropna=False, sort=False)
            .agg(
                name=("name", "first"),
                source=("source", lambda s: "; ".join(dict.fromkeys(s))),
                geometry=("geometry", lambda g: shapely.union_all(g.to_numpy())),
                wgs84=("wgs84", lambda g: shapely.union_all(g.to_numpy())),
            )
            .reset_index()
        )
        frame = pd.concat([frame[~parts], joined], ignore_index=True)
    order = frame.year.fillna(0).astype(int)
    return (
        frame.assign(_order=-order)
        .sort_values(["kind", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)[_BOUNDARY_COLUMNS]
    )


def _latest(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """One row per code of `kind`: its latest vintage (a layer of unknown year counts as oldest)."""
    rows = frame[frame.kind == kind]
    return rows.drop_duplicates("code").reset_index(drop=True)  # sorted newest first


def _vintages(frame: pd.DataFrame, kind: str) -> list[pd.DataFrame]:
    rows = frame[frame.kind == kind]
    years = rows.year.fillna(0).astype(int)
    return [rows[years == y].reset_index(drop=True) for y in sorted(set(years), reverse=True)]


def assign_wards(lsoas: pd.DataFrame, wards: pd.DataFrame) -> pd.DataFrame:
    """Each LSOA's ward (`cdrp.store.wardfit.best_ward`), newest ward vintage first.

    An LSOA the newest ward vintage does not cover is tried on the next one, and so on; one no
    vintage covers has no ward.

    Returns
    -------
    DataFrame
        ``lsoa_code``, ``ward_code``, ``ward_year``, ``ward_share``.
    """
    out = pd.DataFrame(
        {
            "lsoa_code": lsoas.code.to_numpy(dtype=object),
            "ward_code": np.full(len(lsoas), None, dtype=object),
            "ward_year": pd.array([None] * len(lsoas), dtype="Int64"),
            "ward_share": np.full(len(lsoas), np.nan),
        }
    )
    for vintage in _vintages(wards, "ward"):
        todo = np.flatnonzero(out.ward_code.isna().to_numpy())
        if len(todo) == 0:
            break
        fit = best_ward(
            out.lsoa_code.to_numpy()[todo],
            lsoas.geometry.to_numpy()[todo],
            vintage.code.to_numpy(),
            vintage.geometry.to_numpy(),
        )
        got = fit.ward_code.notna().to_numpy()
        rows = todo[got]
        out.loc[rows, "ward_code"] = fit.ward_code.to_numpy()[got]
        out.loc[rows, "ward_share"] = fit.ward_share.to_numpy()[got]
        out.loc[rows, "ward_year"] = vintage.year.iloc[0]
    return out


def build_geography(
    store: Store | str,
    data_dir: str | Path,
    report: Report | None = None,
    boundaries: Sequence[str | Path] | None = None,
    notes: list[str] | None = None,
) -> dict[str, int]:
    """Build the geography tables of the store from the ONS lookups and boundary files.

    Parameters
    ----------
    store : Store or str
        The incident store (or its root).
    data_dir : path
        The folder holding the ONS lookup files (``data/demo`` in this repository).
    report : callable, optional
        ``report(done, total, message)`` progress callback.
    boundaries : paths, optional
        Boundary files or folders to read (every file must be a recognised layer). Without
        them, every boundary file under `data_dir` is read and files that are not boundary
        layers are skipped with a note.
    notes : list, optional
        Receives what was skipped or repaired.

    Returns
    -------
    dict
        Row counts of the tables written.

    Raises
    ------
    BoundaryError
        A boundary file refused (nothing is written).
    """
    store = store if isinstance(store, Store) else Store(store)
    data_dir = Path(data_dir)
    report = report or (lambda done, total, message="": None)
    notes = notes if notes is not None else []
    report(0, 5, "boundary files")
    layers = read_boundaries(
        [data_dir] if boundaries is None else boundaries,
        skip_unrecognised=boundaries is None,
        notes=notes,
    )
    for layer in layers:
        if layer.repaired:
            notes.append(f"{layer.source}: {layer.repaired} invalid polygon(s) repaired")
    shapes = _merge_boundaries(_stored_boundaries(store), layers_frame(layers))

    report(1, 5, "LSOA lookups")
    lsoa = _lsoa_lookup(data_dir)
    lsoa_rows = _latest(shapes, "lsoa")
    centroids = shapely.centroid(lsoa_rows.wgs84.to_numpy())
    lsoa_shapes = pd.DataFrame(
        {
            "lsoa_code": lsoa_rows.code.to_numpy(dtype=object),
            "lon": shapely.get_x(centroids),
            "lat": shapely.get_y(centroids),
            "geometry": shapely.to_wkb(lsoa_rows.wgs84.to_numpy()),
        }
    )

    # LSOAs with a boundary but not in the national lookup (a newer vintage's codes): kept,
    # with the boundary's name and no district until a lookup gives one.
    unknown = ~lsoa_rows.code.isin(lsoa.lsoa_code)
    if unknown.any():
        extra = pd.DataFrame(
            {"lsoa_code": lsoa_rows.code[unknown], "lsoa_name": lsoa_rows.name[unknown]}
        )
        lsoa = pd.concat([lsoa, extra], ignore_index=True)

    report(2, 5, "LSOA → ward by area")
    ward_rows = _latest(shapes, "ward")
    fit = assign_wards(lsoa_rows, shapes)
    lsoa = lsoa.merge(lsoa_shapes.drop(columns="geometry"), on="lsoa_code", how="left")
    lsoa = lsoa.merge(fit, on="lsoa_code", how="left")
    names = pd.DataFrame(
        {"ward_code": ward_rows.code, "ward_name": ward_rows.name.fillna(ward_rows.code)}
    )
    lsoa = lsoa.merge(names, on="ward_code", how="left")

    report(3, 5, "districts and partnerships")
    lad = _lad_csp_pfa(data_dir)
    districts = (
        lsoa.groupby("district_code", as_index=False)
        .agg(district_name=("district_name", "first"), population_2011=("population", "sum"))
        .merge(lad.drop(columns="district_name"), on="district_code", how="outer")
    )
    district_names = lad.set_index("district_code").district_name
    districts["district_name"] = districts.district_name.fillna(
        districts.district_code.map(district_names)
    )
    pops = _populations(data_dir)
    if not pops.empty:
        districts = districts.merge(pops, left_on="district_code", right_index=True, how="left")

    district_rows = _latest(shapes, "district")
    wards = pd.DataFrame(
        {
            "ward_code": ward_rows.code.to_numpy(dtype=object),
            "ward_name": ward_rows.name.fillna(ward_rows.code).to_numpy(dtype=object),
            "year": ward_rows.year.to_numpy(),
            "district_code": _ward_districts(ward_rows, lsoa, district_rows, lsoa_rows),
            "geometry": shapely.to_wkb(ward_rows.wgs84.to_numpy()),
        }
    )
    district_shapes = pd.DataFrame(
        {
            "district_code": district_rows.code.to_numpy(dtype=object),
            "geometry": shapely.to_wkb(district_rows.wgs84.to_numpy()),
        }
    )
    stored = shapes.assign(
        geometry=shapely.to_wkb(shapes.geometry.to_numpy()),
        wgs84=shapely.to_wkb(shapes.wgs84.to_numpy()),
    )

    report(4, 5, "writing")
    tables = {
        "lsoa": lsoa,
        "districts": districts,
        "wards": wards,
        "district_shapes": district_shapes,
        "lsoa_shapes": lsoa_shapes[["lsoa_code", "geometry"]],
        "boundaries": stored,
    }
    with store.lock():
        for name, frame in tables.items():
            sink = io.BytesIO()
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
            store.write_bytes(f"_geography/{name}.parquet", sink.getvalue())
        state = store.state()
        state["geography"] = {name: len(frame) for name, frame in tables.items()}
        state["boundaries"] = _vintage_summary(shapes)
        store.commit(state)
    report(5, 5, "done")
    return dict(state["geography"])


def _vintage_summary(shapes: pd.DataFrame) -> list[dict[str, Any]]:
    """How many shapes of each kind and year the store holds: [{kind, year, count}]."""
    counts = shapes.groupby(["kind", "year"], dropna=False).size()
    return [
        {"kind": kind, "year": None if pd.isna(year) else int(year), "count": int(n)}
        for (kind, year), n in zip(counts.index, counts, strict=True)  # Series.items()
    ]


def _ward_districts(
    wards: pd.DataFrame, lsoa: pd.DataFrame, districts: pd.DataFrame, shapes: pd.DataFrame
) -> npt.NDArray[np.object_]:
    """A ward's district: the district of most of its best-fit LSOAs (ties: the smaller code);
    a ward holding no LSOA goes by a point inside it to the district shape containing it, else
    to the district whose LSOAs cover most of its area (`best_ward` with districts as "wards")."""
    fitted = lsoa.dropna(subset=["ward_code"])
    tally = fitted.groupby(["ward_code", "district_code"]).size().rename("n").reset_index()
    tally = tally.sort_values(["ward_code", "n", "district_code"], ascending=[True, False, True])
    by_lsoa = tally.drop_duplicates("ward_code").set_index("ward_code").district_code
    out: npt.NDArray[np.object_] = wards.code.map(by_lsoa).to_numpy(dtype=object)
    orphan = pd.isna(out)
    if orphan.any() and len(districts):
        inner = shapely.point_on_surface(wards.geometry.to_numpy()[orphan])
        tree = shapely.STRtree(districts.geometry.to_numpy())
        hit_point, hit_district = tree.query(inner, predicate="within")
        found = np.full(int(orphan.sum()), None, dtype=object)
        found[hit_point] = districts.code.to_numpy()[hit_district]
        out[orphan] = found
    orphan = pd.isna(out)
    if orphan.any() and len(shapes):
        of_lsoa = lsoa.drop_duplicates("lsoa_code").set_index("lsoa_code").district_code
        district_of = shapes.code.map(of_lsoa)
        known = district_of.notna().to_numpy()
        fit = best_ward(
            wards.code.to_numpy()[orphan],
            wards.geometry.to_numpy()[orphan],
            district_of.to_numpy()[known],
            shapes.geometry.to_numpy()[known],
        )
        out[orphan] = fit.ward_code.to_numpy()
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

    def read(name: str, columns: list[str] | None = None) -> pa.Table:
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
        frame: pd.DataFrame = pq.read_table(handle, columns=columns).to_pandas()
    return frame
