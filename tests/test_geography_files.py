"""Boundary files of any area: recognised by their code columns, checked, reprojected, kept.

Every file here is made in the test from the bundled demo boundaries (copied, renamed, edited),
so what each test feeds in is visible in the test itself.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely
from django.core.management import CommandError, call_command
from pyproj import Transformer

from cdrp.analysis.errors import RefusedInput
from cdrp.store import BadInput, Store, build_geography
from cdrp.store.boundaries import BoundaryError, read_boundaries, read_boundary_file
from cdrp.store.geography import read_table

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
LSOA_DIR = next(p for p in DEMO.iterdir() if p.name.startswith("uk-geojson-lsoa2011"))
LSOA_FILE = sorted(LSOA_DIR.glob("*.json"))[0]  # one district's LSOAs (LSOA11CD, LSOA11NM)
WARDS_GPKG = next(DEMO.rglob("*.gpkg"))  # ward polygons, column ward_code, EPSG:27700


def collection() -> dict:
    return json.loads(LSOA_FILE.read_text())


def write(path: Path, doc: dict, gz: bool = False) -> Path:
    data = json.dumps(doc).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def renamed(doc: dict, old: str, new: str) -> dict:
    for feature in doc["features"]:
        props = feature["properties"]
        props[new] = props.pop(old)
    return doc


def test_an_lsoa_file_is_recognised_by_its_code_column_not_its_name(tmp_path):
    # Named like a ward file, gzipped: the LSOA11CD column says what it is.
    path = write(tmp_path / "wards-of-somewhere.json.gz", collection(), gz=True)
    (layer,) = read_boundary_file(path)
    doc = collection()
    assert (layer.kind, layer.year, layer.code_field) == ("lsoa", 2011, "LSOA11CD")
    assert list(layer.codes) == [f["properties"]["LSOA11CD"] for f in doc["features"]]
    assert list(layer.names) == [f["properties"]["LSOA11NM"] for f in doc["features"]]
    # Reprojected to the British National Grid: the first vertex, transformed by pyproj itself.
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0][:2]
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(lon, lat)
    first = shapely.get_coordinates(layer.geometry[0])[0]
    assert first == pytest.approx([x, y], abs=1e-6)
    # The longitude/latitude shapes are the file's own (nothing moved by a round trip).
    assert shapely.get_coordinates(layer.wgs84[0])[0] == pytest.approx([lon, lat], abs=0)


@pytest.mark.parametrize(
    ("column", "kind", "year"),
    [
        ("LSOA21CD", "lsoa", 2021),
        ("lsoa21cd", "lsoa", 2021),
        ("WD22CD", "ward", 2022),
        ("LAD13CD", "district", 2013),
    ],
)
def test_every_vintage_is_read_with_its_year(tmp_path, column, kind, year):
    doc = renamed(collection(), "LSOA11CD", column)
    if kind != "lsoa":  # codes that fit the kind: E05… for wards, E07… for districts
        prefix = {"ward": "E05", "district": "E07"}[kind]
        for feature in doc["features"]:
            feature["properties"][column] = prefix + feature["properties"][column][3:]
    (layer,) = read_boundary_file(write(tmp_path / "layer.geojson", doc))
    assert (layer.kind, layer.year, layer.code_field) == (kind, year, column)


def test_the_finest_code_column_is_the_layers_own(tmp_path):
    doc = collection()
    for feature in doc["features"]:
        feature["properties"]["LAD21CD"] = "E07000118"  # the parent district, as ONS files give
    (layer,) = read_boundary_file(write(tmp_path / "x.json", doc))
    assert (layer.kind, layer.code_field) == ("lsoa", "LSOA11CD")


def test_a_geopackage_is_read_without_gdal_and_its_codes_recognised_by_their_values():
    (layer,) = read_boundary_file(WARDS_GPKG)
    # The layer's code column is named ward_code: every value is a ward code (E05…), so it is a
    # ward layer, of no known year.
    assert (layer.kind, layer.year, layer.code_field, len(layer)) == (
        "ward",
        None,
        "ward_code",
        271,
    )
    assert all(re.fullmatch(r"E05\d{6}", c) for c in layer.codes)
    # Already on the National Grid: the shapes are the file's own coordinates.
    with sqlite3.connect(WARDS_GPKG) as con:
        table, column = con.execute(
            "SELECT table_name, column_name FROM gpkg_geometry_columns"
        ).fetchone()
        blob = con.execute(f'SELECT "{column}" FROM "{table}" LIMIT 1').fetchone()[0]
    from cdrp.store.boundaries import gpkg_to_wkb

    assert shapely.equals_exact(layer.geometry[0], shapely.from_wkb(gpkg_to_wkb(blob)), 0)


def refusal(path: Path) -> BoundaryError:
    with pytest.raises(BoundaryError) as caught:
        read_boundaries([path])
    assert isinstance(caught.value, RefusedInput) and isinstance(caught.value, BadInput)
    return caught.value


def test_a_file_with_no_recognised_code_column_is_refused_naming_file_and_columns(tmp_path):
    doc = renamed(collection(), "LSOA11CD", "id")
    for feature in doc["features"]:
        feature["properties"]["id"] = "x" + feature["properties"]["id"]
    err = refusal(write(tmp_path / "areas.geojson", doc))
    assert str(err).startswith("areas.geojson: no recognised code column")
    assert "LSOAnnCD, WDnnCD or LADnnCD" in str(err) and str(err).endswith("; has LSOA11NM, id")


def test_a_bad_code_is_refused_naming_the_feature_field_and_expectation(tmp_path):
    doc = collection()
    doc["features"][2]["properties"]["LSOA11CD"] = "E05000001"  # a ward code in an LSOA column
    err = refusal(write(tmp_path / "lsoa.json", doc))
    assert err.field == "LSOA11CD"
    assert err.message == (
        "lsoa.json: feature 3: 'E05000001' is not a 9-character LSOA code, E01… or W01…"
    )


def test_missing_or_non_polygon_geometry_is_refused_naming_the_feature(tmp_path):
    doc = collection()
    code = doc["features"][4]["properties"]["LSOA11CD"]
    doc["features"][4]["geometry"] = None
    err = refusal(write(tmp_path / "a.json", doc))
    assert (err.field, err.message) == ("geometry", f"a.json: feature 5 ({code}): no geometry")
    doc = collection()
    doc["features"][1]["geometry"] = {"type": "Point", "coordinates": [-2.6, 53.7]}
    code = doc["features"][1]["properties"]["LSOA11CD"]
    err = refusal(write(tmp_path / "b.json", doc))
    assert err.message == (
        f"b.json: feature 2 ({code}): expected a polygon or multipolygon, got Point"
    )


def test_a_self_intersecting_polygon_is_repaired_and_one_with_no_area_refused(tmp_path):
    doc = collection()
    # A bow tie: invalid, repaired by make_valid into two triangles.
    doc["features"][0]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[-2.6, 53.7], [-2.5, 53.8], [-2.5, 53.7], [-2.6, 53.8], [-2.6, 53.7]]],
    }
    (layer,) = read_boundaries([write(tmp_path / "a.json", doc)])
    assert layer.repaired == 1 and shapely.is_valid(layer.geometry[0])
    assert layer.geometry[0].area > 0
    # A polygon folded onto a line has no area to repair.
    doc["features"][0]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[-2.6, 53.7], [-2.5, 53.8], [-2.6, 53.7], [-2.5, 53.8], [-2.6, 53.7]]],
    }
    err = refusal(write(tmp_path / "b.json", doc))
    assert err.message.endswith("broken geometry with no area once repaired")
    assert err.message.startswith("b.json: feature 1 (")


def test_unreadable_files_are_refused_with_the_reason(tmp_path):
    data = gzip.compress(LSOA_FILE.read_bytes())
    (tmp_path / "cut.json.gz").write_bytes(data[: len(data) // 2])
    assert refusal(tmp_path / "cut.json.gz").message.startswith("cut.json.gz: cannot be read")
    (tmp_path / "text.geojson").write_text("not json")
    assert refusal(tmp_path / "text.geojson").message.startswith("text.geojson: is not JSON")
    (tmp_path / "topo.json").write_text(json.dumps({"type": "Topology", "objects": {}}))
    assert "TopoJSON is not read" in refusal(tmp_path / "topo.json").message
    (tmp_path / "notes.txt").write_text("hello")
    assert "not a boundary file" in refusal(tmp_path / "notes.txt").message
    missing = refusal(tmp_path / "absent.json").message
    assert missing == f"{tmp_path / 'absent.json'}: no such file or folder"


def test_coordinates_in_the_wrong_system_are_refused(tmp_path):
    doc = collection()
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    err = refusal(write(tmp_path / "a.json", doc))  # degrees read as metres: all near 0, 0
    assert "outside Great Britain (or span under 10 m) once read as EPSG:27700" in err.message


def test_a_geopackage_layer_without_geometry_or_codes_is_refused(tmp_path):
    copy = tmp_path / "w.gpkg"
    shutil.copy(WARDS_GPKG, copy)
    with sqlite3.connect(copy) as con:
        table, column = con.execute(
            "SELECT table_name, column_name FROM gpkg_geometry_columns"
        ).fetchone()
        # The spatial index's triggers call SpatiaLite functions plain sqlite3 lacks.
        for (trigger,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            con.execute(f'DROP TRIGGER "{trigger}"')
        con.execute(f'UPDATE "{table}" SET "{column}" = NULL WHERE rowid = 3')
    err = refusal(copy)
    assert err.message.startswith(f"w.gpkg (layer {table}): row 3 (") and "no geometry" in str(err)
    with sqlite3.connect(copy) as con:
        con.execute(f"UPDATE \"{table}\" SET ward_code = 'nope' WHERE rowid = 5")
    assert "no recognised code column" in refusal(copy).message


def test_a_zipped_shapefile_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "wards.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for suffix in ("shp", "shx", "dbf", "prj"):
            archive.writestr(f"wards.{suffix}", b"")
    err = refusal(path)
    assert err.message.startswith("wards.zip: zipped Shapefiles are not read")
    assert "download the layer as GeoPackage or GeoJSON" in err.message
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("notes.txt", b"hello")
    assert refusal(tmp_path / "other.zip").message == "other.zip: the zip holds no .shp file"


def test_a_refused_file_leaves_the_store_as_it_was(tmp_path):
    store = Store(str(tmp_path / "store"))
    good = write(tmp_path / "good.json", collection())
    doc = collection()
    doc["features"][-1]["properties"]["LSOA11CD"] = ""
    bad = write(tmp_path / "bad.json", doc)
    with pytest.raises(BoundaryError, match=r"bad.json: feature \d+: '' is not"):
        build_geography(store, DEMO, boundaries=[good, bad])
    assert store.state()["version"] == 0 and not store.exists("_geography")


def test_imports_add_vintages_and_a_layer_read_again_replaces_its_own(tmp_path):
    store = Store(str(tmp_path / "store"))
    lsoa11 = write(tmp_path / "a.json", collection())
    doc = renamed(collection(), "LSOA11CD", "LSOA21CD")
    lsoa21 = write(tmp_path / "b.json", doc)
    build_geography(store, DEMO, boundaries=[lsoa11, WARDS_GPKG])
    build_geography(store, DEMO, boundaries=[lsoa21])
    build_geography(store, DEMO, boundaries=[lsoa21])  # again: replaces, does not add
    kept = read_table(store, "boundaries")
    n = len(doc["features"])
    sizes = kept.fillna({"year": 0}).groupby(["kind", "year"]).size().to_dict()
    assert sizes == {("lsoa", 2011): n, ("lsoa", 2021): n, ("ward", 0): 271}
    assert store.state()["boundaries"] == [
        {"kind": "lsoa", "year": 2011, "count": n},
        {"kind": "lsoa", "year": 2021, "count": n},
        {"kind": "ward", "year": None, "count": 271},
    ]
    # Each LSOA got a ward of the (only) ward layer, with the share of its area in it.
    lsoa = read_table(store, "lsoa").dropna(subset=["ward_code"])
    assert len(lsoa) == n and lsoa.ward_share.between(0, 1, inclusive="right").all()
    assert lsoa.ward_year.isna().all()  # the ward layer's year is not known


def test_the_import_command_reads_paths_and_says_what_it_refused(tmp_path, settings, db):
    settings.INCIDENT_STORE = str(tmp_path / "store")
    out = io.StringIO()
    call_command(
        "import",
        "geography",
        str(write(tmp_path / "a.json.gz", collection(), gz=True)),
        str(WARDS_GPKG),
        "--data",
        str(DEMO),
        "--no-areas",
        stdout=out,
    )
    assert "Geography lookups in the store" in out.getvalue()
    table = pq.read_table(Path(settings.INCIDENT_STORE) / "_geography" / "wards.parquet")
    assert table.num_rows == 271
    (tmp_path / "bad.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(CommandError, match="bad.geojson: no recognised code column"):
        call_command("import", "geography", str(tmp_path / "bad.geojson"), "--no-areas")


def test_no_boundary_file_is_named_in_the_store_code():
    """The store finds boundaries by their columns: no file, force or place name in its code."""
    names = pd.read_csv(next((DEMO / "ons-lookups").glob("lad_to_csp*.csv")), sep=";", dtype=str)
    words = set(names.iloc[:, 1]) | set(names.iloc[:, 5].str.replace(" Police", ""))
    source = "\n".join(
        (ROOT / "src" / "cdrp" / "store" / name).read_text()
        for name in ("geography.py", "boundaries.py", "wardfit.py", "ons.py")
    )
    # Case-sensitive: place names are capitalised, so the word "reading" is not the town; force
    # names are also looked for as police.uk writes them in file names ("lancashire").
    slugs = {w.lower().replace(" ", "-") for w in names.iloc[:, 5].str.replace(" Police", "")}
    found = sorted(w for w in words | slugs if re.search(rf"\b{re.escape(w)}\b", source))
    assert found == []


def test_lsoas_of_a_newer_vintage_not_in_the_lookup_still_get_their_ward(tmp_path):
    doc = renamed(collection(), "LSOA11CD", "LSOA21CD")
    for i, feature in enumerate(doc["features"]):
        feature["properties"]["LSOA21CD"] = f"E0109{i:04d}"  # codes the 2011 lookup lacks
    store = Store(str(tmp_path / "store"))
    build_geography(store, DEMO, boundaries=[write(tmp_path / "b.json", doc), WARDS_GPKG])
    lsoa = read_table(store, "lsoa").set_index("lsoa_code")
    new = lsoa.loc[[f["properties"]["LSOA21CD"] for f in doc["features"]]]
    assert new.ward_code.notna().all() and new.district_code.isna().all()
    assert list(new.lsoa_name) == [f["properties"]["LSOA11NM"] for f in doc["features"]]
