"""How the recorded ArcGIS answers in this folder were made (run once by hand; kept to show it).

From the national boundary files in shared/data (OGL v3.0, ONS/OS), for one district, E07000075:
its LSOA 2011 features, its 2013 ward features, a district polygon that is the union of its LSOAs,
and lookup rows (LSOA11CD, WD13CD, LAD13CD) giving each LSOA the ward holding most of its area
(`cdrp.store.wardfit.best_ward`). Coordinates are rounded to 6 decimal places (about 0.1 m) to keep
the files small. Nothing here was downloaded from the portal.

    .venv/bin/python tests/data/ons-arcgis/make_fixtures.py /path/to/shared/data
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import shapely

from cdrp.store.boundaries import read_boundary_file
from cdrp.store.wardfit import best_ward

DISTRICT = "E07000075"
HERE = Path(__file__).resolve().parent


def rounded(geometry: shapely.Geometry) -> dict:
    return json.loads(shapely.to_geojson(shapely.set_precision(geometry, 1e-6)))


def main(shared: Path) -> None:
    lsoa_path = shared / "uk-geojson-lsoa2011-national" / f"{DISTRICT}.json.gz"
    ward_path = shared / "uk-geojson-wards2013-national" / f"{DISTRICT}.json.gz"
    lsoa_doc = json.loads(gzip.decompress(lsoa_path.read_bytes()))
    ward_doc = json.loads(gzip.decompress(ward_path.read_bytes()))
    (lsoas,) = read_boundary_file(lsoa_path)
    (wards,) = read_boundary_file(ward_path)
    fit = best_ward(lsoas.codes, lsoas.geometry, wards.codes, wards.geometry)

    def features(doc: dict, keep: tuple[str, ...]) -> list[dict]:
        return [
            {
                "type": "Feature",
                "properties": {k: f["properties"][k] for k in keep},
                "geometry": rounded(shapely.from_geojson(json.dumps(f["geometry"]))),
            }
            for f in doc["features"]
        ]

    district = shapely.union_all(shapely.make_valid(lsoas.wgs84))
    out = {
        "lsoa": features(lsoa_doc, ("LSOA11CD", "LSOA11NM")),
        "ward": features(ward_doc, ("WD13CD", "WD13NM")),
        "district": [
            {
                "type": "Feature",
                "properties": {"LAD13CD": DISTRICT, "LAD13NM": lsoas.names[0][:-5]},
                "geometry": rounded(district),
            }
        ],
        "lookup": [
            {
                "type": "Feature",
                "properties": {"LSOA11CD": r.lsoa_code, "WD13CD": r.ward_code, "LAD13CD": DISTRICT},
                "geometry": None,
            }
            for r in fit.itertuples()
        ],
    }
    fields = {
        "lsoa": ["FID", "LSOA11CD", "LSOA11NM"],
        "ward": ["FID", "WD13CD", "WD13NM"],
        "district": ["FID", "LAD13CD", "LAD13NM"],
        "lookup": ["FID", "LSOA11CD", "WD13CD", "LAD13CD"],
    }
    for role, feats in out.items():
        layer = {
            "name": role,
            "fields": [{"name": n, "type": "esriFieldTypeString"} for n in fields[role]],
        }
        (HERE / f"{role}.layer.json").write_text(json.dumps(layer, indent=1) + "\n")
        body = json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":"))
        (HERE / f"{role}.features.json.gz").write_bytes(gzip.compress(body.encode(), mtime=0))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
