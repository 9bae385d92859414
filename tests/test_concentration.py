"""Concentration: top shares, Gini (hand-worked) and the Predictive Accuracy Index."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from cdrp.analysis import concentration as concentration_module
from cdrp.analysis.concentration import (
    concentration,
    gini,
    pai_of_top,
    predictive_accuracy_index,
    top_share,
)


def test_gini_matches_the_hand_worked_case():
    # Places with 0, 0, 1, 3 records: mean 1, n = 4. The absolute differences over unordered
    # pairs are 0, 1, 3, 1, 3, 2 = 10, so over ordered pairs 20; G = 20 / (2 * 4^2 * 1) = 0.625.
    assert gini([0, 0, 1, 3]) == pytest.approx(0.625, abs=1e-15)
    assert gini([3, 0, 1, 0]) == pytest.approx(0.625, abs=1e-15)


def test_gini_agrees_with_the_mean_absolute_difference_definition():
    rng = np.random.default_rng(5)
    for _ in range(20):
        x = rng.poisson(rng.uniform(0.2, 30), size=rng.integers(2, 300)).astype(float)
        if x.sum() == 0:
            continue
        expected = np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean())
        assert gini(x) == pytest.approx(expected, rel=1e-12)


def test_gini_is_zero_for_equal_places_and_near_one_when_one_place_has_everything():
    assert gini([4, 4, 4]) == 0
    assert gini([0] * 99 + [50]) == pytest.approx(0.99)
    assert np.isnan(gini([0, 0]))


def test_top_share_takes_at_least_one_place_and_counts_the_top_records():
    counts = [10, 0, 0, 5, 5, 0, 0, 0, 0, 0]  # 20 records in 10 places
    assert top_share(counts, 0.05) == 0.5  # ceil(0.5) = 1 place
    assert top_share(counts, 0.10) == 0.5
    assert top_share(counts, 0.20) == 0.75
    assert top_share(list(range(1, 21)), 0.05) == pytest.approx(20 / 210)  # exactly 1 place


def test_a_missing_place_count_is_refused():
    with pytest.raises(ValueError, match="missing count"):
        gini([1, np.nan])


def test_pai_is_hit_rate_over_area_share():
    # 40 of 100 records in 5 km2 of a 100 km2 area: (0.4) / (0.05) = 8.
    assert predictive_accuracy_index(40, 100, 5, 100) == 8.0
    with pytest.raises(ValueError, match="greater than zero"):
        predictive_accuracy_index(1, 0, 1, 10)


def test_pai_of_top_places_picks_from_one_period_and_scores_the_next():
    idx = [f"E010{i:05d}" for i in range(20)]
    predicted = pd.Series([30, 30] + [1] * 18, index=idx)
    observed = pd.Series([20, 10] + [2] * 18, index=idx)
    areas = pd.Series([1.0, 3.0] + [2.0] * 18, index=idx)
    r = pai_of_top(predicted, observed, areas, share=0.05)
    # One place: the tie at 30 goes to the lower code, E01000000 (20 of 66 records, 1 of 40 area).
    assert r.places == ("E01000000",)
    assert r.pai == pytest.approx((20 / 66) / (1 / 40))


def test_summary_reports_both_default_shares_and_gini():
    c = concentration([0, 0, 1, 3] * 5)
    assert c.places == 20 and c.records == 20
    assert c.top_shares == {0.05: 0.15, 0.10: 0.30}
    assert c.gini == pytest.approx(0.625)


def test_docstring_examples_run():
    result = doctest.testmod(concentration_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
