"""Gi* hot-spots: z-scores equal esda's, permutation p-values agree with esda's, FDR and classes."""

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from esda import G_Local
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse, stats
from shapely.geometry import shape
from statsmodels.stats.multitest import multipletests

from cdrp.analysis.hotspots import (
    benjamini_hochberg,
    classify,
    draw_permutation_ids,
    gi_star,
    gi_star_z,
    permutation_counts,
)
from cdrp.analysis.weights import (
    Grid,
    GridTooLargeError,
    grid_distance_band,
    grid_queen,
    polygon_queen,
    project_to_bng,
    to_bng,
    to_libpysal,
)

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
R = 999


def esda_gi_star(y, adj, permutations=R, seed=7):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return G_Local(
            np.asarray(y, dtype=float),
            to_libpysal(adj),
            transform="B",
            star=True,
            permutations=permutations,
            seed=seed,
            n_jobs=1,
        )


def esda_ids(n, k, permutations, seed):
    """The positions esda's conditional randomisation draws (its non-numba path)."""
    rs = np.random.RandomState(seed)
    return np.array([rs.choice(n - 1, size=k, replace=False) for _ in range(permutations)])


def esda_directed_p(n_ge, permutations=R):
    return (np.minimum(n_ge, permutations - n_ge) + 1) / (permutations + 1)


@pytest.fixture(scope="module")
def lsoas():
    """All 941 Lancashire LSOAs (BNG) and their record counts in November 2022."""
    codes, geoms = [], []
    for path in sorted((DEMO / "uk-geojson-lsoa2011-lancashire").glob("*.json")):
        for f in json.loads(path.read_text())["features"]:
            codes.append(f["properties"]["LSOA11CD"])
            geoms.append(shape(f["geometry"]))
    month = DEMO / "police-uk-street-lancashire" / "2022-11" / "2022-11-lancashire-street.csv.gz"
    crimes = pd.read_csv(month, usecols=["LSOA code"], dtype=str)
    counts = crimes["LSOA code"].value_counts().reindex(codes, fill_value=0)
    adj = polygon_queen(project_to_bng(geoms))
    return codes, adj, counts.to_numpy(dtype=float)


def test_z_scores_equal_esda_on_a_small_fixed_grid():
    adj = grid_queen(Grid(0, 0, 1, 4, 4))
    y = [0, 0, 1, 0, 9, 8, 0, 7, 9, 3, 0, 0, 2, 0, 1, 1]
    np.testing.assert_allclose(gi_star_z(y, adj), esda_gi_star(y, adj, 0).Zs, rtol=0, atol=1e-9)


def test_z_scores_equal_esda_on_a_random_grid_with_a_distance_band():
    rng = np.random.default_rng(3)
    grid = Grid(0, 0, 250, 30, 20)
    adj = grid_distance_band(grid, 600)
    y = rng.negative_binomial(1, 0.3, grid.n_cells)
    ours = gi_star_z(y, adj)
    assert np.abs(ours).max() > 2
    np.testing.assert_allclose(ours, esda_gi_star(y, adj, 0).Zs, rtol=0, atol=1e-9)


def test_z_scores_equal_esda_on_the_demo_lsoas(lsoas):
    _, adj, y = lsoas
    assert adj.shape == (941, 941)
    assert np.diff(adj.indptr).min() >= 1, "every Lancashire LSOA has a neighbour"
    np.testing.assert_allclose(gi_star_z(y, adj), esda_gi_star(y, adj, 0).Zs, rtol=0, atol=1e-9)


def test_with_esdas_own_draws_the_permutation_counts_reproduce_esdas_p_values(lsoas):
    _, adj, y = lsoas
    k = int(np.diff(adj.indptr).max())
    ref = esda_gi_star(y, adj, seed=11)
    n_ge, n_le = permutation_counts(y, adj, esda_ids(len(y), k, R, seed=11))
    # esda stores p as float32, hence the tolerance.
    np.testing.assert_allclose(esda_directed_p(n_ge), ref.p_sim, rtol=0, atol=1e-6)
    sims = ref.rGs * y.sum()  # esda keeps the simulated totals: check the ≤ side too
    np.testing.assert_array_equal(n_le, (sims <= (ref.Gs * y.sum())[:, None] + 1e-9).sum(1))


def esda_two_sided_p(ref, y, permutations=R):
    """Our two-sided formula applied to esda's kept simulations."""
    sims = ref.rGs * np.sum(y)
    obs = (ref.Gs * np.sum(y))[:, None]
    ge = (sims >= obs - 1e-9).sum(1)
    le = (sims <= obs + 1e-9).sum(1)
    return np.minimum(1, 2 * (1 + np.minimum(ge, le)) / (permutations + 1))


def test_permutation_p_values_agree_with_esda_within_monte_carlo_error():
    # Independent draws: each two-sided p estimates 2 min(P(sim >= obs), P(sim <= obs)); the
    # gap between two independent estimates has sd = 2 sqrt(2 q (1 - q) / (R + 1)), q the
    # smaller tail. Tolerance per unit: 5 sd plus 4/(R + 1) for the discreteness of the counts.
    # (Draws are shared by all units, in esda as here, so the errors of one map are correlated:
    # the map-wide mean gap varies from seed to seed, each unit's stays within tolerance.)
    rng = np.random.default_rng(5)
    grid = Grid(0, 0, 100, 40, 40)
    adj = grid_queen(grid)
    y = rng.poisson(rng.gamma(0.7, 3, grid.n_cells))
    for seed in (1, 2, 3):
        ours = gi_star(y, adj, permutations=R, seed=seed, refine_to=0).p_sim.to_numpy()
        theirs = esda_two_sided_p(esda_gi_star(y, adj, seed=seed + 100), y)
        q = np.clip((ours + theirs) / 4, 0, 0.5)
        tol = 5 * 2 * np.sqrt(2 * q * (1 - q) / (R + 1)) + 4 / (R + 1)
        assert (np.abs(ours - theirs) <= tol).all()
        assert np.abs(ours - theirs).mean() < 0.05


def test_the_two_sided_p_value_counts_ties_on_both_sides():
    # A zero cell among zero neighbours ties with almost every draw: not significant.
    grid = Grid(0, 0, 1, 10, 10)
    y = np.zeros(100)
    y[[44, 45, 54, 55]] = 10
    out = gi_star(y, grid_queen(grid), permutations=R, seed=3, fdr=False)
    assert out.loc[0, "p_sim"] == 1.0
    assert out.loc[0, "cls"] == "not significant"
    # The cluster's total is beaten only when all 3 other tens are drawn (p = 0.00036).
    assert out.loc[44, "p_sim"] <= 4 / (R + 1)
    assert out.loc[44, "cls"] == "hot spot 99%"


def test_a_unit_with_no_neighbours_is_never_significant_by_permutation():
    adj = grid_queen(Grid(0, 0, 1, 3, 3)).tolil()
    adj[0, :] = 0
    adj[:, 0] = 0
    out = gi_star([9, 0, 1, 0, 9, 8, 0, 7, 9], adj.tocsr(), permutations=99, seed=1)
    assert out.loc[0, "neighbours"] == 0
    assert out.loc[0, "p_sim"] == 1.0


def test_same_seed_same_result_and_a_different_seed_differs():
    rng = np.random.default_rng(9)
    adj = grid_queen(Grid(0, 0, 1, 20, 20))
    y = rng.poisson(2, 400)
    a = gi_star(y, adj, permutations=99, seed=4)
    pd.testing.assert_frame_equal(a, gi_star(y, adj, permutations=99, seed=4))
    assert not a.n_sim_ge.equals(gi_star(y, adj, permutations=99, seed=5).n_sim_ge)


def test_permutation_draws_are_uniform_and_without_repeats():
    for n, k in [(50, 8), (20_000, 8)]:
        ids = draw_permutation_ids(n, k, 4000, seed=2)
        assert all(len(set(row)) == k for row in ids[:500].tolist())
        # Every position equally likely in the first column (chi-square goodness of fit).
        counts = np.bincount(ids[:, 0] * 49 // (n - 1), minlength=49)
        assert stats.chisquare(counts).pvalue > 0.001


def test_benjamini_hochberg_equals_statsmodels():
    p = np.random.default_rng(1).beta(0.3, 1, 500)
    np.testing.assert_allclose(benjamini_hochberg(p), multipletests(p, method="fdr_bh")[1])


def test_classes_use_the_strictest_level_reached():
    assert classify([3, 3, 3, -3, 0.5], [0.01, 0.05, 0.1, 0.011, 0.001]).tolist() == [
        "hot spot 99%",
        "hot spot 95%",
        "hot spot 90%",
        "cold spot 95%",
        "hot spot 99%",
    ]


def test_fdr_makes_fewer_units_significant_than_raw_p_values(lsoas):
    _, adj, y = lsoas
    with_fdr = gi_star(y, adj, permutations=R, seed=1)
    raw = gi_star(y, adj, permutations=R, seed=1, fdr=False)
    n_fdr = (with_fdr.cls != "not significant").sum()
    n_raw = (raw.cls != "not significant").sum()
    assert 0 < n_fdr < n_raw
    assert (with_fdr.q >= raw.q).all()


def test_grid_counts_points_into_the_right_cells():
    x, y = to_bng([-2.7, -2.7001, -3.05], [53.76, 53.7601, 53.82])
    grid = Grid.covering(x, y, 1000)
    counts = grid.counts(x, y)
    assert counts.sum() == 3 and counts.max() == 2
    cell = grid.cell_of(x[:1], y[:1])[0]
    assert grid.polygons([cell])[0].covers(shapely.Point(x[0], y[0]))


@pytest.mark.parametrize(
    "values, message",
    [
        (np.zeros(9), "zero records"),
        (np.full(9, 2.0), "same value"),
        (np.ones(2), "at least 3"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(values, message):
    adj = grid_queen(Grid(0, 0, 1, len(values), 1))
    with pytest.raises(ValueError, match=message):
        gi_star(values, adj)


def test_an_empty_period_a_single_point_and_one_snap_point_are_refused():
    with pytest.raises(ValueError, match="no records with coordinates"):
        Grid.covering([], [], 100)
    with pytest.raises(ValueError, match="all 1 points are at one location"):
        Grid.covering([350000], [420000], 100)
    with pytest.raises(ValueError, match="all 25 points are at one location"):
        Grid.covering(np.full(25, 350000.0), np.full(25, 420000.0), 100)


def test_a_grid_too_large_for_memory_is_refused_with_the_size_it_would_need():
    with pytest.raises(GridTooLargeError, match=r"would need about 2.1 TB of memory") as err:
        Grid.covering([0, 600_000], [0, 1_200_000], 10)
    assert "60,001 × 120,001 cells of 10 m (7,200,180,001 cells)" in str(err.value)
    with pytest.raises(GridTooLargeError, match="limit is 1.0 MB"):
        Grid.covering([0, 10_000], [0, 10_000], 100, max_memory_bytes=1_000_000)


def test_extreme_units_are_refined_with_more_draws_and_agree_with_a_long_run():
    rng = np.random.default_rng(8)
    grid = Grid(0, 0, 100, 30, 30)
    adj = grid_queen(grid)
    y = rng.poisson(1.0, grid.n_cells).astype(float)
    y[[400, 401, 430, 431]] += 9
    refined = gi_star(y, adj, permutations=R, seed=1)
    plain = gi_star(y, adj, permutations=R, seed=1, refine_to=0)
    extreme = np.minimum(plain.n_sim_ge, plain.n_sim_le) < 5
    assert extreme.sum() > 0
    assert (refined.permutations[extreme] == 9_999).all()
    assert (refined.permutations[~extreme] == R).all()
    assert (plain.permutations == R).all()
    # Units not refined keep their first-stage p; refined ones match a run of 9,999 draws
    # for every unit within Monte-Carlo error (5 sd of the difference, plus discreteness).
    pd.testing.assert_series_equal(refined.p_sim[~extreme], plain.p_sim[~extreme])
    long = gi_star(y, adj, permutations=9_999, seed=2, refine_to=0)
    a, b = refined.p_sim[extreme].to_numpy(), long.p_sim[extreme].to_numpy()
    q = np.clip((a + b) / 4, 0, 0.5)
    assert (np.abs(a - b) <= 10 * np.sqrt(2 * q * (1 - q) / 10_000) + 4 / 10_000).all()
    assert refined.p_sim[400] < 2 / (R + 1)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(3, 30),
    density=st.floats(0.0, 0.6),
    seed=st.integers(0, 10_000),
    integers=st.booleans(),
    subset=st.booleans(),
)
def test_vectorised_permutation_counts_equal_a_plain_loop(n, density, seed, integers, subset):
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.random((n, n)) < density, 1)
    adj = sparse.csr_matrix((upper | upper.T).astype(float))
    y = rng.poisson(2, n).astype(float) if integers else rng.gamma(1.0, 2.0, n)
    card = np.diff(adj.indptr)
    ids = draw_permutation_ids(n, int(card.max()), 60, seed)
    cells = np.flatnonzero(rng.random(n) < 0.5) if subset else None
    n_ge, n_le = permutation_counts(y, adj, ids, cells=cells)
    for i in range(n) if cells is None else cells:
        others = np.delete(y, i)
        obs = y[i] + y[adj[i].indices].sum()
        sims = y[i] + others[ids[:, : card[i]]].sum(axis=1)
        assert n_ge[i] == (sims >= obs - 1e-9).sum()
        assert n_le[i] == (sims <= obs + 1e-9).sum()


def test_polygon_queen_equals_libpysal_where_boundaries_share_vertices():
    from libpysal.weights import Queen

    grid = Grid(0, 0, 10, 7, 5)
    boxes = list(grid.polygons())
    ours = polygon_queen(boxes, tolerance=0.001)
    theirs = Queen.from_iterable(boxes).sparse
    assert (ours != theirs).nnz == 0
    assert (ours != grid_queen(grid)).nnz == 0


def test_weights_for_a_grid_too_large_are_refused_before_being_built():
    with pytest.raises(GridTooLargeError, match="5,000 × 5,000 cells of 10 m"):
        grid_queen(Grid(0, 0, 10, 5_000, 5_000))
    # A wide distance band needs more memory per cell than queen contiguity.
    grid = Grid(0, 0, 10, 1_000, 1_000)
    assert grid_queen(grid).nnz > 0
    with pytest.raises(GridTooLargeError, match="would need about"):
        grid_distance_band(grid, 300)
