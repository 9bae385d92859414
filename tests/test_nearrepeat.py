"""Knox near-repeat test: counts equal brute force, a hand-worked example, exact p-values."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdrp.analysis.nearrepeat import knox_counts, knox_test, months_since


def brute_force(x, y, t, distance_bands, time_bands):
    """Every pair, one at a time: band = first upper limit the gap does not exceed."""
    table = np.zeros((len(distance_bands), len(time_bands)), dtype=int)
    for i, j in itertools.combinations(range(len(x)), 2):
        d = ((x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2) ** 0.5
        g = abs(t[i] - t[j])
        a = next((k for k, lim in enumerate(distance_bands) if d <= lim), None)
        b = next((k for k, lim in enumerate(time_bands) if g <= lim), None)
        if a is not None and b is not None:
            table[a, b] += 1
    return table


# Ten events on a line (metres) with month numbers; bands [0, 100], (100, 200] m and
# same month, one month apart.
TEN = {
    "A": (0, 0),
    "B": (50, 0),
    "C": (100, 1),
    "D": (300, 5),
    "E": (1000, 2),
    "F": (1050, 3),
    "G": (1200, 2),
    "H": (5000, 7),
    "I": (5080, 7),
    "J": (9000, 0),
}


def ten_events():
    x = np.array([v[0] for v in TEN.values()], dtype=float)
    return x, np.zeros(10), np.array([v[1] for v in TEN.values()])


def test_hand_worked_ten_event_example():
    # Pairs within 200 m, by hand:
    #   A-B 50 m, 0 months   -> [0,100] x same month
    #   A-C 100 m, 1 month   -> [0,100] x 1 month   (100 is inside the first band)
    #   B-C 50 m, 1 month    -> [0,100] x 1 month
    #   E-F 50 m, 1 month    -> [0,100] x 1 month
    #   H-I 80 m, 0 months   -> [0,100] x same month
    #   C-D 200 m, 4 months  -> (100,200] x beyond: not counted
    #   E-G 200 m, 0 months  -> (100,200] x same month
    #   F-G 150 m, 1 month   -> (100,200] x 1 month
    observed = [[2, 3], [1, 1]]
    x, y, t = ten_events()
    assert knox_counts(x, y, t, [100, 200], [0, 1]).tolist() == observed
    # Expected = space pairs x time pairs / C(10, 2). Space pairs: 5 in [0,100], 3 in (100,200].
    # Time pairs with equal months: {A,B,J} 3 + {E,G} 1 + {H,I} 1 = 5; one month apart:
    # 0-1: 3x1, 1-2: 1x2, 2-3: 2x1 = 7.
    expected = np.array([[5 * 5, 5 * 7], [3 * 5, 3 * 7]]) / 45
    res = knox_test(x, y, t, [100, 200], [0, 1], permutations=999, seed=3)
    assert res.observed.to_numpy().tolist() == observed
    np.testing.assert_allclose(res.expected.to_numpy(), expected)
    np.testing.assert_allclose(res.ratio.to_numpy(), [[3.6, 27 / 7], [3.0, 15 / 7]])
    assert list(res.observed.index) == ["[0, 100] m", "(100, 200] m"]
    assert list(res.observed.columns) == ["[0, 0] months", "(0, 1] months"]


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 40),
    seed=st.integers(0, 10_000),
    distance_bands=st.lists(st.integers(1, 400), min_size=1, max_size=4, unique=True).map(sorted),
    time_bands=st.lists(st.integers(0, 10), min_size=1, max_size=4, unique=True).map(sorted),
    snapped=st.booleans(),
)
def test_knox_counts_equal_a_brute_force_pairwise_count(
    n, seed, distance_bands, time_bands, snapped
):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1000, n)
    y = rng.uniform(0, 1000, n)
    if snapped:  # police.uk-like: few distinct points, whole-metre coordinates, ties on limits
        x = np.round(x / 100) * 100
        y = np.round(y / 100) * 100
    t = rng.integers(0, 12, n)
    assert (
        knox_counts(x, y, t, distance_bands, time_bands).tolist()
        == brute_force(x, y, t, distance_bands, time_bands).tolist()
    )


def test_every_simulated_table_is_the_brute_force_count_of_a_permutation():
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 800, 30), rng.uniform(0, 800, 30)
    t = rng.integers(0, 6, 30)
    bands = ([150, 300], [0, 1, 2])
    res, sims = knox_test(x, y, t, *bands, permutations=50, seed=8, keep_simulations=True)
    # Replay the same draws: one permutation of the 30 events per simulation.
    rng = np.random.default_rng(8)
    replay = [t[rng.permutation(30)] for _ in range(50)]
    for k in range(50):
        assert sims[k].tolist() == brute_force(x, y, replay[k], *bands).tolist()
    p = (1 + (sims >= res.observed.to_numpy()[None]).sum(axis=0)) / 51
    np.testing.assert_array_equal(res.p_value.to_numpy(), p)


def test_the_simulated_mean_converges_to_the_exact_expected_count():
    rng = np.random.default_rng(2)
    x, y = rng.uniform(0, 3000, 600), rng.uniform(0, 3000, 600)
    t = rng.integers(0, 12, 600)
    res, sims = knox_test(
        x, y, t, [100, 200, 400], [0, 1, 3], permutations=999, seed=5, keep_simulations=True
    )
    se = sims.std(axis=0) / np.sqrt(999)
    gap = np.abs(res.simulated_mean.to_numpy() - res.expected.to_numpy())
    assert (gap <= 4 * se + 1e-9).all()


def test_planted_near_repeats_are_found_and_random_data_is_not_flagged():
    rng = np.random.default_rng(11)
    n = 2000
    x, y = rng.uniform(0, 10_000, n), rng.uniform(0, 10_000, n)
    t = rng.integers(0, 365, n)
    null = knox_test(x, y, t, [200], [14], time_unit="days", permutations=199, seed=1)
    assert null.p_value.iloc[0, 0] > 0.05
    # 100 repeats within 50 m and 7 days of an earlier event.
    src = rng.choice(n, 100, replace=False)
    x2 = np.append(x, x[src] + rng.uniform(-35, 35, 100))
    y2 = np.append(y, y[src] + rng.uniform(-35, 35, 100))
    t2 = np.append(t, t[src] + rng.integers(0, 8, 100))
    hot = knox_test(x2, y2, t2, [200], [14], time_unit="days", permutations=199, seed=1)
    assert hot.p_value.iloc[0, 0] == 1 / 200
    assert hot.ratio.iloc[0, 0] > 1.3  # ~220 chance pairs expected, plus the 100 planted


def test_float_day_times_and_month_strings():
    x, y, t = ten_events()
    days = t * 30.5
    res = knox_test(x, y, days, [100, 200], [0, 31], time_unit="days", permutations=99, seed=1)
    assert res.observed.to_numpy().tolist() == [[2, 3], [1, 1]]
    assert months_since(["2022-11", "2021-11", "2022-01"]).tolist() == [12, 0, 2]
    assert res.to_frame().shape == (4, 7)


@pytest.mark.parametrize(
    "x, y, t, message",
    [
        ([], [], [], "no events"),
        ([1.0], [1.0], [0], "single event"),
        ([1.0, 2.0], [1.0], [0, 1], "one value per event"),
        ([1.0, 2.0], [1.0, 2.0], ["2022-01", "2022-02"], "convert months with months_since"),
    ],
)
def test_bad_events_are_refused(x, y, t, message):
    with pytest.raises(ValueError, match=message):
        knox_test(x, y, t, [100], [0])


def test_bad_bands_and_too_many_pairs_are_refused():
    x, y, t = ten_events()
    with pytest.raises(ValueError, match="increasing upper limits"):
        knox_test(x, y, t, [200, 100], [0])
    with pytest.raises(ValueError, match="at least one band"):
        knox_test(x, y, t, [100], [])
    with pytest.raises(ValueError, match=r"8 pairs of events lie within 200 m \(limit 5"):
        knox_test(x, y, t, [100, 200], [0], max_pairs=5)


def test_all_events_on_one_snap_point_or_in_one_month_are_refused():
    n = 12
    with pytest.raises(ValueError, match="all 12 events are at one location"):
        knox_test(np.zeros(n), np.zeros(n), np.arange(n) % 3, [50], [0])
    with pytest.raises(ValueError, match="all 10 events have the same time"):
        knox_test(np.arange(10.0), np.zeros(10), np.zeros(10), [50], [0])
