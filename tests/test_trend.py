"""Trend and seasonality: missing months stay missing, rolling totals, STL where allowed."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.seasonal import STL

from cdrp.analysis import trend
from cdrp.analysis.trend import (
    consecutive_runs,
    monthly_series,
    rolling_total,
    same_period_last_year,
    stl_decompose,
    year_totals,
)

DEMO_MISSING = {"2020-06", "2020-08", "2020-09"}
DEMO_MONTHS = [
    str(m) for m in pd.period_range("2019-12", "2022-11", freq="M") if str(m) not in DEMO_MISSING
]


def _demo_like(seed=1):
    rng = np.random.default_rng(seed)
    months = pd.period_range("2019-12", "2022-11", freq="M")
    seasonal = 100 + 20 * np.sin(2 * np.pi * months.month.to_numpy() / 12)
    rows = [
        {"month": str(m), "count": int(rng.poisson(s))}
        for m, s in zip(months, seasonal, strict=True)
        if str(m) not in DEMO_MISSING
    ]
    return pd.DataFrame(rows)


def test_missing_months_are_nan_and_covered_empty_months_are_zero():
    frame = pd.DataFrame({"month": ["2020-05", "2020-05"], "count": [3, 4]})
    s = monthly_series(frame, ["2020-05", "2020-07"], start="2020-05", end="2020-07")
    assert s.iloc[0] == 7
    assert np.isnan(s.iloc[1])  # 2020-06 has no data file
    assert s.iloc[2] == 0  # 2020-07 is covered and had no records


def test_rolling_totals_are_nan_whenever_the_window_touches_a_missing_month():
    s = monthly_series(_demo_like(), DEMO_MONTHS)
    totals = rolling_total(s)
    # Windows ending 2020-11 .. 2021-08 include 2020-08 or 2020-09; 2021-09 is the first clean one.
    assert totals.loc[pd.Period("2021-08", "M")] != totals.loc[pd.Period("2021-08", "M")]
    clean = totals.loc[pd.Period("2021-09", "M")]
    assert clean == s.loc[pd.Period("2020-10", "M") : pd.Period("2021-09", "M")].sum()
    assert totals.loc[pd.Period("2022-11", "M")] == s.iloc[-12:].sum()
    assert totals.notna().sum() == 15  # 2021-09 .. 2022-11


def test_same_period_last_year_lines_up_months_and_keeps_gaps():
    s = monthly_series(_demo_like(), DEMO_MONTHS)
    out = same_period_last_year(s)
    nov = out.loc[pd.Period("2022-11", "M")]
    assert nov["last_year"] == s.loc[pd.Period("2021-11", "M")]
    assert nov["difference"] == nov["count"] - nov["last_year"]
    assert np.isnan(out.loc[pd.Period("2021-06", "M"), "last_year"])  # 2020-06 missing


def test_stl_is_refused_with_a_reason_on_the_demo_months():
    s = monthly_series(_demo_like(), DEMO_MONTHS)
    result = stl_decompose(s)
    assert not result.available and result.components is None
    assert "the longest run is 26 months (2020-10..2022-11)" in result.reason
    assert "no data for 2020-06, 2020-08, 2020-09" in result.reason


def test_stl_runs_on_the_latest_36_consecutive_months_and_matches_statsmodels():
    months = [str(m) for m in pd.period_range("2018-01", "2022-12", freq="M")]
    months.remove("2019-03")
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"month": months, "count": rng.poisson(50, len(months))})
    s = monthly_series(frame, months)
    result = stl_decompose(s)
    assert result.available
    assert result.reason == "decomposed 45 consecutive months (2019-04..2022-12)"
    expected = STL(s.loc[pd.Period("2019-04", "M") :].to_numpy(), period=12, robust=True).fit()
    np.testing.assert_allclose(result.components["trend"], expected.trend)
    np.testing.assert_allclose(result.components["seasonal"], expected.seasonal)
    comp = result.components
    np.testing.assert_allclose(comp["trend"] + comp["seasonal"] + comp["resid"], comp["observed"])


def test_runs_of_consecutive_months_are_listed_in_order():
    s = monthly_series(_demo_like(), DEMO_MONTHS)
    runs = [(str(a), str(b), n) for a, b, n in consecutive_runs(s)]
    assert runs == [
        ("2019-12", "2020-05", 6),
        ("2020-07", "2020-07", 1),
        ("2020-10", "2022-11", 26),
    ]


def test_counts_for_a_month_without_data_are_refused():
    frame = pd.DataFrame({"month": ["2020-06"], "count": [1]})
    with pytest.raises(ValueError, match="not in covered_months: 2020-06"):
        monthly_series(frame, DEMO_MONTHS)


def test_three_year_totals_flag_the_year_with_missing_months():
    s = monthly_series(_demo_like(), DEMO_MONTHS)
    out = year_totals(s, "2022-11")
    assert out["first"].tolist() == ["2019-12", "2020-12", "2021-12"]
    assert np.isnan(out.loc[0, "total"])
    assert out.loc[0, "missing_months"] == "2020-06, 2020-08, 2020-09"
    assert out.loc[0, "months_with_data"] == 9
    assert out.loc[2, "total"] == s.iloc[-12:].sum()


def test_docstring_examples_run():
    result = doctest.testmod(trend, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
