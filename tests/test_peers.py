"""Peer families: a hand-checked case, ties, determinism, and the real district features."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cdrp.analysis import peers as peers_module
from cdrp.analysis.peers import (
    census_districts,
    district_features,
    family,
    features_from_files,
    peer_groups,
)

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
IOD = DEMO / "iod2019-lad" / "IoD2019_lad.csv"
POP19 = DEMO / "ons-population-la" / "la_population_mid2019.csv"
POP22 = DEMO / "ons-population-la" / "la_population_mid2022.csv"
CENSUS = DEMO / "ons-lsoa2011-national" / "census2011_lsoa_population_households.csv.gz"
LOOKUP = DEMO / "ons-lsoa2011-national" / "lsoa2011_msoa_lad_force_lookup.csv.gz"
LANCASHIRE = [
    "E06000008", "E06000009", "E07000117", "E07000118", "E07000119", "E07000120", "E07000121",
    "E07000122", "E07000123", "E07000124", "E07000125", "E07000126", "E07000127", "E07000128",
]  # fmt: skip


def _hand_case() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dep": [0.0, 1.0, 3.0, 4.0],
            "population": [1e4] * 4,
            "density": [1.0, 1.0, 1.0, 10.0],
        },
        index=["A", "B", "C", "D"],
    )


def test_families_match_the_hand_checked_case():
    # dep: mean 2, sd sqrt(2.5) -> z = (-2, -1, 1, 2) / 1.5811.
    # log10 density (0, 0, 0, 1): mean 0.25, sd sqrt(0.1875)
    #   -> z = (-.5774, -.5774, -.5774, 1.7321).
    # Population is constant, so its z is 0 for all.
    # From C: B = 2/1.5811 = 1.2649; A = 3/1.5811 = 1.8974;
    #         D = sqrt(0.4 + (1/0.4330)^2) = sqrt(0.4 + 5.3333) = 2.3944.
    # So C's family of two is B then A, although D is closer in deprivation alone.
    out = peer_groups(_hand_case(), k=2, domains=["dep"])
    c = out[out["district"] == "C"]
    assert c["peer"].tolist() == ["B", "A"]
    np.testing.assert_allclose(c["distance"], [1.264911, 1.897367], atol=1e-6)
    d = out[out["district"] == "D"]
    assert d["peer"].tolist() == ["C", "B"]
    np.testing.assert_allclose(d["distance"], [np.sqrt(0.4 + 16 / 3), np.sqrt(3.6 + 16 / 3)])
    # Deprivation alone: C's nearest is D.
    dep_only = peer_groups(_hand_case(), k=2, domains=["dep"], weights={"deprivation": 1})
    assert dep_only[dep_only["district"] == "C"]["peer"].tolist() == ["D", "B"]


def test_ties_go_to_the_lower_district_code_whatever_the_row_order():
    f = pd.DataFrame(
        {"dep": [0.0, 1.0, -1.0], "population": [1e4] * 3, "density": [2.0] * 3},
        index=["E2", "E3", "E1"],
    )
    out = peer_groups(f, k=1, domains=["dep"])
    assert out.set_index("district").loc["E2", "peer"] == "E1"
    shuffled = peer_groups(f.iloc[[2, 0, 1]], k=1, domains=["dep"])
    pd.testing.assert_frame_equal(out, shuffled)


@pytest.fixture(scope="module")
def features_2019():
    return features_from_files(IOD, POP19, CENSUS)


def test_2019_features_cover_every_english_district_with_combined_units(features_2019):
    # 317 IoD districts less Isles of Scilly and City of London, combined with their neighbours.
    assert len(features_2019) == 315
    assert "E06000053" not in features_2019.index and "E09000001" not in features_2019.index
    assert features_2019.loc["E06000052", "name"] == "Cornwall (with Isles of Scilly)"
    assert features_2019.loc["E06000052", "population"] == 571802
    # Census 2011 hectares: Cornwall 354,620 + Scilly 1,637.
    assert features_2019.loc["E06000052", "hectares"] == 356257
    # Merged in 2019: Bournemouth + Poole + Christchurch hectares from their 2011 codes.
    census = census_districts(CENSUS)
    assert (
        features_2019.loc["E06000058", "hectares"]
        == census.loc[["E06000028", "E06000029", "E07000048"], "hectares"].sum()
    )


def test_combined_scores_are_weighted_by_census_residents(features_2019):
    iod = pd.read_csv(IOD)
    income = iod[iod.index_domain == "Income"].set_index("lad19cd")["average_score"]
    census = census_districts(CENSUS)
    w_h, w_c = census.loc["E09000012", "residents"], census.loc["E09000001", "residents"]
    expected = (income["E09000012"] * w_h + income["E09000001"] * w_c) / (w_h + w_c)
    assert features_2019.loc["E09000012", "Income"] == pytest.approx(expected)


def test_census_district_codes_agree_with_the_national_lsoa_lookup():
    census = pd.read_csv(CENSUS, dtype=str)
    lookup = pd.read_csv(LOOKUP, dtype=str, index_col=0)
    joined = census.merge(lookup, on="LSOA Code", suffixes=("", "_lookup"))
    assert len(joined) == 32844
    assert (joined["Local authority code"] == joined["Local authority code_lookup"]).all()


def test_every_lancashire_district_has_fifteen_peers_reproducibly(features_2019):
    out = peer_groups(features_2019)
    again = peer_groups(features_2019.sample(frac=1, random_state=1))
    pd.testing.assert_frame_equal(out, again)
    for code in LANCASHIRE:
        members = family(out, code)
        assert len(members) == 15 and code not in members
    # Neighbouring districts of similar make-up find each other.
    assert "E07000126" in family(out, "E07000118")  # South Ribble in Chorley's family
    assert family(out, "E07000118", available=LANCASHIRE) == [
        "E07000128",
        "E07000126",
        "E07000127",
        "E07000119",
    ]


def test_2021_families_use_the_merged_districts():
    f = features_from_files(IOD, POP22, CENSUS, vintage="2021")
    assert {"E06000060", "E06000061", "E06000062"} <= set(f.index)
    assert "E07000004" not in f.index
    assert f.loc["E06000060", "name"] == "Buckinghamshire"
    census = census_districts(CENSUS)
    bucks = ["E07000004", "E07000005", "E07000006", "E07000007"]
    assert f.loc["E06000060", "hectares"] == census.loc[bucks, "hectares"].sum()


def test_a_population_of_the_wrong_vintage_is_refused():
    with pytest.raises(ValueError, match="not 2019 districts: E06000060"):
        features_from_files(IOD, POP22, CENSUS, vintage="2019")


def test_a_district_with_no_population_is_refused_by_name():
    iod = pd.read_csv(IOD)
    pop = pd.read_csv(POP19).set_index("area_code")["population"].drop("E07000118")
    with pytest.raises(ValueError, match="no population for district.*E07000118 Chorley"):
        district_features(iod, pop, census_districts(CENSUS))


def test_docstring_examples_run():
    result = doctest.testmod(peers_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_asking_for_a_family_by_a_code_of_another_vintage_says_what_to_do():
    f = _hand_case()
    out = peer_groups(f, k=1, domains=["dep"])
    with pytest.raises(ValueError, match="E06000060.*build the families with vintage='2021'"):
        family(out, "E06000060")
    with pytest.raises(ValueError, match="its code is now E06000057"):
        family(out, "E06000048")
