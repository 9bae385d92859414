"""Assessments say what is missing (issue 16, part 4) and families across forces (part 8), on the
seed partnerships' real data: a section that cannot be computed names the missing input in the
document and in its warnings; with several forces held a family is drawn from every district with
data, with one force the document says so and names the features used."""

from __future__ import annotations

import pytest

from cdrp.analysis.peers import DOMAINS
from cdrp.store import Store, build_geography, import_police_uk
from cdrp.store.geography import read_table
from conftest import DEMO_DATA, SEEDS, SHARED_DATA, load_seed, seed_boundaries

ROCHFORD = "E07000075"

pytestmark = pytest.mark.skipif(
    not (SHARED_DATA / "police-uk-street-essex").is_dir(),
    reason="needs shared/data's seed forces and national boundaries",
)


@pytest.fixture(scope="module")
def essex_without(tmp_path_factory):
    """Essex's records in two stores lacking boundaries: Rochford's LSOAs but no wards, and none."""
    stores = {}
    for name, files in {
        "no-wards": [p for p in seed_boundaries([ROCHFORD]) if "lsoa" in p.parent.name],
        "no-boundaries": [],
    }.items():
        root = str(tmp_path_factory.mktemp(f"essex-{name}") / "store")
        build_geography(root, DEMO_DATA, boundaries=files)
        import_police_uk(root, [SHARED_DATA / "police-uk-street-essex"])
        stores[name] = root
    return stores


def _doc(partnership, store):
    from cdrp.intelligence.assessments import build

    return build(
        partnership=partnership, end="2022-11", months=11, store=Store(store), save=False
    ).document


def _sections(doc):
    return {s["id"]: s for s in doc["sections"]}


def _tables(doc):
    return {t["id"]: t for s in doc["sections"] for t in s["tables"]}


@pytest.mark.slow
@pytest.mark.django_db
def test_without_ward_boundaries_the_ward_table_is_empty_and_says_why(essex_without):
    from cdrp.intelligence.tactical import tactical_assessment

    rochford = load_seed("rochford-csp")
    doc = _doc(rochford, essex_without["no-wards"])
    notice = "No ward boundaries for Rochford (E07000075)"
    top = _tables(doc)["top-wards"]
    assert top["rows"] == [] and top["note"].startswith(notice)
    assert "cdrp fetch geography --district E07000075" in top["note"]
    assert any(n.startswith(notice) for n in _sections(doc)["levels"]["notices"])
    assert [w for w in doc["warnings"] if notice in w] == [
        f"Section 1 (Levels and patterns): {top['note']}"
    ]
    # The LSOAs were loaded: hot-spots ran, the LSOA table is full, nothing says otherwise.
    assert _tables(doc)["top-lsoas"]["rows"]
    assert "Getis-Ord Gi*" in _tables(doc)["why-hotspots"]["note"]
    assert not any("LSOA boundaries" in w for w in doc["warnings"])

    # The pack builds (it used to fail: "exceedances ... the counts table is empty"), says why
    # it has no exceedances, and names no ward for its hot-spots.
    pack = tactical_assessment(rochford, "2022-11", store=Store(essex_without["no-wards"]))
    assert pack["exceedances"] == []
    assert [w[: len(notice)] for w in pack["warnings"]] == [notice]
    assert pack["warnings"][0] in pack["notes"]
    assert all(e["ward_name"] == "no ward" for e in pack["emerging"])
    assert len(pack["map"]["lsoas"]["features"]) == len(
        read_table(Store(essex_without["no-wards"]), "lsoa_shapes")
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_without_any_boundaries_every_section_that_needs_them_names_them(essex_without):
    from cdrp.intelligence.tactical import tactical_assessment

    rochford = load_seed("rochford-csp")
    doc = _doc(rochford, essex_without["no-boundaries"])
    assert doc["totals"][ROCHFORD] == SEEDS["rochford-csp"][4]  # the counts need no boundaries
    why = _sections(doc)["why"]
    assert "why-hotspots" not in {t["id"] for t in why["tables"]}
    (hot,) = [n for n in why["notices"] if "hot-spots" in n]
    assert hot.startswith("No LSOA boundaries for Rochford (E07000075): hot-spots were not")
    warned = {w.split("): ", 1)[0] + ")" for w in doc["warnings"] if "boundaries" in w}
    assert warned == {"Section 1 (Levels and patterns)", "Section 3 (Why: what drove the change)"}
    assert sum("No LSOA boundaries" in w for w in doc["warnings"]) == 2
    assert sum("No ward boundaries" in w for w in doc["warnings"]) == 1
    assert not [f for f in _sections(doc)["levels"]["figures"] if f["kind"] == "choropleth"]

    pack = tactical_assessment(rochford, "2022-11", store=Store(essex_without["no-boundaries"]))
    assert pack["emerging"] == [] and pack["exceedances"] == []
    assert [w.split(":")[0] for w in pack["warnings"]] == [
        "No ward boundaries for Rochford (E07000075)",
        "No LSOA boundaries for Rochford (E07000075)",
        "Emerging hot-spots were not analysed",
    ]


@pytest.mark.slow
@pytest.mark.django_db
def test_with_one_force_the_family_says_so_and_names_its_features(seed_stores):
    doc = _doc(load_seed("test-valley-csp"), seed_stores["hampshire"])
    peers = _sections(doc)["peers"]
    (notice,) = peers["notices"]
    assert notice.startswith("Only one force's data is held (Hampshire)")
    assert all(domain in notice for domain in DOMAINS)
    assert "population" in notice and "per hectare" in notice
    assert f"Section 6 (Comparison with similar areas): {notice}" in doc["warnings"]
    # The national family: some members in other forces, without data.
    rows = _tables(doc)["peer-families"]["rows"]
    assert len(rows) == 15 and {r["with_data"] for r in rows} == {"yes", "no"}


@pytest.mark.slow
@pytest.mark.django_db
def test_with_several_forces_the_family_is_drawn_from_every_district_with_data(
    seed_store_all_forces,
):
    store = Store(seed_store_all_forces)
    doc = _doc(load_seed("test-valley-csp"), seed_store_all_forces)
    peers = _sections(doc)["peers"]
    assert peers["notices"] == [] and not any("one force" in w for w in doc["warnings"])
    # The districts with data: every district of the three forces held.
    districts = read_table(store, "districts")
    forces = {"Essex", "Hampshire", "Cambridgeshire"}
    with_data = set(districts.loc[districts["force_name"].isin(forces), "district_code"])
    assert len(with_data) == 14 + 14 + 6  # as shared/data/README.md lists them
    assert "drawn from every district with data" in peers["text"][0]
    assert f"the {len(with_data)} districts of 3 forces" in peers["text"][0]
    rows = _tables(doc)["peer-families"]["rows"]
    assert len(rows) == 15
    assert {r["code"] for r in rows} <= with_data - {SEEDS["test-valley-csp"][2]}
    assert {r["with_data"] for r in rows} == {"yes"}
    # Drawn across forces, not only from Test Valley's own.
    force_of = districts.set_index("district_code")["force_name"]
    assert {force_of[r["code"]] for r in rows} - {"Hampshire"}
    # All fifteen are compared on the funnel.
    (finding,) = [f for f in peers["findings"] if f["text"].startswith("Test Valley:")]
    assert "(15 of 15 members with data)" in finding["text"]


@pytest.mark.slow
@pytest.mark.django_db
def test_a_district_without_family_features_is_named_not_refused(seed_stores, monkeypatch):
    """As for a Welsh district (IoD 2019 is English): the build goes on and says why."""
    from cdrp.intelligence import assessments
    from cdrp.intelligence.reference import district_features

    features = district_features().drop(index=ROCHFORD)
    monkeypatch.setattr(assessments, "district_features", lambda data_dir=None: features)
    doc = _doc(load_seed("rochford-csp"), seed_stores["essex"])
    peers = _sections(doc)["peers"]
    assert peers["tables"] == [] and peers["figures"] == []
    (notice,) = [n for n in peers["notices"] if n.startswith("Rochford has no family")]
    assert "no family for district E07000075" in notice and "IoD 2019" in notice
    assert f"Section 6 (Comparison with similar areas): {notice}" in doc["warnings"]
    assert doc["totals"][ROCHFORD] == SEEDS["rochford-csp"][4]


@pytest.fixture(scope="module")
def essex_and_half_hampshire(tmp_path_factory):
    """Essex's eleven months and Hampshire's last six only, in one store."""
    root = str(tmp_path_factory.mktemp("uneven") / "store")
    build_geography(root, DEMO_DATA, boundaries=seed_boundaries([ROCHFORD, "E07000093"]))
    import_police_uk(root, [SHARED_DATA / "police-uk-street-essex"])
    hampshire = sorted((SHARED_DATA / "police-uk-street-hampshire").glob("2022-*/*.csv.gz"))
    import_police_uk(root, hampshire[5:])
    return root


@pytest.mark.slow
@pytest.mark.django_db
def test_the_months_held_are_those_of_the_partnerships_own_force(essex_and_half_hampshire):
    """Months covered were those any force held: Essex's January to May made Test Valley's
    missing months count as zeros. Now each partnership's months are its own force's."""
    from cdrp.intelligence.tactical import tactical_assessment

    rochford = _doc(load_seed("rochford-csp"), essex_and_half_hampshire)
    assert not any("No data for" in w for w in rochford["warnings"])
    assert rochford["totals"][ROCHFORD] == SEEDS["rochford-csp"][4]
    seasonality = _tables(rochford)["seasonality"]["rows"]
    assert len(seasonality) == 11 and all(r["count"] is not None for r in seasonality)
    # Test Valley's own force lacks January to May: those months are named, never zeros.
    test_valley = _doc(load_seed("test-valley-csp"), essex_and_half_hampshire)
    (missing,) = [w for w in test_valley["warnings"] if w.startswith("No data for")]
    assert missing.startswith("No data for 2022-01, 2022-02, 2022-03, 2022-04, 2022-05:")
    # The tasking pack of Rochford needs 36 months of Essex only, not Hampshire's.
    pack = tactical_assessment(
        rochford_p := load_seed("rochford-csp"), "2022-11", store=Store(essex_and_half_hampshire)
    )
    assert pack["partnership"]["slug"] == rochford_p.slug and pack["exceedances"]

    # Hampshire's first five months imported later: Test Valley's assessment is stale, Rochford's
    # (Essex's data only) is not.
    from cdrp.intelligence.assessments import build, staleness

    def record(slug):
        store = Store(essex_and_half_hampshire)
        return build(partnership=load_seed(slug), end="2022-11", months=11, store=store, save=False)

    before = {slug: record(slug) for slug in ("rochford-csp", "test-valley-csp")}
    hampshire = sorted((SHARED_DATA / "police-uk-street-hampshire").glob("2022-*/*.csv.gz"))
    import_police_uk(essex_and_half_hampshire, hampshire[:5])
    store = Store(essex_and_half_hampshire)
    assert staleness(before["rochford-csp"], store) == []
    stale = staleness(before["test-valley-csp"], store)
    assert stale == [f"hampshire 2022-0{m}: a month imported since the build" for m in range(1, 6)]
