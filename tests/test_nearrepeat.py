"""Knox near-repeat test: counts equal brute force (band edges too), hand-worked examples, exact
p-values, and the Near Repeat Calculator's published table reproduced."""

import csv
import io
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdrp.analysis.nearrepeat import (
    SEED,
    calculator_bands,
    days_since,
    knox_counts,
    knox_test,
    months_since,
)


def brute_force(
    x, y, t, distance_bands, time_bands, *, metric="euclidean", closed="right", beyond=False
):
    """Every pair, one at a time, with the documented distance (``numpy.hypot(dx, dy)`` or
    ``|dx| + |dy|``): the band is the first whose upper limit the gap does not exceed
    (``closed="right"``) or stays below (``"left"``, where a first limit of 0 holds a zero gap
    alone). With ``beyond``, a last row and column hold the pairs past the last band."""
    extra = 1 if beyond else 0
    table = np.zeros((len(distance_bands) + extra, len(time_bands) + extra), dtype=int)

    def band(value, limits):
        for k, lim in enumerate(limits):
            if closed == "right" and value <= lim:
                return k
            if closed == "left" and (value < lim or (k == 0 and lim == 0 and value == 0)):
                return k
        return len(limits) if beyond else None

    for i, j in itertools.combinations(range(len(x)), 2):
        dx, dy = np.float64(x[i]) - np.float64(x[j]), np.float64(y[i]) - np.float64(y[j])
        d = np.hypot(dx, dy) if metric == "euclidean" else abs(dx) + abs(dy)
        a = band(d, distance_bands)
        b = band(abs(t[i] - t[j]), time_bands)
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


# -- Band edges: one distance decides admission and band ----------------------------------------


def test_a_pair_one_rounding_step_inside_the_last_band_is_counted_once_and_never_crashes():
    # The audit's case: the k-d tree admitted this pair for a limit one ulp below its
    # numpy.hypot distance, and banding it with hypot put it outside every band.
    x = [-9295.222195812981, 70371.47472112274]
    y = [30039.483767053738, -45158.60860933516]
    d = np.hypot(x[1] - x[0], y[1] - y[0])
    below, above = np.nextafter(d, 0), np.nextafter(d, np.inf)
    assert below == 109551.52073204101
    assert knox_counts(x, y, [0, 1], [below], [1]).tolist() == [[0]]
    assert knox_counts(x, y, [0, 1], [d], [1]).tolist() == [[1]]
    assert knox_counts(x, y, [0, 1], [d], [2], closed="left").tolist() == [[0]]
    assert knox_counts(x, y, [0, 1], [above], [2], closed="left").tolist() == [[1]]
    res = knox_test(x, y, [0, 1], [1000, below], [1], permutations=9, seed=1)
    assert res.observed.to_numpy().tolist() == [[0], [0]]
    assert res.calculator["observed"].tolist() == [0, 0, 0, 0, 1, 0]


_coordinate = st.floats(-1e5, 1e5, allow_nan=False, allow_infinity=False)


@st.composite
def events_with_bands_at_pair_distances(draw):
    """Events, and distance bands placed at, or one ulp either side of, some pair's distance."""
    n = draw(st.integers(2, 14))
    points = draw(st.lists(st.tuples(_coordinate, _coordinate), min_size=n, max_size=n))
    # Repeat some points exactly (police.uk snap points; zero distances).
    copies = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3))
    for src, dst in copies:
        points[dst] = points[src]
    x = np.array([p[0] for p in points])
    y = np.array([p[1] for p in points])
    t = np.array(draw(st.lists(st.integers(0, 8), min_size=n, max_size=n)))
    metric = draw(st.sampled_from(["euclidean", "manhattan"]))
    closed = draw(st.sampled_from(["right", "left"]))
    edges = set()
    picks = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from([-1, 0, 1]))
    for i, j, step in draw(st.lists(picks, min_size=1, max_size=4)):
        dx, dy = x[i] - x[j], y[i] - y[j]
        d = np.hypot(dx, dy) if metric == "euclidean" else abs(dx) + abs(dy)
        edge = d if step == 0 else np.nextafter(d, step * np.inf)
        if edge > 0:
            edges.add(float(edge))
    distance_bands = sorted(edges) or [1.0]
    if draw(st.booleans()):
        distance_bands = [0.0, *distance_bands]  # same place (closed="left") or [0, 0]
    time_bands = sorted(draw(st.sets(st.integers(0, 6), min_size=1, max_size=3)))
    if closed == "left" and time_bands == [0]:
        time_bands = [0, 2]
    return x, y, t, distance_bands, time_bands, metric, closed


@settings(max_examples=200, deadline=None)
@given(events_with_bands_at_pair_distances())
def test_bands_at_and_one_ulp_beside_pair_distances_match_a_brute_force_count(case):
    x, y, t, distance_bands, time_bands, metric, closed = case
    options = {"metric": metric, "closed": closed}
    expected = brute_force(x, y, t, distance_bands, time_bands, **options)
    assert knox_counts(x, y, t, distance_bands, time_bands, **options).tolist() == expected.tolist()


@settings(max_examples=60, deadline=None)
@given(events_with_bands_at_pair_distances())
def test_the_knox_test_tables_with_their_beyond_cells_match_a_brute_force_count(case):
    x, y, t, distance_bands, time_bands, metric, closed = case
    if np.ptp(t) == 0 or (np.ptp(x) == 0 and np.ptp(y) == 0):
        return  # refused: nothing to permute
    options = {"metric": metric, "closed": closed}
    res = knox_test(x, y, t, distance_bands, time_bands, permutations=3, seed=1, **options)
    inner = brute_force(x, y, t, distance_bands, time_bands, **options)
    full = brute_force(x, y, t, distance_bands, time_bands, beyond=True, **options)
    assert res.observed.to_numpy().tolist() == inner.tolist()
    assert res.calculator_table("observed").to_numpy().tolist() == full.tolist()
    assert full.sum() == len(x) * (len(x) - 1) // 2


# -- Options: closure and metric, and the Near Repeat Calculator's conventions ------------------


def test_manhattan_distance_and_left_closed_bands_by_hand():
    # A (0, 0), B (60, 80), C (100, 0): AB 100 m straight or 140 m along the axes; AC 100 m
    # either way; BC hypot(40, 80) = 89.44 m or 120 m. Months 0, 2, 4: gaps AB 2, AC 4, BC 2.
    x, y, t = [0.0, 60.0, 100.0], [0.0, 80.0, 0.0], [0, 2, 4]
    bands = ([100, 150], [2, 4])
    # (a, b]: AB 100 -> [0, 100], AC 100 -> [0, 100], BC 89 -> [0, 100]; gaps 2, 4, 2.
    assert knox_counts(x, y, t, *bands).tolist() == [[2, 1], [0, 0]]
    # [a, b): 100 m is in [100, 150); a gap of 2 is in [2, 4) and a gap of 4 is beyond.
    assert knox_counts(x, y, t, *bands, closed="left").tolist() == [[0, 1], [0, 1]]
    # Manhattan (a, b]: AB 140 -> (100, 150], AC 100 -> [0, 100], BC 120 -> (100, 150].
    assert knox_counts(x, y, t, *bands, metric="manhattan").tolist() == [[0, 1], [2, 0]]
    res = knox_test(x, y, t, *bands, metric="manhattan", closed="left", permutations=9)
    assert list(res.observed.index) == ["[0, 100) m", "[100, 150) m"]
    assert list(res.observed.columns) == ["[0, 2) months", "[2, 4) months"]
    assert (res.metric, res.closed) == ("manhattan", "left")
    # [a, b) Manhattan: AB 140, AC 100 and BC 120 are all in [100, 150); only AB, BC < 4 months.
    assert res.observed.to_numpy().tolist() == [[0, 0], [0, 2]]


def test_unknown_metrics_and_closures_and_an_empty_first_band_are_refused():
    x, y, t = ten_events()
    with pytest.raises(ValueError, match="metric must be one of euclidean, manhattan"):
        knox_test(x, y, t, [100], [1], metric="chebyshev")
    with pytest.raises(ValueError, match=r"'right' for \(a, b\] bands or 'left'"):
        knox_counts(x, y, t, [100], [1], closed="both")
    with pytest.raises(ValueError, match="give a limit above 0 after the 0 band"):
        knox_test(x, y, t, [100], [0], closed="left")


def test_the_calculators_two_event_example_by_hand():
    # Davies's pathological example: one pair 100 m and 3 days apart. The Calculator, with
    # 200 m and 3-day bandwidths, puts it in "1 to 200 m" x "4 to 6 days"; with 100 m
    # bandwidths in "101 to 200 m" x "4 to 6 days": it counts (0, 200) / [3, 6) and [100, 200).
    x, y, t = [0.0, 0.0], [0.0, 100.0], days_since(["2019-01-01", "2019-01-04"])
    distance, time = calculator_bands(200, 2, 3, 2)
    assert (distance, time) == ([0.0, 200.0, 400.0], [3.0, 6.0])
    res = knox_test(x, y, t, distance, time, closed="left", time_unit="days", permutations=9)
    grid = res.calculator_table("observed")
    assert list(grid.index) == ["0 m", "(0, 200) m", "[200, 400) m", "400 m or more"]
    assert list(grid.columns) == ["[0, 3) days", "[3, 6) days", "6 days or more"]
    assert grid.to_numpy().tolist() == [[0, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0]]
    distance, time = calculator_bands(100, 2, 3, 2)
    observed = knox_counts(x, y, t, distance, time, closed="left")
    assert observed.tolist() == [[0, 0], [0, 0], [0, 1]]


NEARREPEAT_DATA = Path(__file__).parent / "data" / "nearrepeat"


def test_the_near_repeat_calculators_published_table_is_reproduced():
    # Chicago residential burglary 2016 (11,701 records) as shipped with tobydavies/NearRepeat,
    # and the Calculator's (v1.3) own output for it: 100 m x 3 and 2 days x 2, 19 iterations
    # (tests/data/nearrepeat/README.md). The Calculator reads coordinates to 0.1 m.
    x, y, t = _chicago_2016()
    nrc = pd.read_csv(NEARREPEAT_DATA / "nrc_chicago_burglary_2016.csv")
    assert len(x) == 11701
    distance, time = calculator_bands(100, 3, 2, 2)
    res = knox_test(
        np.round(x, 1),
        np.round(y, 1),
        t,
        distance,
        time,
        closed="left",
        permutations=19,
        seed=SEED,
        time_unit="days",
    )
    shape = (5, 3)
    observed = res.calculator_table("observed").to_numpy()
    # Every cell, the Calculator's "more than" row and column included.
    assert observed.tolist() == nrc["observed"].to_numpy().reshape(shape).tolist()
    assert observed.sum() == 11701 * 11700 // 2
    # Its p-values (19 iterations: 0.05 when the observed count beats all of them, 1 when none).
    p = res.calculator_table("p_value").to_numpy()
    assert p.tolist() == nrc["p_value"].to_numpy().reshape(shape).tolist()
    # Its "observed over mean expected" divides by the mean of its 19 simulated tables; ours by
    # the exact expectation, which its simulations must bracket within Monte-Carlo error.
    sims = np.array([[float(v) for v in row.split()] for row in nrc["simulated"]])
    assert sims.shape == (15, 19)
    np.testing.assert_allclose(sims.mean(axis=1), nrc["simulated_mean"], rtol=1e-9)
    expected = res.calculator_table("expected").to_numpy().ravel()
    se = sims.std(axis=1, ddof=1) / np.sqrt(19)
    assert (np.abs(sims.mean(axis=1) - expected) <= 4 * se).all()
    ratio = res.calculator_table("ratio").to_numpy().ravel()
    published = nrc["obs_over_mean_exp"].to_numpy()
    # Same cells significant, same direction: ratio above 1 exactly where the Calculator's is.
    assert ((ratio > 1) == (published > 1)).all()
    assert ratio[0] == pytest.approx(202 / expected[0]) and 15 < ratio[0] < 20


def _chicago_2016():
    events = pd.read_csv(NEARREPEAT_DATA / "chicago_burglary_2016.csv.gz")
    dates = pd.to_datetime(events["date_single"], format="%d/%m/%Y").dt.strftime("%Y-%m-%d")
    return events["x"].to_numpy(), events["y"].to_numpy(), days_since(dates)


@pytest.mark.parametrize(
    "options, published",
    [
        ({}, [[342, 97, 62], [1892, 1514, 1362], [4145, 3643, 3592], [5805, 5143, 4919]]),
        (
            {"closed": "left"},
            [[319, 106, 62], [1647, 1539, 1400], [3598, 3660, 3638], [5028, 5167, 4935]],
        ),
        (
            {"metric": "manhattan"},
            [[342, 97, 62], [1502, 1163, 1038], [2806, 2431, 2386], [3968, 3553, 3395]],
        ),
    ],
)
def test_tobydavies_nearrepeats_published_tables_for_each_closure_and_metric(options, published):
    # Its notebook "Usage of Knox test" on the same 2016 burglaries: 0.1, 200, 400, 600 m and
    # 7, 14, 21 days, with interval_side "left" ((a, b]), "right" ([a, b)) and metric
    # "manhattan". An independent implementation, agreeing cell for cell.
    x, y, t = _chicago_2016()
    bands = ([0.1, 200, 400, 600], [7, 14, 21])
    assert knox_counts(x, y, t, *bands, **options).tolist() == published


def test_the_calculator_csv_lays_out_observed_expected_ratio_and_p_per_cell():
    x, y, t = ten_events()
    res = knox_test(x, y, t, [100, 200], [0, 1], permutations=99, seed=3)
    text = res.to_calculator_csv()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].startswith("Knox test: 10 events, euclidean distance, (a, b] bands, 99 ")
    titles = [r[0] for r in rows if len(r) == 1]
    assert titles[1:] == [
        "Observed frequencies",
        "Expected frequencies (exact, no space-time interaction)",
        "Knox ratio (observed / expected)",
        "Statistical significance (p, 99 permutations)",
    ]
    start = rows.index(["Observed frequencies"])
    assert rows[start + 1] == ["", "[0, 0] months", "(0, 1] months", "more than 1 months"]
    grid = [r[1:] for r in rows[start + 2 : start + 5]]
    # Hand-worked table (test_hand_worked_ten_event_example) plus beyond cells: 45 pairs in all;
    # 8 pairs within 200 m, 5 same-month and 7 one-month-apart pairs: 45 - 8 - 12 + 7 = 32.
    assert [r[0] for r in rows[start + 2 : start + 5]] == [
        "[0, 100] m",
        "(100, 200] m",
        "more than 200 m",
    ]
    assert grid == [["2", "3", "0"], ["1", "1", "1"], ["2", "3", "32"]]
    ratio_at = rows.index(["Knox ratio (observed / expected)"])
    assert rows[ratio_at + 2][1:3] == ["3.600", "3.857"]
    p_at = rows.index(["Statistical significance (p, 99 permutations)"])
    p_values = [float(v) for r in rows[p_at + 2 : p_at + 5] for v in r[1:]]
    assert all(0 < v <= 1 for v in p_values)
    assert p_values[:2] == res.p_value.iloc[0].tolist()
