"""Emerging hot-spots: Mann-Kendall against hand-worked cases and SciPy, and every pattern."""

import numpy as np
import pytest
from scipy import stats

from cdrp.analysis.emerging import classify_emerging, emerging_hotspots, mann_kendall
from cdrp.analysis.weights import Grid, grid_queen


def test_mann_kendall_hand_worked():
    # 1 3 2 5 4: 8 increasing pairs, 2 decreasing -> S = 6; Var = 5*4*15/18 = 16.667;
    # Z = (6 - 1) / 4.0825 = 1.2247; p = 2 * (1 - Phi(1.2247)) = 0.2207.
    r = mann_kendall([1, 3, 2, 5, 4]).iloc[0]
    assert r.s == 6
    assert r["var"] == pytest.approx(300 / 18)
    assert r.z == pytest.approx(5 / np.sqrt(300 / 18))
    assert r.p == pytest.approx(0.2207, abs=1e-4)


def test_mann_kendall_ties_hand_worked():
    # 1 1 2 3: S = 0 + 1 + 1 + 1 + 1 + 1 = 5; one pair of ties:
    # Var = (4*3*13 - 2*1*9) / 18 = 138 / 18.
    r = mann_kendall([1, 1, 2, 3]).iloc[0]
    assert (r.s, r["var"]) == (5, pytest.approx(138 / 18))


def test_mann_kendall_without_continuity_equals_scipy_kendalltau():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 6, (40, 12)).astype(float)  # many ties
    x[5, 3] = np.nan
    ours = mann_kendall(x, continuity=False)
    for k, row in enumerate(x):
        keep = ~np.isnan(row)
        ref = stats.kendalltau(np.arange(12)[keep], row[keep], method="asymptotic")
        if np.isnan(ref.pvalue):
            continue
        assert ours.p[k] == pytest.approx(ref.pvalue, rel=1e-9)


def steps(*units):
    """z-scores (steps x units) from one list per unit; hot/cold where |z| > 2."""
    z = np.array(units, dtype=float).T
    return z, np.where(np.abs(z) > 2, 0.01, 0.5)


PATTERNS = {
    "intensifying hot spot": np.linspace(2.5, 5, 10),
    "persistent hot spot": [3, 3.5] * 5,
    "diminishing hot spot": np.linspace(5, 2.5, 10),
    "historical hot spot": [3] * 9 + [0.5],
    "new hot spot": [0.5] * 9 + [3],
    "consecutive hot spot": [0.5] * 7 + [3, 3, 3],
    "sporadic hot spot": [0.5, 0.5, 3, 0.5, 0.5, 3, 0.5, 0.5, 0.5, 3],
    "oscillating hot spot": [0.5, -3, 0.5, 0.5, 0.5, 3, 0.5, 0.5, 0.5, 3],
    "new cold spot": [-0.5] * 9 + [-3],
    "intensifying cold spot": np.linspace(-2.5, -5, 10),
    "no pattern detected": [0.5, 3, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
}


def test_every_pattern_from_a_constructed_history():
    z, p = steps(*PATTERNS.values())
    out = classify_emerging(z, p, window=10, index=list(PATTERNS))
    assert out.pattern.to_dict() == {k: k for k in PATTERNS}
    assert out.loc["persistent hot spot", "trend_p"] > 0.05
    assert out.loc["intensifying hot spot", "hot_steps"] == 10
    assert out.loc["oscillating hot spot", "cold_steps"] == 1


def test_the_share_and_window_are_parameters():
    z, p = steps([0.5] * 2 + [3] * 8)  # hot 8 of 10 steps, one unbroken run
    assert classify_emerging(z, p, window=10).pattern[0] == "consecutive hot spot"
    assert classify_emerging(z, p, window=10, share=0.8).pattern[0] == "persistent hot spot"
    assert classify_emerging(z, p, window=8).pattern[0] == "persistent hot spot"


def test_a_window_longer_than_the_data_is_refused():
    z, p = steps([3] * 6)
    with pytest.raises(ValueError, match="window of 12 months is longer than the data .6 months"):
        classify_emerging(z, p, window=12)
    with pytest.raises(ValueError, match="longer than the data"):
        emerging_hotspots(np.ones((6, 9)), grid_queen(Grid(0, 0, 1, 3, 3)), window=12)


def test_gi_star_over_months_finds_a_cluster_that_appears():
    rng = np.random.default_rng(2)
    counts = rng.poisson(1.0, (12, 400)).astype(float)
    cluster = [190, 191, 210, 211]
    counts[-4:, cluster] += 15
    grid = grid_queen(Grid(0, 0, 1, 20, 20))
    out = emerging_hotspots(counts, grid, window=12, permutations=0, basis="normal")
    assert set(out.loc[cluster, "pattern"]) == {"consecutive hot spot"}
    assert (out.pattern == "no pattern detected").mean() > 0.8
    # With permutation p-values and no FDR the cluster is found too.
    perm = emerging_hotspots(counts, grid, window=12, fdr=False, alpha=0.01)
    assert perm.loc[cluster, "pattern"].str.endswith("hot spot").all()


def test_an_empty_month_is_named_in_the_error():
    counts = np.ones((4, 9))
    counts[:, 0] = 3
    counts[2] = 0
    with pytest.raises(ValueError, match="time step 2022-09: all 9 units have zero records"):
        emerging_hotspots(
            counts,
            grid_queen(Grid(0, 0, 1, 3, 3)),
            window=4,
            steps=["2022-07", "2022-08", "2022-09", "2022-10"],
            permutations=9,
        )
