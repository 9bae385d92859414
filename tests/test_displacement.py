"""Displacement: WDQ (Bowers & Johnson 2003) and WDD (Wheeler & Ratcliffe 2018), hand-worked."""

import math

import numpy as np
import pytest

from cdrp.analysis.displacement import wdd, wdq


def test_wdq_hand_worked_example():
    # Target 100 -> 60, buffer 50 -> 45, control 1000 -> 800.
    # SM  = 60/800 - 100/1000 = 0.075 - 0.1   = -0.025 (the target improved)
    # BDM = 45/800 - 50/1000  = 0.05625 - 0.05 = 0.00625 (the buffer got relatively worse)
    # WDQ = 0.00625 / -0.025 = -0.25: displacement, smaller than the direct benefit.
    # TNE = (100 * 800/1000 - 60) + (50 * 800/1000 - 45) = 20 - 5 = 15 crimes saved.
    r = wdq(target=(100, 60), buffer=(50, 45), control=(1000, 800))
    assert r.success_measure == pytest.approx(-0.025)
    assert r.buffer_displacement_measure == pytest.approx(0.00625)
    assert r.wdq == pytest.approx(-0.25)
    assert r.total_net_effect == pytest.approx(15)
    assert r.reading == "displacement, smaller than the direct benefit"


@pytest.mark.parametrize(
    "buffer, wdq_value, reading",
    [
        # Control flat (100 -> 100), target 50 -> 30: SM = -0.2; BDM = (b1 - b0) / 100.
        ((40, 10), 1.5, "diffusion of benefit, larger than the direct benefit"),
        ((40, 30), 0.5, "diffusion of benefit"),
        ((40, 40), 0.0, "no displacement or diffusion"),
        ((40, 50), -0.5, "displacement, smaller than the direct benefit"),
        ((40, 70), -1.5, "displacement, larger than the direct benefit"),
    ],
)
def test_wdq_readings_follow_bowers_and_johnson(buffer, wdq_value, reading):
    r = wdq(target=(50, 30), buffer=buffer, control=(100, 100))
    assert r.wdq == pytest.approx(wdq_value)
    assert r.reading == reading


def test_wdq_is_undefined_when_the_target_did_not_improve():
    r = wdq(target=(50, 60), buffer=(40, 30), control=(100, 100))
    assert math.isnan(r.wdq)
    assert r.reading.startswith("no success")
    assert r.total_net_effect == pytest.approx(0)  # (50 - 60) + (40 - 30)


def test_wdd_hand_worked_example_with_separate_controls():
    # dT = 60 - 100 = -40, dCT = 180 - 200 = -20, dD = 45 - 50 = -5, dCD = 150 - 150 = 0
    # WDD = -40 - (-20) + (-5) - 0 = -25
    # Var = 100 + 60 + 200 + 180 + 50 + 45 + 150 + 150 = 935, se = 30.5778
    # z = -25 / 30.5778 = -0.81758, p = 2 * Phi(-0.81758) = 0.41360
    r = wdd(treated=(100, 60), control=(200, 180), buffer=(50, 45), buffer_control=(150, 150))
    assert r.wdd == -25
    assert r.variance == 935
    assert r.se == pytest.approx(30.5778, abs=1e-4)
    assert r.z == pytest.approx(-0.81758, abs=1e-5)
    assert r.p_value == pytest.approx(0.41360, abs=1e-5)
    assert (r.lower, r.upper) == pytest.approx((-25 - 1.959964 * r.se, -25 + 1.959964 * r.se))
    assert r.reading == "no significant net change"


def test_wdd_without_a_buffer_and_with_a_shared_control():
    # No buffer: WDD = (20 - 80) - (90 - 100) = -50, Var = 80 + 20 + 100 + 90 = 290.
    r = wdd(treated=(80, 20), control=(100, 90))
    assert (r.wdd, r.variance) == (-50, 290)
    assert r.z == pytest.approx(-50 / math.sqrt(290))
    assert r.reading == "significant net reduction"
    # Shared control: WDD = -60 + 10 + (35 - 30) + 10 = -35, Var = 100 + 65 + 4 * 190 = 925.
    r = wdd(treated=(80, 20), control=(100, 90), buffer=(30, 35))
    assert (r.wdd, r.variance) == (-35, 925)


def test_wdd_variance_matches_simulated_poisson_counts():
    rng = np.random.default_rng(1)
    means = dict(t=(60, 40), c=(90, 95), d=(30, 35), cd=(70, 65))
    draws = {k: (rng.poisson(a, 200_000), rng.poisson(b, 200_000)) for k, (a, b) in means.items()}
    values = (
        (draws["t"][1] - draws["t"][0])
        - (draws["c"][1] - draws["c"][0])
        + (draws["d"][1] - draws["d"][0])
        - (draws["cd"][1] - draws["cd"][0])
    )
    expected = wdd(means["t"], means["c"], means["d"], means["cd"])
    assert values.mean() == pytest.approx(expected.wdd, abs=0.2)
    assert values.var() == pytest.approx(expected.variance, rel=0.02)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: wdq((1, 2), (1, 2), (0, 5)), "control area needs records in both periods"),
        (lambda: wdq((1, 2, 3), (1, 2), (3, 5)), r"target must be a \(before, after\) pair"),
        (lambda: wdd((-1, 2), (1, 2)), "non-negative"),
        (lambda: wdd((0, 0), (0, 0)), "no records in any area"),
        (lambda: wdd((1, 2), (1, 2), buffer_control=(1, 1)), "without a buffer"),
    ],
)
def test_bad_counts_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def lancashire_districts():
    import json
    from pathlib import Path

    from shapely.geometry import shape

    from cdrp.analysis.weights import polygon_queen, project_to_bng

    demo = Path(__file__).resolve().parents[1] / "data" / "demo" / "crimemappingdata-lancashire"
    features = json.loads((demo / "lancashire_districts.geojson").read_text())["features"]
    names = [f["properties"]["district"] for f in features]
    geoms = project_to_bng([shape(f["geometry"]) for f in features])
    return names, polygon_queen(geoms, tolerance=50)


def district_counts(month):
    from pathlib import Path

    import pandas as pd

    demo = Path(__file__).resolve().parents[1] / "data" / "demo" / "police-uk-street-lancashire"
    df = pd.read_csv(
        demo / month / f"{month}-lancashire-street.csv.gz", usecols=["LSOA name"], dtype=str
    )
    # The LSOA name is the district name followed by a code such as "001A".
    return df["LSOA name"].dropna().str.rsplit(" ", n=1).str[0].value_counts()


def test_cross_border_view_for_chorley_on_the_demo_districts():
    from cdrp.analysis.displacement import cross_border

    names, adj = lancashire_districts()
    before = district_counts("2021-11").reindex(names, fill_value=0)
    after = district_counts("2022-11").reindex(names, fill_value=0)
    res = cross_border(adj, before, after, focus=[names.index("Chorley")], index=names)
    neighbours = ["Blackburn with Darwen", "South Ribble", "West Lancashire"]
    assert sorted(res.neighbours.district) == neighbours
    others = [n for n in names if n not in neighbours + ["Chorley"]]
    t = (before["Chorley"], after["Chorley"])
    b = (before[neighbours].sum(), after[neighbours].sum())
    c = (before[others].sum(), after[others].sum())
    assert res.wdd == wdd(t, c, buffer=b)
    assert res.wdq.success_measure == pytest.approx(t[1] / c[1] - t[0] / c[0])
    row = res.neighbours.set_index("district").loc["South Ribble"]
    assert row.change == after["South Ribble"] - before["South Ribble"]


def test_west_lancashire_borders_south_ribble_only_with_a_tolerance_for_generalised_lines():
    # The generalised boundaries leave a 20 m gap between the two: 50 m bridges it.
    names, adj = lancashire_districts()
    west = names.index("West Lancashire")
    assert sorted(names[j] for j in adj[west].indices) == ["Chorley", "South Ribble"]
    assert adj[west, names.index("Fylde")] == 0  # across the Ribble estuary


def test_cross_border_refuses_a_focus_with_no_neighbours_or_no_control():
    from cdrp.analysis.displacement import cross_border
    from cdrp.analysis.weights import Grid, grid_queen

    adj = grid_queen(Grid(0, 0, 1, 3, 1))
    with pytest.raises(ValueError, match="no district is left as a control"):
        cross_border(adj, [1, 2, 3], [1, 2, 3], focus=[1])
    lonely = grid_queen(Grid(0, 0, 1, 3, 1)).tolil()
    lonely[0, 1] = lonely[1, 0] = 0
    with pytest.raises(ValueError, match="no neighbouring district"):
        cross_border(lonely.tocsr(), [1, 2, 3], [1, 2, 3], focus=[0])
