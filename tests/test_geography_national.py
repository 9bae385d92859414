"""LSOA → ward by area on the national boundary files (shared/data), against a hand-checked sample.

How the expected values were checked: for each sample LSOA, a separate script read its district's
LSOA and ward files with plain json + shapely, reprojected with pyproj, and intersected the LSOA
with every ward one pair at a time (no STRtree, no vectorised call), printing each overlap in
hectares; the expected ward is the largest overlap in that list and the expected share is that
overlap over the LSOA's area. The near tie (E01014293) was also drawn (LSOA outline over the three
wards) and looked at: the LSOA is cut roughly in half between the two wards, with a sliver in a
third. The listings are quoted beside each case.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from cdrp.store import Store, build_geography
from cdrp.store.boundaries import read_boundary_file
from cdrp.store.geography import read_table
from cdrp.store.wardfit import best_ward

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
LSOAS = SHARED / "uk-geojson-lsoa2011-national"
WARDS = SHARED / "uk-geojson-wards2013-national"
DEMO = ROOT / "data" / "demo"

pytestmark = pytest.mark.skipif(
    not LSOAS.is_dir() or not WARDS.is_dir(), reason="needs shared/data's national boundaries"
)


def layers(folder: Path, districts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    read = [read_boundary_file(folder / f"{code}.json.gz")[0] for code in districts]
    return (
        np.concatenate([x.codes for x in read]),
        np.concatenate([x.geometry for x in read]),
    )


#: (LSOA, its district file, the ward files loaded, expected ward, expected share).
SAMPLE = [
    # E01021955 (37.930 ha): E05004221 37.930 ha. Wholly inside one ward.
    ("E01021955", "E07000075", ["E07000075"], "E05004221", 1.0000),
    # E01033693 (103.289 ha): E05001359 31.661, E05001347 31.157, E05001344 29.606,
    # E05001345 10.864 ha. Four wards, none with half: the largest wins.
    ("E01033693", "E08000032", ["E08000032"], "E05001359", 0.3065),
    # E01014293 (54.056 ha): E05008745 26.764, E05008735 26.725, E05008734 0.567 ha.
    # A near tie (39 m² apart), decided by area, not by which ward comes first.
    ("E01014293", "E06000021", ["E06000021"], "E05008745", 0.4951),
    # E01027444 (2,184.752 ha): E05009140 834.156, E05009118 733.529, E05009094 615.601 ha.
    # The LSOA file is under the district's 2011 code, its wards under the 2013 code.
    ("E01027444", "E06000048", ["E06000057"], "E05009140", 0.3818),
]


@pytest.mark.parametrize(("lsoa", "district", "ward_files", "ward", "share"), SAMPLE)
def test_each_sample_lsoa_goes_to_the_ward_holding_most_of_its_area(
    lsoa, district, ward_files, ward, share
):
    codes, geoms = layers(LSOAS, [district])
    ward_codes, ward_geoms = layers(WARDS, ward_files)
    fit = best_ward(codes, geoms, ward_codes, ward_geoms).set_index("lsoa_code")
    assert fit.loc[lsoa, "ward_code"] == ward
    assert fit.loc[lsoa, "ward_share"] == pytest.approx(share, abs=5e-5)
    # Every LSOA of these districts lies within the loaded wards.
    assert fit.ward_code.notna().all() and (fit.covered_share > 0.95).all()
    # The same answer whatever the order of the wards.
    order = np.argsort(ward_codes)[::-1]
    again = best_ward(codes, geoms, ward_codes[order], ward_geoms[order]).set_index("lsoa_code")
    assert again.ward_code.equals(fit.ward_code)


def test_an_lsoa_outside_the_loaded_wards_has_no_ward_not_the_nearest():
    # The LSOAs of one district (E07000069) against the wards of its neighbour only (E07000075).
    codes, geoms = layers(LSOAS, ["E07000069"])
    ward_codes, ward_geoms = layers(WARDS, ["E07000075"])
    fit = best_ward(codes, geoms, ward_codes, ward_geoms)
    assert fit.ward_code.isna().all()
    # Some touch the neighbour's wards along the shared boundary (generalised lines overlap a
    # little): they still have no ward, the sliver's share is kept.
    touching = fit[fit.covered_share > 0]
    assert len(touching) >= 1 and (touching.covered_share < 0.05).all()


def test_a_ward_split_across_two_district_files_counts_both_parts(tmp_path):
    """A real ward cut in two along a north–south line through its middle, one part in each of
    two district files: every LSOA gets the same ward, with the same share, as from the whole."""
    district = "E07000075"
    source = json.loads(gzip.decompress((WARDS / f"{district}.json.gz").read_bytes()))
    (whole,) = read_boundary_file(WARDS / f"{district}.json.gz")
    fit_whole = best_ward(*layers(LSOAS, [district]), whole.codes, whole.geometry)
    # The ward holding most LSOAs, cut at its centroid's longitude.
    target = fit_whole.ward_code.value_counts().index[0]
    index = next(i for i, f in enumerate(source["features"]) if f["properties"]["WD13CD"] == target)
    shape = shapely.from_geojson(json.dumps(source["features"][index]["geometry"]))
    x = shapely.centroid(shape).x
    minx, miny, maxx, maxy = shape.bounds
    west = shape.intersection(shapely.box(minx - 1, miny - 1, x, maxy + 1))
    east = shape.intersection(shapely.box(x, miny - 1, maxx + 1, maxy + 1))
    first = dict(source, features=[f for i, f in enumerate(source["features"]) if i != index])
    first["features"].append(
        dict(source["features"][index], geometry=json.loads(shapely.to_geojson(west)))
    )
    second = dict(
        source,
        features=[dict(source["features"][index], geometry=json.loads(shapely.to_geojson(east)))],
    )
    (tmp_path / "a.json").write_text(json.dumps(first))
    (tmp_path / "b.json").write_text(json.dumps(second))
    lsoa_files = [LSOAS / f"{district}.json.gz"]
    store = Store(str(tmp_path / "store"))
    build_geography(store, DEMO, boundaries=[*lsoa_files, tmp_path / "a.json", tmp_path / "b.json"])
    lsoa = read_table(store, "lsoa").dropna(subset=["ward_code"]).set_index("lsoa_code")
    expected = fit_whole.set_index("lsoa_code")
    assert lsoa.ward_code.to_dict() == expected.ward_code.to_dict()
    assert lsoa.ward_share.to_numpy() == pytest.approx(
        expected.loc[lsoa.index, "ward_share"].to_numpy(), abs=1e-6
    )
    wards = read_table(store, "wards")
    row = wards[wards.ward_code == target]
    assert len(row) == 1 and row.district_code.iloc[0] == district
    assert (lsoa.ward_code == target).sum() >= 2


def test_ties_go_to_the_smaller_ward_code_whatever_the_order():
    lsoa = [shapely.box(0, 0, 10, 10)]
    halves = [shapely.box(0, 0, 5, 10), shapely.box(5, 0, 10, 10)]
    for codes in (["E05000002", "E05000001"], ["E05000001", "E05000002"]):
        fit = best_ward(["E01000001"], lsoa, codes, halves)
        assert fit.ward_code.iloc[0] == "E05000001" and fit.ward_share.iloc[0] == 0.5


def test_a_ward_holding_no_lsoa_takes_the_district_covering_most_of_it(tmp_path):
    # E09000001 has 25 wards and 6 LSOAs: most wards hold no LSOA's majority. With no district
    # shapes loaded, each ward's district comes from the LSOAs that cover it.
    district = "E09000001"
    store = Store(str(tmp_path / "store"))
    files = [LSOAS / f"{district}.json.gz", WARDS / f"{district}.json.gz"]
    build_geography(store, DEMO, boundaries=files)
    wards = read_table(store, "wards")
    lsoa = read_table(store, "lsoa").dropna(subset=["ward_code"])
    assert len(wards) == 25 and lsoa.ward_code.nunique() < 25
    assert (wards.district_code == district).all()
