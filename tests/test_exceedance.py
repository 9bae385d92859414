"""Exceedance alerts (seasonal Poisson limit) and repeat locations, against hand-worked cases."""

import math

import numpy as np
import pandas as pd
import pytest

from cdrp.analysis.exceedance import exceedances
from cdrp.analysis.repeats import repeat_locations


def frame(rows):
    return pd.DataFrame(rows, columns=["area", "category", "month", "count"])


def flat_year(area="A", category="Burglary", level=4, target=12):
    rows = [(area, category, f"2022-{m:02d}", level) for m in range(1, 12)]
    rows += [(area, category, "2021-12", level), (area, category, "2022-12", target)]
    return rows


def test_hand_worked_alert_with_a_flat_baseline():
    # Baseline Dec-2021..Nov-2022: 4 a month, no earlier year, so expected = 4.
    # Poisson(4): P(X <= 8) = 0.9786, P(X <= 9) = 0.9919, so the 99% upper limit is 9.
    # Observed 12: excess 8 over expected, 3 over the limit; p = P(X >= 12) = 0.000915.
    out = exceedances(frame(flat_year()), "2022-12")
    assert len(out) == 1
    row = out.iloc[0]
    assert (row.expected, row.upper_limit, row.excess, row.excess_over_limit) == (4, 9, 8, 3)
    assert row.ratio == 3
    p = 1 - sum(math.exp(-4) * 4**k / math.factorial(k) for k in range(12))
    assert row.p_value == pytest.approx(p)
    assert row.p_value == pytest.approx(0.000915, abs=1e-6)
    assert row.seasonal_years_used == 0


def test_nine_is_within_the_limit_and_small_counts_never_alert():
    assert exceedances(frame(flat_year(target=9)), "2022-12").empty
    everything = exceedances(frame(flat_year(target=9)), "2022-12", only_alerts=False)
    assert everything.alert.tolist() == [False]
    # Baseline 0.5 a month: 4 records exceed the limit (2) but are below min_count (5).
    rows = [("A", "Robbery", f"2022-{m:02d}", m % 2) for m in range(1, 12)]
    rows += [("A", "Robbery", "2021-12", 1), ("A", "Robbery", "2022-12", 4)]
    assert exceedances(frame(rows), "2022-12").empty
    assert not exceedances(frame(rows), "2022-12", min_count=1).empty


def test_a_missing_month_is_left_out_of_the_baseline_not_counted_as_zero():
    rows = [r for r in flat_year(level=6, target=14) if r[2] != "2022-06"]
    # Without June the baseline is 11 months of 6: expected 6 (as zero it would be 5.5).
    out = exceedances(frame(rows), "2022-12", only_alerts=False)
    assert out.baseline_mean.iloc[0] == 6
    covered = [f"2022-{m:02d}" for m in range(1, 13)] + ["2021-12"]
    as_zero = exceedances(frame(rows), "2022-12", only_alerts=False, months_covered=covered)
    assert as_zero.baseline_mean.iloc[0] == 5.5


def test_seasonal_factor_from_earlier_years():
    # Three years of 10 a month with December at 20, in two areas of one category.
    rows = []
    for area in ("A", "B"):
        for p in pd.period_range("2019-12", "2022-11", freq="M"):
            rows.append((area, "ASB", str(p), 20 if p.month == 12 else 10))
        rows.append((area, "ASB", "2022-12", 20 if area == "A" else 40))
    out = exceedances(frame(rows), "2022-12", only_alerts=False).set_index("area").sort_index()
    # Dec-2021 against Dec-2020..Nov-2021 (one December of 20, eleven months of 10):
    # 20 / (130 / 12) = 1.84615; Dec-2020 against Dec-2019..Nov-2020 gives the same.
    assert out.seasonal_factor.tolist() == pytest.approx([240 / 130] * 2)
    assert out.seasonal_years_used.tolist() == [2, 2]
    # Expected for Dec-2022 = (130 / 12) * (240 / 130) = 20: A is as expected, B is not.
    assert out.expected.tolist() == pytest.approx([20, 20])
    assert out.alert.tolist() == [False, True]
    assert out.loc["B", "excess"] == pytest.approx(20)


def test_alerts_are_listed_largest_excess_first():
    rows = flat_year("A", target=12) + flat_year("B", target=20) + flat_year("C", target=4)
    out = exceedances(frame(rows), "2022-12")
    assert out.area.tolist() == ["B", "A"]
    assert out.excess.tolist() == [16, 8]


@pytest.mark.parametrize(
    "rows, month, kwargs, message",
    [
        ([], "2022-12", {}, "counts table is empty"),
        (flat_year(), "2023-01", {}, "no data for 2023-01: the data covers 2021-12 to 2022-12"),
        (flat_year(), "2022-03", {}, "has data for 3 months; at least 6 are needed"),
        (flat_year(), "2022-12", {"alpha": 1.5}, "alpha must be between 0 and 1"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(rows, month, kwargs, message):
    with pytest.raises(ValueError, match=message):
        exceedances(frame(rows), month, **kwargs)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"missing \['count'\]"):
        exceedances(pd.DataFrame({"area": [1], "category": [1], "month": ["2022-01"]}), "2022-01")


# Repeat locations


def records():
    places = ["Shop"] * 6 + ["Station"] * 3 + ["Park"] * 3 + ["Lane"] + [None] * 2
    months = ["2022-10"] * 4 + ["2022-11"] * 11
    return pd.DataFrame({"place": places, "month": months})


def test_repeat_locations_rank_places_and_give_their_share():
    out = repeat_locations(records(), "place", top=3)
    # 15 records (2 with no location): Shop 6/15, then Park and Station 3/15 each.
    assert out.place.tolist() == ["Shop", "Park", "Station"]
    assert out.records.tolist() == [6, 3, 3]
    assert out["rank"].tolist() == [1, 2, 2]
    assert out.share.tolist() == pytest.approx([0.4, 0.2, 0.2])
    assert out.cumulative_share.tolist() == pytest.approx([0.4, 0.6, 0.8])
    assert (out.attrs["total"], out.attrs["places"]) == (15, 4)


def test_repeat_locations_over_a_window_and_with_a_composite_key():
    out = repeat_locations(records(), "place", start="2022-11", end="2022-11", top=1)
    # November: 11 records; Park and Station 3 each (ties in name order), Shop 2.
    assert out.iloc[0].tolist() == ["Park", 3, 3 / 11, 3 / 11, 1]
    df = records().assign(x=np.arange(15) % 2)
    out = repeat_locations(df, ["place", "x"], top=1)
    assert out.iloc[0][["place", "x", "records"]].tolist() == ["Shop", 0, 3]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"start": "2022-01"}, "longer than the data, which covers 2022-10 to 2022-11"),
        ({"start": "2022-11", "end": "2022-10"}, "starts .* after it ends"),
        ({"top": 0}, "top must be at least 1"),
    ],
)
def test_repeat_locations_refuse_bad_windows(kwargs, message):
    with pytest.raises(ValueError, match=message):
        repeat_locations(records(), "place", **kwargs)


def test_repeat_locations_refuse_an_empty_period_and_an_unknown_key():
    with pytest.raises(ValueError, match="no records in the window"):
        repeat_locations(records().iloc[:0], "place")
    with pytest.raises(ValueError, match="no column 'street'"):
        repeat_locations(records(), "street")


def test_fdr_keeps_chance_alerts_rare_among_many_cells():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(4)
    rows = []
    for area in range(300):
        for p in pd.period_range("2021-12", "2022-11", freq="M"):
            rows.append((f"A{area}", "ASB", str(p), rng.poisson(8)))
        rows.append((f"A{area}", "ASB", "2022-12", rng.poisson(8) + (30 if area < 3 else 0)))
    df = frame(rows)
    everything = exceedances(df, "2022-12", only_alerts=False)
    np.testing.assert_allclose(
        everything.q_value, multipletests(everything.p_value, method="fdr_bh")[1]
    )
    plain = exceedances(df, "2022-12")
    strict = exceedances(df, "2022-12", fdr=True)
    assert set(strict.area) == {"A0", "A1", "A2"}
    assert set(strict.area) < set(plain.area)
