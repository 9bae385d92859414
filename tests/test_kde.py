"""Kernel density: exact sums against brute force, the binned surface against exact, the rule."""

import numpy as np
import pytest

from cdrp.analysis.kde import bandwidth_rule, kernel_density
from cdrp.analysis.weights import Grid


def brute_force(x, y, grid, h, kernel):
    cx, cy = grid.centres()
    d2 = (cx[:, None] - x[None, :]) ** 2 + (cy[:, None] - y[None, :]) ** 2
    if kernel == "quartic":
        r2 = 8 * h * h
        k = np.where(d2 < r2, 3 / (np.pi * r2) * (1 - d2 / r2) ** 2, 0)
    else:
        k = np.where(d2 <= 16 * h * h, np.exp(-d2 / (2 * h * h)) / (2 * np.pi * h * h), 0)
    return k.sum(axis=1) * 1e6


@pytest.fixture
def points():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.normal(2000, 300, 300), rng.uniform(0, 5000, 200)])
    y = np.concatenate([rng.normal(3000, 400, 300), rng.uniform(0, 5000, 200)])
    return x, y


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_exact_density_equals_a_brute_force_sum(points, kernel):
    x, y = points
    grid = Grid(0, 0, 125, 40, 40)
    ours = kernel_density(x, y, grid, bandwidth=180, kernel=kernel, method="exact")
    np.testing.assert_allclose(ours, brute_force(x, y, grid, 180, kernel), rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_binned_density_is_close_to_exact_when_cells_are_small(points, kernel):
    x, y = points
    grid = Grid(0, 0, 50, 100, 100)
    exact = kernel_density(x, y, grid, bandwidth=250, kernel=kernel, method="exact")
    binned = kernel_density(x, y, grid, bandwidth=250, kernel=kernel)
    # Moving each record up to 35 m (half a cell diagonal) changes a 250 m kernel little.
    assert np.abs(binned - exact).max() < 0.03 * exact.max()


def test_the_surface_integrates_to_the_number_of_records(points):
    x, y = points
    grid = Grid(-2000, -2000, 50, 180, 180)  # covers every kernel in full
    dens = kernel_density(x, y, grid, bandwidth=200)
    assert dens.sum() * (0.05**2) == pytest.approx(500, rel=0.01)
    weighted = kernel_density(x, y, grid, bandwidth=200, weights=np.full(500, 2.0))
    np.testing.assert_allclose(weighted, 2 * dens, rtol=1e-9, atol=1e-9)


def test_records_just_outside_the_grid_still_reach_its_edge():
    grid = Grid(0, 0, 100, 10, 10)
    exact = kernel_density([-50], [500], grid, bandwidth=100, method="exact")
    binned = kernel_density([-50], [500], grid, bandwidth=100)
    assert exact[50] > 0 and binned[50] > 0


def test_bandwidth_rule_by_hand():
    # x: 0..9 and y: 0..18 step 2 (n = 10). sd(x) = 3.0277, IQR(x) = 4.5 -> 3.3358: use 3.0277;
    # y doubles both: 6.0553. sigma = (3.0277 + 6.0553) / 2 = 4.5415; h = sigma * 10^(-1/6).
    x = np.arange(10.0)
    h = bandwidth_rule(x, 2 * x)
    assert h == pytest.approx(4.5415 * 10 ** (-1 / 6), rel=1e-4)


@pytest.mark.parametrize(
    "x, y, kwargs, message",
    [
        ([], [], {}, "no records"),
        ([1.0], [1.0], {}, "at least two records"),
        ([5.0] * 4, [5.0] * 4, {}, "all 4 records are at one location"),
        ([1.0, 2.0], [1.0, 2.0], {"kernel": "epanechnikov"}, "kernel must be one of"),
        ([1.0, 2.0], [1.0, 2.0], {"bandwidth": -5}, "positive number of metres"),
    ],
)
def test_bad_input_is_refused(x, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        kernel_density(x, y, Grid(0, 0, 1, 5, 5), **kwargs)


def test_a_single_record_with_a_given_bandwidth_is_fine():
    dens = kernel_density([2.5], [2.5], Grid(0, 0, 1, 5, 5), bandwidth=1, method="exact")
    assert dens.argmax() == 12


def test_a_bandwidth_far_larger_than_the_cells_is_refused_with_the_size_needed():
    from cdrp.analysis.weights import GridTooLargeError

    with pytest.raises(GridTooLargeError, match="would need about"):
        kernel_density([0.0, 5.0], [0.0, 5.0], Grid(0, 0, 1, 10, 10), bandwidth=5_000)
