"""Decomposition of a change: contributions add up to the total change."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdrp.analysis import decompose
from cdrp.analysis.decompose import contributions, rate_change_decomposition


def _cells(seed=4):
    rng = np.random.default_rng(seed)
    rows = []
    for district in ("Chorley", "South Ribble", "West Lancashire"):
        for category in ("Burglary", "Drugs", "Shoplifting", "Robbery"):
            rows.append(
                {
                    "district": district,
                    "category": category,
                    "current": int(rng.poisson(80)),
                    "baseline": int(rng.poisson(80)),
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("by", [("category",), ("district",), ("district", "category")])
def test_contributions_sum_to_the_total_change(by):
    cells = _cells()
    total = cells["current"].sum() - cells["baseline"].sum()
    out = contributions(cells, by=by)
    assert out["contribution"].sum() == total
    assert out["share_of_change"].sum() == pytest.approx(1.0)
    assert out["share_of_movement"].sum() == pytest.approx(1.0)


def test_the_biggest_driver_comes_first_and_a_category_contribution_is_its_own_change():
    cells = pd.DataFrame(
        {
            "district": ["A", "A", "B", "B"],
            "category": ["Burglary", "Drugs", "Burglary", "Drugs"],
            "current": [50, 10, 70, 12],
            "baseline": [40, 20, 30, 12],
        }
    )
    out = contributions(cells, by=["category"])
    assert out["category"].tolist() == ["Burglary", "Drugs"]
    assert out["contribution"].tolist() == [50, -10]
    assert out["share_of_change"].tolist() == [1.25, -0.25]


def test_share_of_change_is_nan_when_rises_and_falls_cancel():
    cells = pd.DataFrame({"category": ["A", "B"], "current": [10, 0], "baseline": [0, 10]})
    out = contributions(cells)
    assert out["share_of_change"].isna().all()
    assert out["share_of_movement"].tolist() == [0.5, 0.5]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5000),
            st.integers(0, 5000),
            st.integers(1, 200000),
            st.integers(1, 200000),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_rate_effects_sum_to_the_change_in_the_overall_rate(rows):
    frame = pd.DataFrame(
        rows, columns=["current", "baseline", "population_current", "population_baseline"]
    )
    frame["area"] = [f"area {i}" for i in range(len(frame))]
    out = rate_change_decomposition(frame)
    overall_now = frame["current"].sum() / frame["population_current"].sum() * 1000
    overall_then = frame["baseline"].sum() / frame["population_baseline"].sum() * 1000
    assert out["contribution"].sum() == pytest.approx(overall_now - overall_then, abs=1e-9)


def test_rate_decomposition_matches_a_hand_worked_case():
    # Area A: 20 then 30 records, population 1,000 then 2,000; B: 10 then 10, 1,000 then 1,000.
    # Rates: A 20 -> 15, B 10 -> 10; shares: A 1/2 -> 2/3, B 1/2 -> 1/3.
    # A: rate effect (1/2 + 2/3)/2 * (15 - 20) = -2.9167; composition (20 + 15)/2 * (1/6) = 2.9167.
    # B: rate effect 0; composition (10 + 10)/2 * (-1/6) = -1.6667.
    # Overall 15 -> 13.3333: change -1.6667.
    frame = pd.DataFrame(
        {
            "area": ["A", "B"],
            "current": [30, 10],
            "baseline": [20, 10],
            "population_current": [2000, 1000],
            "population_baseline": [1000, 1000],
        }
    )
    out = rate_change_decomposition(frame).set_index("area")
    assert out.loc["A", "rate_effect"] == pytest.approx(-35 / 12)
    assert out.loc["A", "composition_effect"] == pytest.approx(35 / 12)
    assert out.loc["B", "composition_effect"] == pytest.approx(-10 / 6)
    assert out["contribution"].sum() == pytest.approx(40 / 3 - 15)


def test_a_missing_count_or_population_is_refused():
    with pytest.raises(ValueError, match="missing value"):
        contributions(pd.DataFrame({"category": ["A"], "current": [np.nan], "baseline": [1]}))
    frame = pd.DataFrame(
        {
            "area": ["Nowhere"],
            "current": [1],
            "baseline": [1],
            "population_current": [0],
            "population_baseline": [10],
        }
    )
    with pytest.raises(ValueError, match="no population for Nowhere"):
        rate_change_decomposition(frame)


def test_docstring_examples_run():
    result = doctest.testmod(decompose, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
