"""The seed partnerships of issue 16, each from its structure YAML (data/seeds) on its own force's
police.uk files and the national boundary files of its district: record counts equal the
reference figures of shared/data/README.md, the strategic assessment for 2022-01..2022-11 has a
ward table and a hot-spot section, and the tasking pack for 2022-11 names its hot-spots by wards
of the partnership's own district."""

from __future__ import annotations

import pytest

from cdrp.store import Store, counts
from cdrp.store.boundaries import read_boundary_file
from conftest import SEEDS, SEEDS_DIR, SHARED_DATA, load_seed

pytestmark = pytest.mark.skipif(
    not (SHARED_DATA / "uk-geojson-wards2013-national").is_dir(),
    reason="needs shared/data's national boundaries and the seed forces' police.uk files",
)


def district_wards(code: str) -> dict[str, str]:
    """Ward code → name of the district's own 2013 ward file (read directly, not via the store)."""
    (layer,) = read_boundary_file(SHARED_DATA / "uk-geojson-wards2013-national" / f"{code}.json.gz")
    return dict(zip(layer.codes, layer.names, strict=True))


def district_lsoas(code: str) -> list[str]:
    (layer,) = read_boundary_file(SHARED_DATA / "uk-geojson-lsoa2011-national" / f"{code}.json.gz")
    return list(layer.codes)


@pytest.fixture(params=sorted(SEEDS))
def seed(request, db, seed_stores, settings):
    """(partnership loaded from its YAML, its force's store, district code, name, reference)."""
    slug = request.param
    _, force, code, name, reference = SEEDS[slug]
    settings.INCIDENT_STORE = seed_stores[force]
    return load_seed(slug), seed_stores[force], code, name, reference


@pytest.mark.django_db
def test_every_seed_structure_file_loads_its_partnerships_with_their_districts():
    from cdrp.partnerships.models import Partnership

    files = sorted(p.name for p in SEEDS_DIR.glob("*.yaml"))
    assert files == sorted({s[0] for s in SEEDS.values()})
    for slug, (_, _, code, name, _) in SEEDS.items():
        p = load_seed(slug)
        assert [(a.code, a.name) for a in p.districts.all()] == [(code, name)]
        assert p.strategy_group() is not None
        assert p.groups.filter(kind="tasking").count() == 1
    assert Partnership.objects.filter(slug__in=SEEDS).count() == len(SEEDS)


@pytest.mark.django_db
def test_rochford_and_castle_point_share_one_joint_responsible_authorities_group():
    """As the Rochford report describes: one RAG over both district partnerships, its chair
    rotating yearly between the two councils' chief executives, each district's tasking group
    reporting to it; the structure chart of each district shows it with both CDRPs."""
    import datetime as dt

    from cdrp.partnerships.chart import structure_svg
    from cdrp.partnerships.models import Partnership

    load_seed("rochford-csp")
    rochford, castle_point = (
        Partnership.objects.get(slug=s) for s in ("rochford-csp", "castle-point-csp")
    )
    rag = rochford.strategy_group()
    assert rag is not None and castle_point.strategy_group() == rag
    assert rag.partnership == rochford and rag.is_joint
    assert castle_point.groups.get(kind="tasking").reports_to == rag
    assert rag.chair(dt.date(2022, 6, 1)).slug == "rochford-chief-executive"
    assert rag.chair(dt.date(2023, 6, 1)).slug == "castle-point-chief-executive"
    for p in (rochford, castle_point):
        svg = str(structure_svg(p, dt.date(2022, 6, 1)))
        assert "Joint Responsible Authorities Group" in svg
        assert "Rochford" in svg and "Castle Point" in svg


def test_counts_equal_the_reference_figures(seed):
    partnership, store, code, _, reference = seed
    got = counts(
        store,
        ["district"],
        start="2022-01",
        end="2022-11",
        areas={"district": [a.code for a in partnership.districts.all()]},
        output="pandas",
    )
    assert dict(zip(got["district"], got["count"], strict=True)) == {code: reference}


@pytest.mark.slow
def test_the_strategic_assessment_has_a_ward_table_and_a_hotspot_section(seed):
    from cdrp.intelligence.assessments import build

    partnership, store, code, name, reference = seed
    doc = build(
        partnership=partnership, end="2022-11", months=11, store=Store(store), save=False
    ).document
    assert (doc["period"]["start"], doc["period"]["end"]) == ("2022-01", "2022-11")
    assert doc["totals"][code] == reference
    sections = {s["id"]: s for s in doc["sections"]}
    tables = {t["id"]: t for s in doc["sections"] for t in s["tables"]}
    # The ward table: the district's own wards, its busiest first, counts from the store.
    wards = district_wards(code)
    rows = tables["top-wards"]["rows"]
    assert len(rows) == min(15, len(wards))
    assert all(wards[r["_key"]] == r["ward_name"] for r in rows)
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)
    by_ward = counts(store, ["ward"], start="2022-01", end="2022-11", output="pandas")
    by_ward = dict(zip(by_ward["ward"], by_ward["count"], strict=True))
    assert all(r["count"] == by_ward[r["_key"]] for r in rows)
    # The hot-spot section: Gi* ran on every LSOA of the district (nothing missing).
    hot = tables["why-hotspots"]
    assert f"Getis-Ord Gi* on {len(district_lsoas(code))} LSOAs" in hot["note"]
    assert not any("not analysed" in n for n in sections["why"]["notices"])
    if not hot["rows"]:  # an empty table says why
        assert any("No LSOA is an emerging" in f["text"] for f in sections["why"]["findings"])
    # Both maps are drawn from the district's boundaries.
    figures = {f["id"]: f for f in sections["levels"]["figures"]}
    assert len(figures["map-ward"]["features"]) == len(wards)
    assert not any("boundar" in w for w in doc["warnings"])


@pytest.mark.slow
def test_the_tasking_pack_names_its_hotspots_by_the_districts_own_wards(seed):
    from cdrp.intelligence.tactical import tactical_assessment

    partnership, store, code, name, _ = seed
    pack = tactical_assessment(partnership, "2022-11", store=Store(store))
    assert pack["month"] == "2022-11"
    wards = district_wards(code)
    places = [*pack["emerging"], *pack["exceedances"]]
    assert places, f"expected hot-spots or exceedances in {name} for 2022-11"
    assert all(p["ward_name"] in wards.values() for p in places)
    assert all(wards[e["ward"]] == e["ward_name"] for e in pack["exceedances"])
    lsoas = set(district_lsoas(code))
    assert all(e["lsoa"] in lsoas for e in pack["emerging"])
    assert {f["properties"]["code"] for f in pack["map"]["lsoas"]["features"]} == lsoas
    assert pack["notes"] == []
