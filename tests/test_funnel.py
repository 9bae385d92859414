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
    # exp(-m) m^k / k!, each term from the one before (no overflow for large k).
    term, total = math.exp(-mean), 0.0
    for k in range(r + 1):
        total += term
        term *= mean / (k + 1)
    return total


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


def _spiegelhalter_by_hand(expected: float, p: float) -> float:
    """Spiegelhalter (2005) A.1.1 from Poisson sums in plain Python: r_p, a, (r_p - a) / E."""
    r = 0
    while _poisson_cdf_by_hand(r, expected) < p:
        r += 1
    f_r = _poisson_cdf_by_hand(r, expected)
    f_prev = _poisson_cdf_by_hand(r - 1, expected) if r > 0 else 0.0
    return max(r - (f_r - p) / (f_r - f_prev), 0.0) / expected


def test_a_given_target_rate_is_used_and_the_unit_and_curve_limits_are_the_hand_worked_ones():
    # 2,000 residents at 10 per 1,000: E = 20. By hand (Poisson sums):
    #   p = 0.025: F(11) = 0.0213868 < p <= F(12) = 0.0390120, a = 0.79500, limit 0.560250
    #   p = 0.975: F(28) = 0.9656665 < p <= F(29) = 0.9781818, a = 0.25423, limit 1.437288
    #   p = 0.001: F(7) = 0.0007786 < p <= F(8) = 0.0020873, a = 0.83081, limit 0.358459
    #   p = 0.999: F(34) = 0.9985110 < p <= F(35) = 0.9991963, a = 0.28647, limit 1.735676
    # so 5.6025 to 14.3729 per 1,000 (95%) and 3.5846 to 17.3568 (99.8%); 25 records (12.5 per
    # 1,000) are within both.
    frame = pd.DataFrame({"unit": ["A"], "count": [25], "population": [2000]})
    out = funnel(frame, target_rate=10.0).iloc[0]
    curve = funnel_curve(10.0, [2000]).iloc[0]
    assert out["expected"] == 20.0 and out["target_rate"] == 10.0
    by_hand = {
        "lower_95": (0.025, 5.6025),
        "upper_95": (0.975, 14.37288),
        "lower_99_8": (0.001, 3.58459),
        "upper_99_8": (0.999, 17.35676),
    }
    for column, (p, rate) in by_hand.items():
        assert 10.0 * _spiegelhalter_by_hand(20.0, p) == pytest.approx(rate, abs=5e-5), column
        assert out[column] == pytest.approx(10.0 * _spiegelhalter_by_hand(20.0, p), rel=1e-9)
        assert curve[column] == pytest.approx(10.0 * _spiegelhalter_by_hand(20.0, p), rel=1e-9)
    assert out["position_95"] == out["position_99_8"] == "within"


def test_limits_over_many_expected_counts_match_the_hand_formula():
    for expected in [0.05, 0.3, 1.0, 2.5, 7.0, 33.3, 120.0]:
        for level in (0.95, 0.998):
            lower, upper = poisson_limits([expected], level)
            assert lower[0] == pytest.approx(
                _spiegelhalter_by_hand(expected, (1 - level) / 2), rel=1e-9, abs=1e-12
            ), (expected, level)
            assert upper[0] == pytest.approx(
                _spiegelhalter_by_hand(expected, (1 + level) / 2), rel=1e-9
            ), (expected, level)


def test_the_upper_limit_is_never_drawn_below_the_target_and_no_position_changes():
    # E = 0.01: F(0) = exp(-0.01) = 0.99005 >= 0.975, so r = 0 and the interpolation gives
    # -(0.99005 - 0.975) / 0.99005 records, below zero: the formula's limit is 0, under the
    # target. One record (ratio 100) is above either way; none is within either way.
    expected = np.logspace(-6, 3, 400)
    for level in (0.95, 0.998):
        lower, upper = poisson_limits(expected, level)
        assert (upper >= 1).all() and (lower <= 1).all()
    assert _spiegelhalter_by_hand(0.01, 0.975) == 0.0
    assert poisson_limits([0.01], 0.95)[1][0] == 1.0
    # Above the switch the limit is the formula's (E = 0.03: (1 - a) / E with r = 1).
    assert poisson_limits([0.03], 0.95)[1][0] == pytest.approx(_spiegelhalter_by_hand(0.03, 0.975))
    assert _spiegelhalter_by_hand(0.03, 0.975) > 1
    frame = pd.DataFrame(
        {"unit": ["none", "one", "big"], "count": [0, 1, 10000], "population": [1, 1, 999998]}
    )
    out = funnel(frame, target_rate=10.0)  # E = 0.01 for the two tiny units
    assert out["upper_95"].iloc[0] == 10.0  # 99.8%: E = 0.01 is above its switch (0.0010)
    assert out["position_95"].tolist()[:2] == ["within", "above"]
    curve = funnel_curve(10.0, [1, 2, 5, 100, 10_000])
    assert (curve["upper_95"] >= 10.0).all() and (curve["upper_99_8"] >= 10.0).all()


def test_a_unit_with_no_population_is_refused_by_name():
    frame = pd.DataFrame({"unit": ["A", "Nowhere"], "count": [3, 4], "population": [10, 0]})
    with pytest.raises(ValueError, match="no population for Nowhere"):
        funnel(frame)


def test_docstring_examples_run():
    result = doctest.testmod(funnel_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
