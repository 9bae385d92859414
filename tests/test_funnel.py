"""Funnel plot limits: a hand-worked case, properties, and classification of units."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest

from cdrp.analysis import funnel as funnel_module
from cdrp.analysis.funnel import funnel, funnel_curve, poisson_limits


def _poisson_cdf_by_hand(r: int, mean: float) -> float:
    return sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(r + 1))


def test_limits_match_the_hand_worked_case_of_an_expected_count_of_ten():
    # E = 10. Lower 95%: F(3) = 0.0103361 < 0.025 <= F(4) = 0.0292527, so r = 4 and
    # a = (0.0292527 - 0.025) / (0.0292527 - 0.0103361) = 0.22481; limit = (4 - a) / 10.
    # Upper 95%: F(16) = 0.9729584 < 0.975 <= F(17) = 0.9857224, so r = 17 and
    # a = (0.9857224 - 0.975) / (0.9857224 - 0.9729584) = 0.84004; limit = (17 - a) / 10.
    f3, f4 = _poisson_cdf_by_hand(3, 10), _poisson_cdf_by_hand(4, 10)
    f16, f17 = _poisson_cdf_by_hand(16, 10), _poisson_cdf_by_hand(17, 10)
    assert (round(f3, 7), round(f4, 7)) == (0.0103361, 0.0292527)
    assert (round(f16, 7), round(f17, 7)) == (0.9729584, 0.9857224)
    lower, upper = poisson_limits([10.0], 0.95)
    assert lower[0] == pytest.approx((4 - (f4 - 0.025) / (f4 - f3)) / 10, rel=1e-12)
    assert upper[0] == pytest.approx((17 - (f17 - 0.975) / (f17 - f16)) / 10, rel=1e-12)
    assert lower[0] == pytest.approx(0.377519, abs=1e-6)
    assert upper[0] == pytest.approx(1.615996, abs=1e-6)


def test_limits_at_99_8_percent_match_the_hand_worked_case():
    # E = 10, p = 0.001: F(1) = 0.000499 < 0.001 <= F(2) = 0.0027694, r = 2.
    f1, f2 = _poisson_cdf_by_hand(1, 10), _poisson_cdf_by_hand(2, 10)
    lower, _ = poisson_limits([10.0], 0.998)
    assert lower[0] == pytest.approx((2 - (f2 - 0.001) / (f2 - f1)) / 10, rel=1e-12)


def test_limits_narrow_as_the_population_grows_and_approach_the_normal_limits():
    expected = np.array([5.0, 50.0, 500.0, 50000.0])
    lower, upper = poisson_limits(expected, 0.95)
    assert np.all(np.diff(upper) < 0) and np.all(np.diff(lower) > 0)
    assert upper[-1] == pytest.approx(1 + 1.959964 / np.sqrt(50000), abs=2e-4)
    assert lower[-1] == pytest.approx(1 - 1.959964 / np.sqrt(50000), abs=2e-4)
    low998, up998 = poisson_limits(expected, 0.998)
    assert np.all(low998 < lower) and np.all(up998 > upper)


def test_units_are_classified_against_the_pooled_rate_of_the_family():
    frame = pd.DataFrame(
        {
            "unit": ["Chorley", "Wyre", "Fylde", "Tiny"],
            "count": [1500, 1050, 700, 2],
            "population": [100000, 100000, 100000, 200],
        }
    )
    out = funnel(frame).set_index("unit")
    assert out["target_rate"].iloc[0] == pytest.approx(3252 / 300200 * 1000)
    assert out.loc["Chorley", "position_99_8"] == "above"
    assert out.loc["Fylde", "position_99_8"] == "below"
    assert out.loc["Wyre", "position_95"] == "within"
    assert out.loc["Tiny", "position_95"] == "within"  # 10 per 1,000 from 2 records is noise


def test_a_given_target_rate_is_used_and_the_curve_matches_the_unit_limits():
    frame = pd.DataFrame({"unit": ["A"], "count": [25], "population": [2000]})
    out = funnel(frame, target_rate=10.0)
    curve = funnel_curve(10.0, [2000])
    assert out.loc[0, "upper_95"] == pytest.approx(curve.loc[0, "upper_95"])
    assert out.loc[0, "expected"] == 20.0


def test_a_unit_with_no_population_is_refused_by_name():
    frame = pd.DataFrame({"unit": ["A", "Nowhere"], "count": [3, 4], "population": [10, 0]})
    with pytest.raises(ValueError, match="no population for Nowhere"):
        funnel(frame)


def test_docstring_examples_run():
    result = doctest.testmod(funnel_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
