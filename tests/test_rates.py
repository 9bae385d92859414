"""Rates per 1,000 residents with exact Poisson intervals."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.rates import confint_poisson

from cdrp.analysis import rates as rates_module
from cdrp.analysis.rates import garwood_interval, rates


def test_garwood_limits_agree_with_statsmodels_exact_c_interval():
    counts = np.array([0, 1, 2, 5, 17, 150, 11007])
    lower, upper = garwood_interval(counts)
    ref_low, ref_high = confint_poisson(counts, np.ones(len(counts)), method="exact-c")
    np.testing.assert_allclose(lower, ref_low, rtol=1e-12)
    np.testing.assert_allclose(upper, ref_high, rtol=1e-12)


def test_garwood_limits_for_a_count_of_one_match_the_published_table():
    # Garwood (1936) / standard tables: k = 1 gives (0.0253, 5.5716) at 95%.
    lower, upper = garwood_interval([1])
    assert lower[0] == pytest.approx(0.0253, abs=1e-4)
    assert upper[0] == pytest.approx(5.5716, abs=1e-4)


def test_rate_per_thousand_scales_the_count_and_its_interval():
    frame = pd.DataFrame({"area": ["A", "B"], "count": [50, 0], "population": [2500, 400]})
    out = rates(frame, area="area")
    assert out["rate"].tolist() == [20.0, 0.0]
    low, high = garwood_interval([50, 0])
    np.testing.assert_allclose(out["rate_lower"], low * 1000 / [2500, 400])
    np.testing.assert_allclose(out["rate_upper"], high * 1000 / [2500, 400])
    assert out.loc[1, "rate_upper"] == pytest.approx(3.6889 * 1000 / 400, rel=1e-4)


def test_a_district_with_no_population_is_refused_by_name():
    frame = pd.DataFrame(
        {"district": ["Chorley", "Nowhere"], "count": [10, 3], "population": [118000, np.nan]}
    )
    with pytest.raises(ValueError, match="no population for 1 row.*Nowhere"):
        rates(frame, area="district")
    frame.loc[1, "population"] = 0
    with pytest.raises(ValueError, match="Nowhere"):
        rates(frame, area="district")


def test_a_missing_count_is_refused_not_treated_as_zero():
    frame = pd.DataFrame({"district": ["Wyre"], "count": [np.nan], "population": [100]})
    with pytest.raises(ValueError, match="missing or negative count for: Wyre"):
        rates(frame, area="district")


def test_docstring_examples_run():
    result = doctest.testmod(rates_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
