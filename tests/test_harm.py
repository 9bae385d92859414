"""Harm weights: derivation from the CSS weights, the shipped table, and weighting counts."""

from __future__ import annotations

import doctest
import io
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from cdrp.analysis import harm
from cdrp.analysis.harm import (
    DEFAULT_TABLE,
    POLICE_UK_CATEGORIES,
    check_weights,
    default_weights,
    derive_severity_weights,
    harm_weighted,
    read_weights,
)

ROOT = Path(__file__).resolve().parent.parent
HARM = ROOT / "data" / "demo" / "harm-weights"
WEIGHTS = HARM / "ons_crime_severity_weights_by_offence_code.csv"
VOLUMES = HARM / "police_recorded_crime_by_force_offence_code_2017-18.csv.gz"

# data/demo/SOURCE-README.md, "Harm weights".
EXPECTED = {
    "Robbery": 799.6,
    "Burglary": 380.2,
    "Violence and sexual offences": 275.6,
    "Possession of weapons": 152.9,
    "Other crime": 118.3,
    "Drugs": 102.6,
    "Theft from the person": 80.4,
    "Vehicle crime": 52.0,
    "Other theft": 46.1,
    "Public order": 18.8,
    "Criminal damage and arson": 18.1,
    "Bicycle theft": 15.2,
    "Shoplifting": 11.9,
}


@pytest.fixture(scope="module")
def derived():
    return derive_severity_weights(WEIGHTS, VOLUMES)


def test_the_derivation_reproduces_the_published_weights_per_category(derived):
    got = derived.set_index("category")["weight"].round(1).to_dict()
    assert got == EXPECTED


def test_the_derivation_matches_88_4_percent_of_recorded_offences(derived):
    share = derived["matched_offences"].sum() / derived["offences"].sum()
    assert round(share, 3) == 0.884


def test_matching_on_the_counts_code_includes_homicide(derived):
    alt = derive_severity_weights(WEIGHTS, VOLUMES, key="ONS_COUNTS_code")
    vso = alt.set_index("category").loc["Violence and sexual offences", "weight"]
    assert round(vso, 1) == 279.2


def test_the_shipped_table_is_the_derivation(derived):
    ref = resources.files("cdrp.analysis") / "data" / DEFAULT_TABLE
    with ref.open("r", encoding="utf-8") as handle:
        shipped = pd.read_csv(handle)
    pd.testing.assert_frame_equal(
        shipped.set_index("category"), derived.set_index("category"), atol=1e-6, check_dtype=False
    )


def test_default_weights_cover_every_category_with_a_configurable_asb_weight():
    w = default_weights()
    assert set(w.index) == set(POLICE_UK_CATEGORIES)
    assert w["Anti-social behaviour"] == 0.0
    assert default_weights(asb_weight=18.8)["Anti-social behaviour"] == 18.8
    assert round(w["Robbery"], 1) == 799.6


def test_counts_are_weighted_beside_raw_counts_by_name_or_slug():
    frame = pd.DataFrame(
        {"category": ["Burglary", "violent-crime", "Anti-social behaviour"], "count": [10, 2, 5]}
    )
    out = harm_weighted(frame, default_weights(asb_weight=1.5))
    assert out["count"].tolist() == [10, 2, 5]
    assert out["harm"].tolist() == pytest.approx([3801.83624, 551.153256, 7.5])


def test_a_table_missing_a_category_in_use_is_refused_by_name():
    frame = pd.DataFrame({"category": ["Burglary", "Drugs"], "count": [1, 1]})
    with pytest.raises(ValueError, match="has no weight for: Drugs"):
        harm_weighted(frame, {"Burglary": 1.0})


def test_a_partnership_table_missing_a_category_is_refused_naming_file_and_category():
    text = "category,weight\n" + "".join(
        f"{c},1\n"
        for c in POLICE_UK_CATEGORIES
        if c not in ("Shoplifting", "Anti-social behaviour")
    )
    handle = io.StringIO(text)
    handle.name = "lancs-weights.csv"
    with pytest.raises(
        ValueError, match="lancs-weights.csv has no weight for: Anti-social behaviour, Shoplifting"
    ):
        read_weights(handle)


def test_a_bad_weight_names_file_row_and_field():
    handle = io.StringIO("category,weight\nRobbery,800\nBurglary,lots\n")
    handle.name = "w.csv"
    with pytest.raises(ValueError, match="w.csv, row 3, field 'weight': expected a number"):
        read_weights(handle, categories=["Robbery"])


def test_an_unknown_category_in_a_table_is_refused():
    with pytest.raises(ValueError, match="Burgalry is not a police.uk category"):
        check_weights({"Burgalry": 1.0}, ["Burglary"])


def test_docstring_examples_run():
    result = doctest.testmod(harm, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
