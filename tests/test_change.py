"""Change between periods: agreement with statsmodels, a p-value and interval that always agree,
verdicts and missing months."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.rates import test_poisson_2indep as sm_test_poisson_2indep

from cdrp.analysis import change
from cdrp.analysis.change import (
    compare_counts,
    compare_periods,
    poisson_conditional_test,
    rate_ratio_interval,
)

# statsmodels divides by a zero baseline rate when it reports the ratio; the p-value is unaffected.
pytestmark = pytest.mark.filterwarnings("ignore:divide by zero encountered:RuntimeWarning")

DEMO_MONTHS = [
    str(m)
    for m in pd.period_range("2019-12", "2022-11", freq="M")
    if str(m) not in {"2020-06", "2020-08", "2020-09"}
]


def _random_cases(seed: int, size: int):
    rng = np.random.default_rng(seed)
    # Small and large counts, equal and unequal exposures (months, person-months).
    scale = rng.choice([1, 5, 50, 500, 5000], size=size)
    c1 = rng.poisson(scale * rng.uniform(0.2, 2.0, size))
    c2 = rng.poisson(scale * rng.uniform(0.2, 2.0, size))
    e1 = rng.choice([12.0, 6.0, 11.0, 118216.0 * 12], size=size) * rng.choice([1, 1, 1.37], size)
    e2 = rng.choice([12.0, 6.0, 9.0, 117000.0 * 12], size=size)
    keep = (c1 + c2) > 0  # statsmodels raises on a pair of zeros
    return c1[keep], e1[keep], c2[keep], e2[keep]


def _statsmodels(c1, e1, c2, e2, alternative="two-sided"):
    return sm_test_poisson_2indep(c1, e1, c2, e2, method="exact-cond", alternative=alternative)


def _central_by_statsmodels(c1, e1, c2, e2):
    """Twice the smaller of statsmodels' one-sided exact conditional p-values, at most 1."""
    one_sided = [_statsmodels(c1, e1, c2, e2, side).pvalue for side in ("larger", "smaller")]
    return min(1.0, 2 * min(one_sided))


@pytest.mark.parametrize("alternative", ["larger", "smaller"])
def test_one_sided_p_values_agree_with_statsmodels_exact_conditional_test_to_1e_9(alternative):
    c1, e1, c2, e2 = _random_cases(seed=20221130, size=600)
    ours = poisson_conditional_test(c1, e1, c2, e2, alternative=alternative)
    theirs = np.array(
        [_statsmodels(*case, alternative).pvalue for case in zip(c1, e1, c2, e2, strict=True)]
    )
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


def test_the_two_sided_p_value_is_twice_the_smaller_one_sided_statsmodels_p_value():
    c1, e1, c2, e2 = _random_cases(seed=20221130, size=600)
    ours = poisson_conditional_test(c1, e1, c2, e2)
    theirs = [_central_by_statsmodels(*case) for case in zip(c1, e1, c2, e2, strict=True)]
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


def test_the_minimum_likelihood_p_value_is_statsmodels_two_sided_exact_conditional_one():
    c1, e1, c2, e2 = _random_cases(seed=20221130, size=600)
    ours = poisson_conditional_test(c1, e1, c2, e2, method="minlike")
    theirs = [_statsmodels(*case).pvalue for case in zip(c1, e1, c2, e2, strict=True)]
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    with pytest.raises(ValueError, match="method must be 'central' or 'minlike'"):
        poisson_conditional_test(1, 1, 2, 1, method="blaker")


def test_p_values_agree_with_statsmodels_when_the_count_sits_at_the_mode_or_at_ties():
    # Equal exposures and symmetric counts are the cases where SciPy's tie rule matters; with
    # equal exposures the central and minimum-likelihood p-values are the same.
    cases = [(10, 12, 10, 12), (0, 12, 7, 12), (7, 12, 0, 12), (1, 1, 2, 2), (3, 6, 3, 6)]
    cases += [(k, 12, 40 - k, 12) for k in range(41)]
    c1, e1, c2, e2 = (np.array(x, dtype=float) for x in zip(*cases, strict=True))
    theirs = [_statsmodels(*case).pvalue for case in cases]
    np.testing.assert_allclose(poisson_conditional_test(c1, e1, c2, e2), theirs, atol=1e-9)
    np.testing.assert_allclose(
        poisson_conditional_test(c1, e1, c2, e2, method="minlike"), theirs, atol=1e-9
    )


def test_a_pair_of_zero_counts_has_nothing_to_test():
    assert poisson_conditional_test([0], 12, [0], 12)[0] == 1.0
    assert poisson_conditional_test(0, 12, 0, 12) == 1.0
    out = compare_counts([0], 12, [0], 12)
    assert out.loc[0, "verdict"] == "no records in either period"
    assert np.isnan(out.loc[0, "rate_ratio"])


def test_rate_ratio_interval_maps_the_clopper_pearson_interval_of_the_binomial_split():
    c1, e1, c2, e2 = _random_cases(seed=7, size=200)
    ratio, lower, upper = rate_ratio_interval(c1, e1, c2, e2)
    for i in range(len(c1)):
        ci = stats.binomtest(int(c1[i]), int(c1[i] + c2[i])).proportion_ci(0.95, "exact")
        scale = e2[i] / e1[i]
        expected_low = ci.low / (1 - ci.low) * scale
        expected_high = np.inf if ci.high == 1 else ci.high / (1 - ci.high) * scale
        assert lower[i] == pytest.approx(expected_low, rel=1e-9, abs=1e-12)
        assert upper[i] == pytest.approx(expected_high, rel=1e-9)
        with np.errstate(divide="ignore"):
            assert ratio[i] == pytest.approx((c1[i] / e1[i]) / (c2[i] / e2[i]))


def test_the_audit_case_is_not_significant_and_its_interval_includes_one():
    # 0 records in 12 months against 3 in 6. Given 3 records in all, the current window's
    # share is Binomial(3, 12/18) under equal rates: P(0) = (1/3)^3 = 1/27, so p = 2/27
    # = 0.0741 (the minimum-likelihood p-value was 1/27 = 0.037, "significant"). The upper
    # Clopper-Pearson limit solves (1 - q)^3 = 0.025: q = 1 - 0.025^(1/3) = 0.70760, a ratio of
    # q / (1 - q) x 6 / 12 = 1.20998.
    out = compare_counts([0], 12, [3], 6).iloc[0]
    assert out["p_value"] == pytest.approx(2 / 27, rel=1e-12)
    q = 1 - 0.025 ** (1 / 3)
    assert out["ratio_upper"] == pytest.approx(q / (1 - q) * 6 / 12, rel=1e-9)
    assert out["ratio_lower"] == 0 and out["ratio_upper"] > 1
    assert out["verdict"] == "no significant change"


def test_over_a_grid_of_counts_and_windows_p_below_5_percent_iff_the_interval_excludes_one():
    # Every pair of counts 0-59 in windows of 1, 3, 6, 9 or 12 months: 89,975 comparisons.
    counts, months = np.arange(60), np.array([1, 3, 6, 9, 12.0])
    c1, c2, e1, e2 = (a.ravel() for a in np.meshgrid(counts, counts, months, months, indexing="ij"))
    some = (c1 + c2) > 0
    c1, c2, e1, e2 = c1[some], c2[some], e1[some], e2[some]
    ratio, lower, upper = rate_ratio_interval(c1, e1, c2, e2)
    p = poisson_conditional_test(c1, e1, c2, e2)
    excludes_one = (lower > 1) | (upper < 1)
    assert excludes_one.sum() > 60_000 and (~excludes_one).sum() > 25_000
    assert np.array_equal(p < 0.05, excludes_one)
    # The verdicts say the same.
    out = compare_counts(c1, e1, c2, e2)
    significant = out["verdict"].str.startswith("significant").to_numpy()
    assert np.array_equal(significant, excludes_one)
    # The minimum-likelihood p-value (statsmodels' two-sided exact-cond) does not agree.
    minlike = poisson_conditional_test(c1, e1, c2, e2, method="minlike")
    assert (minlike < 0.05).sum() > (p < 0.05).sum()


def test_verdicts_read_as_plain_english():
    out = compare_counts([200, 40, 60], 12, [100, 80, 62], 12)
    assert list(out["verdict"]) == [
        "significant increase",
        "significant decrease",
        "no significant change",
    ]


def _monthly(categories=("Burglary", "Drugs"), start="2019-12", end="2022-11", seed=3):
    rng = np.random.default_rng(seed)
    rows = []
    for month in DEMO_MONTHS:
        for i, cat in enumerate(categories):
            rows.append({"month": month, "category": cat, "count": int(rng.poisson(30 + 20 * i))})
    return pd.DataFrame(rows)


def test_twelve_months_against_the_previous_twelve_sums_the_right_months_per_category():
    frame = _monthly()
    out = compare_periods(frame, end="2022-11", covered_months=DEMO_MONTHS)
    for cat in ("Burglary", "Drugs"):
        sub = frame[frame.category == cat]
        cur = sub[(sub.month >= "2021-12") & (sub.month <= "2022-11")]["count"].sum()
        base = sub[(sub.month >= "2020-12") & (sub.month <= "2021-11")]["count"].sum()
        row = out.set_index("category").loc[cat]
        assert (row["current"], row["baseline"]) == (cur, base)
        expected = _central_by_statsmodels(cur, 12, base, 12)
        assert row["p_value"] == pytest.approx(expected, abs=1e-9)
    assert set(out["current_months"]) == {"2021-12..2022-11"}
    assert set(out["baseline_months"]) == {"2020-12..2021-11"}


def test_six_months_against_the_same_months_a_year_before():
    out = compare_periods(
        _monthly(), end="2022-11", months=6, baseline="year_before", covered_months=DEMO_MONTHS
    )
    assert set(out["baseline_months"]) == {"2021-06..2021-11"}


def test_a_comparison_over_a_missing_month_is_refused_with_the_months_named():
    with pytest.raises(ValueError, match="no data for 2020-06, 2020-08, 2020-09"):
        compare_periods(_monthly(), end="2021-11", covered_months=DEMO_MONTHS)


def test_a_flagged_comparison_uses_covered_months_only_and_says_it_is_not_comparable():
    frame = _monthly()
    out = compare_periods(frame, end="2021-11", covered_months=DEMO_MONTHS, on_missing="flag")
    assert set(out["verdict"]) == {"not comparable: months missing"}
    assert set(out["missing_months"]) == {"2020-06, 2020-08, 2020-09"}
    row = out.set_index("category").loc["Burglary"]
    sub = frame[frame.category == "Burglary"]
    base = sub[(sub.month >= "2019-12") & (sub.month <= "2020-11")]["count"].sum()
    cur = sub[(sub.month >= "2020-12") & (sub.month <= "2021-11")]["count"].sum()
    # 9 covered baseline months against 12 current months.
    expected = _central_by_statsmodels(cur, 12, base, 9)
    assert row["p_value"] == pytest.approx(expected, abs=1e-9)


def test_a_period_with_no_data_is_refused():
    with pytest.raises(ValueError, match="there is no data for 2023-01..2023-12"):
        compare_periods(_monthly(), end="2023-12", covered_months=DEMO_MONTHS)


def test_a_category_with_no_records_in_the_baseline_counts_zero_not_missing():
    frame = pd.DataFrame({"month": ["2022-11"], "category": ["Robbery"], "count": [5]})
    out = compare_periods(frame, end="2022-11", months=1, covered_months=["2022-10", "2022-11"])
    assert out.loc[0, "baseline"] == 0
    assert np.isinf(out.loc[0, "rate_ratio"])


def test_counts_outside_the_covered_months_are_refused():
    frame = pd.DataFrame({"month": ["2020-06"], "category": ["Drugs"], "count": [1]})
    with pytest.raises(ValueError, match="not in covered_months: 2020-06"):
        compare_periods(frame, end="2022-11", covered_months=DEMO_MONTHS)


def test_negative_or_missing_counts_are_refused():
    with pytest.raises(ValueError, match="whole numbers"):
        compare_counts([-1], 12, [3], 12)
    with pytest.raises(ValueError, match="missing value"):
        compare_counts([np.nan], 12, [3], 12)
    with pytest.raises(ValueError, match="greater than zero"):
        compare_counts([1], 0, [3], 12)


def test_docstring_examples_run():
    result = doctest.testmod(change, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 3000),
    st.integers(0, 3000),
    st.floats(0.5, 1e6, allow_nan=False),
    st.floats(0.5, 1e6, allow_nan=False),
)
def test_p_values_agree_with_statsmodels_for_generated_pairs(c1, c2, e1, e2):
    if c1 + c2 == 0:
        assert poisson_conditional_test(c1, e1, c2, e2) == 1.0
        return
    ours = poisson_conditional_test(c1, e1, c2, e2)
    assert 0 <= ours <= 1
    assert abs(ours - _central_by_statsmodels(c1, e1, c2, e2)) <= 1e-9
    minlike = poisson_conditional_test(c1, e1, c2, e2, method="minlike")
    assert abs(minlike - _statsmodels(c1, e1, c2, e2).pvalue) <= 1e-9
