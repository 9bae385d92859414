"""Near-repeat analysis: the Knox test over distance and time bands, vectorised.

Knox (1964) counts the pairs of events that are close in space *and* in time; near-repeat
analysis (Townsley, Homel & Chaseling 2003; Johnson et al. 2007; Ratcliffe's Near Repeat
Calculator) splits "close" into bands and asks, for each distance band × time band, whether
there are more such pairs than if the times had been dealt out to the places at random.

Bands are given by their upper limits, as in the Near Repeat Calculator and Davies' NearRepeat:
``distance_bands=[100, 200, 300]`` means ``[0, 100]``, ``(100, 200]``, ``(200, 300]`` metres;
``time_bands=[0, 1, 2]`` on month numbers means the same month, one month apart, two months
apart (police.uk data is published by month only); with day numbers of dated partner data,
``[7, 14, 21]`` means ``[0, 7]``, ``(7, 14]``, ``(14, 21]`` days. Pairs beyond the last band in
either dimension are not counted in the table (the Calculator layout adds them as a "beyond" row
and column, see :meth:`KnoxResult.to_calculator_csv`).

Two choices are explicit options, because analysts compare with tools that make them differently:

* ``closed="right"`` (the default) gives the intervals above, ``(a, b]``; ``closed="left"`` gives
  ``[0, b₀)``, ``[a, b)``. With ``closed="left"`` a first limit of 0 is the band of a zero gap
  alone (same place, or same day), and the next band is ``(0, b₁)``. Ratcliffe's Near Repeat
  Calculator labels its bands "same location", "1 to 100", "101 to 200" metres and "0 to 2",
  "3 to 4" days, but counts distance 0, ``(0, 100)``, ``[100, 200)`` metres and ``[0, 2)``,
  ``[2, 4)`` days (Davies 2019 found the shift by one; the tests reproduce every cell of the
  Calculator's published table, beyond row and column included, from the coordinates to 0.1 m
  as the Calculator reads them). :func:`calculator_bands` turns its settings into these bands.
* ``metric="euclidean"`` (the default, ``numpy.hypot(dx, dy)``) or ``"manhattan"``
  (``|dx| + |dy|``, the Calculator's other distance setting).

One distance decides everything. The k-d tree only proposes candidate pairs, with a radius a
little larger than the last band; every candidate's distance is then computed once with the
formula above, and that one number decides both whether the pair is counted and which band it
is in. (Asking the tree whether a pair is within the limit and banding it with another formula
disagreed for pairs within one rounding step of the limit.)

For each cell the result gives the observed pair count, the expected count under the null of no
space-time interaction, their ratio and a Monte-Carlo p-value
``p = (1 + #{simulated ≥ observed}) / (R + 1)`` from ``R`` random permutations of the times
over the events (Johnson et al. 2007). The expected count is exact, not simulated: under a
random permutation every pair of events receives a uniformly random pair of distinct times, so
``E = (space pairs in the distance band) × (time pairs in the time band) / C(n, 2)``; the mean
of the simulations converges to it (checked in the tests).

Speed. The pairs closer than the largest distance band are found once (a k-d tree); a
permutation then only changes their time gaps. Permutations are processed in batches as one
``(batch, pairs)`` array of small integers: gather the permuted times at both ends, take
absolute differences, and count, per distance band, how many are at most each time limit.

References
----------
Knox, E. G. (1964) The detection of space-time interactions. Applied Statistics 13(1), 25–30.
Johnson, S. D. et al. (2007) Space–time patterns of risk: a cross national assessment of
residential burglary victimization. Journal of Quantitative Criminology 23(3), 201–219.
Ratcliffe, J. H. (2009) Near Repeat Calculator (version 1.3). Temple University.
Davies, T. (2019) NearRepeat: Knox test for space-time clustering (Python), notebook
"Inconsistency with Near Repeat Calculator". https://github.com/tobydavies/NearRepeat
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from cdrp.analysis.months import months_since

if TYPE_CHECKING:
    from pandas._typing import Axes

__all__ = [
    "CLOSED",
    "MAX_PAIRS",
    "METRICS",
    "PERMUTATIONS",
    "SEED",
    "KnoxResult",
    "calculator_bands",
    "close_pairs",
    "days_since",
    "knox_counts",
    "knox_test",
    "months_since",
]

#: Random permutations of the times.
PERMUTATIONS = 999
#: Default seed.
SEED = 20221101
#: Refuse more close pairs than this (memory: about 12 bytes each, plus the batch work space).
MAX_PAIRS = 50_000_000
# Elements of the (batch × pairs) work array at once.
_BATCH_ELEMENTS = 1_000_000
#: Distance metrics: ``numpy.hypot(dx, dy)`` or ``|dx| + |dy|``.
METRICS = ("euclidean", "manhattan")
#: Interval closure: ``"right"`` for ``(a, b]`` bands, ``"left"`` for ``[a, b)`` (the Calculator).
CLOSED = ("right", "left")
# The k-d tree is asked for pairs within this factor of the limit; the exact distance then
# decides. Its own distance arithmetic differs from ours by a few rounding steps at most.
_REACH = 1 + 1e-9


def days_since(
    dates: Axes, origin: str | dt.date | pd.Timestamp | None = None
) -> npt.NDArray[np.int64]:
    """Whole days since ``origin`` (default the earliest), for dated partner records.

    Examples
    --------
    >>> days_since(["2022-11-03", "2022-11-01", "2022-12-01"]).tolist()
    [2, 0, 30]
    """
    d = pd.to_datetime(pd.Index(dates)).normalize()
    if np.any(d.isna()):
        raise ValueError("every record needs a date (YYYY-MM-DD) for day bands")
    o = d.min() if origin is None else pd.Timestamp(origin).normalize()
    return np.asarray((d - o).days, dtype=np.int64)


def calculator_bands(
    spatial_bandwidth: float,
    spatial_bands: int,
    temporal_bandwidth: float,
    temporal_bands: int,
) -> tuple[list[float], list[float]]:
    """The bands the Near Repeat Calculator counts for its settings, for ``closed="left"``.

    The Calculator adds a "same location" band and labels the others "1 to 100", "101 to 200"…
    metres and "0 to 2", "3 to 4"… days, but counts distance 0, ``(0, 100)``, ``[100, 200)``…
    and ``[0, 2)``, ``[2, 4)``… (Davies 2019). Its "more than" row and column are the beyond
    row and column of :meth:`KnoxResult.to_calculator_csv`.

    Examples
    --------
    >>> calculator_bands(100, 3, 2, 2)
    ([0.0, 100.0, 200.0, 300.0], [2.0, 4.0])
    """
    if spatial_bands < 1 or temporal_bands < 1 or spatial_bandwidth <= 0 or temporal_bandwidth <= 0:
        raise ValueError(
            "the Calculator needs at least one band of each kind and bandwidths above 0"
        )
    distance = [0.0] + [float(spatial_bandwidth * k) for k in range(1, spatial_bands + 1)]
    time = [float(temporal_bandwidth * k) for k in range(1, temporal_bands + 1)]
    return distance, time


def _options(metric: str, closed: str) -> None:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    if closed not in CLOSED:
        raise ValueError(
            f"closed must be 'right' for (a, b] bands or 'left' for [a, b) bands, not {closed!r}"
        )


def _bands(values: npt.ArrayLike, name: str, closed: str = "right") -> npt.NDArray[np.float64]:
    b = np.asarray(values, dtype=float).ravel()
    if b.size == 0:
        raise ValueError(f"{name} needs at least one band (its upper limit)")
    if not np.isfinite(b).all() or (b < 0).any() or (np.diff(b) <= 0).any():
        raise ValueError(
            f"{name} must be increasing upper limits (finite, not negative); got {b.tolist()}"
        )
    if closed == "left" and b.size == 1 and b[0] == 0:
        raise ValueError(f"{name}: with [a, b) bands give a limit above 0 after the 0 band")
    return b


def _inclusive(bands: npt.NDArray[np.float64], closed: str) -> npt.NDArray[np.bool_]:
    """Per band, whether its upper limit is inside it: always for (a, b] bands; for [a, b) bands
    only a first limit of 0, the band of a zero gap alone (the Calculator's same location)."""
    if closed == "right":
        return np.ones(bands.size, dtype=bool)
    return np.equal(bands, 0)


def _band_index(
    bands: npt.NDArray[np.float64], values: npt.NDArray[np.float64], closed: str
) -> npt.NDArray[np.intp]:
    """Index of each value's band; ``bands.size`` when beyond the last."""
    if closed == "right":
        return np.searchsorted(bands, values, side="left")  # the first limit >= value
    idx = np.searchsorted(bands, values, side="right")  # the first limit > value
    if bands[0] == 0:
        idx = np.where(values == 0, 0, idx)
    return idx


def _distance(
    dx: npt.NDArray[np.float64], dy: npt.NDArray[np.float64], metric: str
) -> npt.NDArray[np.float64]:
    """The one distance formula: it decides both whether a pair is counted and its band."""
    distance: npt.NDArray[np.float64] = (
        np.abs(dx) + np.abs(dy) if metric == "manhattan" else np.hypot(dx, dy)
    )
    return distance


def _events(
    x: npt.ArrayLike, y: npt.ArrayLike, t: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    t = np.asarray(t).ravel()
    if not (x.size == y.size == t.size):
        raise ValueError(
            f"x, y and t must have one value per event, got {x.size}, {y.size}, {t.size}"
        )
    if x.size == 0:
        raise ValueError("no events: the period selected has no records with coordinates")
    if x.size < 2:
        raise ValueError("a single event has no pairs: the Knox test needs at least two events")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("event coordinates must be finite numbers (metres, EPSG:27700)")
    if not (np.issubdtype(t.dtype, np.number) or t.dtype == bool):
        try:
            t = t.astype(float)
        except (TypeError, ValueError):
            raise ValueError(
                "event times must be numbers: convert months with months_since() "
                "or dates with days_since()"
            ) from None
    t = t.astype(float)
    if not np.isfinite(t).all():
        raise ValueError("event times must be finite numbers (months or days)")
    return x, y, t


def _check_spread(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], t: npt.NDArray[np.float64]
) -> None:
    # Permuting times is uninformative when every event shares a place or a time.
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        raise ValueError(
            f"all {x.size:,} events are at one location ({x[0]:.0f}, {y[0]:.0f}): the Knox test "
            "needs events at two or more places"
        )
    if np.ptp(t) == 0:
        raise ValueError(
            f"all {t.size:,} events have the same time ({t[0]:g}): the Knox test needs events "
            "at two or more times (a window longer than one month or day)"
        )


def close_pairs(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    max_distance: float,
    *,
    max_pairs: int = MAX_PAIRS,
    metric: str = "euclidean",
    closed: str = "right",
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """All pairs of events within ``max_distance`` metres: ``(i, j, distance)`` with ``i < j``.

    Within means ``distance <= max_distance`` (``closed="right"``) or ``<`` (``"left"``), where
    ``distance`` is ``numpy.hypot(dx, dy)`` (``metric="euclidean"``) or ``|dx| + |dy|``
    (``"manhattan"``), computed once per pair. The k-d tree only proposes candidates.

    Raises
    ------
    ValueError
        More than ``max_pairs`` pairs (the message gives the count and the memory needed).
    """
    _options(metric, closed)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    pts = np.column_stack([x, y])
    tree = cKDTree(pts)
    p = 1 if metric == "manhattan" else 2
    # A slightly longer reach than the limit, so that no pair the exact distance keeps is lost
    # to the tree's own rounding; candidates beyond the limit are dropped below.
    reach = float(max_distance) * _REACH
    n_pairs = (int(tree.count_neighbors(tree, reach, p=p)) - len(pts)) // 2
    if n_pairs > max_pairs:
        raise ValueError(
            f"{n_pairs:,} pairs of events lie within {max_distance:,.0f} m (limit {max_pairs:,}; "
            f"about {n_pairs * 12 / 1e9:,.1f} GB): use a shorter largest distance band or fewer "
            "events"
        )
    pairs = tree.query_pairs(reach, p=p, output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    d = _distance(x[i] - x[j], y[i] - y[j], metric)
    keep = d <= max_distance if closed == "right" else d < max_distance
    return i[keep], j[keep], d[keep]


def knox_counts(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    t: npt.ArrayLike,
    distance_bands: npt.ArrayLike,
    time_bands: npt.ArrayLike,
    *,
    metric: str = "euclidean",
    closed: str = "right",
) -> npt.NDArray[np.int64]:
    """Pairs of events in each distance band × time band (the observed Knox table).

    Parameters
    ----------
    x, y, t, distance_bands, time_bands
        As :func:`knox_test`.
    metric : {"euclidean", "manhattan"}
        ``numpy.hypot(dx, dy)`` or ``|dx| + |dy|``.
    closed : {"right", "left"}
        ``(a, b]`` bands or ``[a, b)`` bands (the Near Repeat Calculator's).

    Returns
    -------
    numpy.ndarray of int, shape (len(distance_bands), len(time_bands))

    Examples
    --------
    >>> knox_counts([0, 50, 100, 900], [0, 0, 0, 0], [0, 0, 1, 0], [60, 120], [0, 1]).tolist()
    [[1, 1], [0, 1]]
    >>> # [a, b) bands: 50 m is in [50, 100), not [0, 50); 100 m is beyond.
    >>> knox_counts([0, 50, 100, 900], [0, 0, 0, 0], [0, 0, 1, 0], [50, 100], [1, 2],
    ...             closed="left").tolist()
    [[0, 0], [1, 1]]
    """
    _options(metric, closed)
    x, y, t = _events(x, y, t)
    sb = _bands(distance_bands, "distance_bands", closed)
    tb = _bands(time_bands, "time_bands", closed)
    i, j, d = close_pairs(x, y, sb[-1], metric=metric, closed=closed)
    s_idx = _band_index(sb, d, closed)
    t_idx = _band_index(tb, np.abs(t[i] - t[j]), closed)
    keep = t_idx < tb.size
    return np.bincount(s_idx[keep] * tb.size + t_idx[keep], minlength=sb.size * tb.size).reshape(
        sb.size, tb.size
    )


def _time_pairs_per_band(
    t: npt.NDArray[np.float64], tb: npt.NDArray[np.float64], closed: str = "right"
) -> npt.NDArray[np.int64]:
    """How many pairs of events (any distance) have a time gap in each band, exactly."""
    st = np.sort(t)
    # Pairs with gap <= L (or < L): for each event, the later events within L (sorted times).
    within = np.array(
        [
            int(
                (
                    np.searchsorted(st, st + lim, side="right" if inclusive else "left")
                    - np.arange(st.size)
                    - 1
                ).sum()
            )
            for lim, inclusive in zip(tb, _inclusive(tb, closed), strict=True)
        ]
    )
    return np.diff(np.concatenate([[0], within]))


def _permuted_times(
    rng: np.random.Generator, t: npt.NDArray[np.float64], batch: int
) -> npt.NDArray[np.float64]:
    """``batch`` rows, each the times in a fresh uniformly random order."""
    out = np.empty((batch, t.size), dtype=t.dtype)
    for r in range(batch):
        out[r] = t[rng.permutation(t.size)]
    return out


@dataclass(frozen=True)
class KnoxResult:
    """Knox table: frames indexed by distance band, one column per time band.

    ``calculator`` is the same table as the Near Repeat Calculator lays it out: the requested
    bands plus a *beyond* row (pairs farther apart than the last distance band) and a *beyond*
    column (pairs further apart in time than the last time band), so the cells hold every pair
    of events. One row per cell: ``distance_band``, ``time_band``, ``observed``, ``expected``,
    ``ratio`` (the Knox ratio, observed / expected), ``p_value`` and ``simulated_mean``.
    """

    observed: pd.DataFrame
    expected: pd.DataFrame
    ratio: pd.DataFrame
    p_value: pd.DataFrame
    simulated_mean: pd.DataFrame
    permutations: int
    seed: int | None
    n_events: int
    n_close_pairs: int
    metric: str = "euclidean"
    closed: str = "right"
    calculator: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per distance band × time band, for tables and JSON."""
        parts = {
            "observed": self.observed,
            "expected": self.expected,
            "ratio": self.ratio,
            "p_value": self.p_value,
            "simulated_mean": self.simulated_mean,
        }
        out = pd.concat({k: v.stack() for k, v in parts.items()}, axis=1)
        out.index.names = ["distance_band", "time_band"]
        return out.reset_index()

    def calculator_table(self, what: str) -> pd.DataFrame:
        """One of ``observed``, ``expected``, ``ratio``, ``p_value`` as a grid with the beyond row
        and column (distance bands down, time bands across), as the Calculator shows it."""
        if self.calculator is None:
            raise ValueError("this result has no Calculator table (made by an older version)")
        if what not in ("observed", "expected", "ratio", "p_value", "simulated_mean"):
            raise ValueError(f"no such Calculator table: {what!r}")
        grid = self.calculator.pivot(index="distance_band", columns="time_band", values=what)
        rows = list(dict.fromkeys(self.calculator["distance_band"]))
        cols = list(dict.fromkeys(self.calculator["time_band"]))
        return grid.loc[rows, cols].rename_axis(index=None, columns=None)

    def to_calculator_csv(self) -> str:
        """The Knox table in the Near Repeat Calculator's layout, as CSV text.

        Four blocks, each a title line then a grid of distance bands (down) by time bands
        (across) with the beyond row and column: observed pairs, expected pairs (exact, under no
        space-time interaction), the Knox ratio (observed / expected) and the Monte-Carlo
        p-value. Band labels state their intervals (``[0, 2) days``), not the Calculator's
        "0 to 2", which hides which ends are included.
        """
        blocks = (
            ("Observed frequencies", "observed", lambda v: f"{int(v)}"),
            ("Expected frequencies (exact, no space-time interaction)", "expected", "{:.3f}"),
            ("Knox ratio (observed / expected)", "ratio", "{:.3f}"),
            (f"Statistical significance (p, {self.permutations} permutations)", "p_value", "{:g}"),
        )
        closure = "(a, b]" if self.closed == "right" else "[a, b)"
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\n")
        out.writerow(
            [
                f"Knox test: {self.n_events} events, {self.metric} distance, {closure} bands, "
                f"{self.permutations} permutations, seed {self.seed}"
            ]
        )
        for title, what, fmt in blocks:
            grid = self.calculator_table(what)
            form = fmt if callable(fmt) else fmt.format
            out.writerow([])
            out.writerow([title])
            out.writerow(["", *grid.columns])
            for label, row in grid.iterrows():
                out.writerow([label, *("" if not np.isfinite(v) else form(v) for v in row)])
        return buffer.getvalue()


def _labels(bands: npt.NDArray[np.float64], unit: str, closed: str = "right") -> list[str]:
    def fmt(v: float) -> str:
        return f"{v:g}"

    if closed == "left":
        out = [f"0 {unit}" if bands[0] == 0 else f"[0, {fmt(bands[0])}) {unit}"]
        out += [
            f"{'(' if a == 0 else '['}{fmt(a)}, {fmt(b)}) {unit}"
            for a, b in zip(bands[:-1], bands[1:], strict=True)
        ]
        return out
    out = [f"[0, {fmt(bands[0])}] {unit}"]
    out += [f"({fmt(a)}, {fmt(b)}] {unit}" for a, b in zip(bands[:-1], bands[1:], strict=True)]
    return out


def _beyond(bands: npt.NDArray[np.float64], unit: str, closed: str) -> str:
    return (
        f"{bands[-1]:g} {unit} or more" if closed == "left" else f"more than {bands[-1]:g} {unit}"
    )


def _with_beyond(
    tables: npt.NDArray[np.int64],
    space: npt.NDArray[np.int64],
    time: npt.NDArray[np.int64],
    total: int,
) -> npt.NDArray[np.int64]:
    """Add the beyond row and column to (…, distance bands, time bands) tables of counts.

    The margins are fixed under any permutation of the times: each distance band holds the same
    pairs of places, and the pairs of times over all pairs of events are the same whatever the
    order. So the beyond cells of every table follow from its in-band cells.
    """
    lead = tables.shape[:-2]
    ns, nt = tables.shape[-2:]
    out = np.zeros((*lead, ns + 1, nt + 1), dtype=np.int64)
    out[..., :ns, :nt] = tables
    out[..., :ns, nt] = space - tables.sum(axis=-1)
    out[..., ns, :nt] = time - tables.sum(axis=-2)
    out[..., ns, nt] = total - space.sum() - time.sum() + tables.sum(axis=(-2, -1))
    return out


@overload
def knox_test(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    t: npt.ArrayLike,
    distance_bands: npt.ArrayLike,
    time_bands: npt.ArrayLike,
    *,
    permutations: int = PERMUTATIONS,
    seed: int | None = SEED,
    time_unit: str = "months",
    max_pairs: int = MAX_PAIRS,
    keep_simulations: Literal[False] = False,
    metric: str = "euclidean",
    closed: str = "right",
) -> KnoxResult: ...


@overload
def knox_test(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    t: npt.ArrayLike,
    distance_bands: npt.ArrayLike,
    time_bands: npt.ArrayLike,
    *,
    permutations: int = PERMUTATIONS,
    seed: int | None = SEED,
    time_unit: str = "months",
    max_pairs: int = MAX_PAIRS,
    keep_simulations: Literal[True],
    metric: str = "euclidean",
    closed: str = "right",
) -> tuple[KnoxResult, npt.NDArray[np.int64]]: ...


def knox_test(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    t: npt.ArrayLike,
    distance_bands: npt.ArrayLike,
    time_bands: npt.ArrayLike,
    *,
    permutations: int = PERMUTATIONS,
    seed: int | None = SEED,
    time_unit: str = "months",
    max_pairs: int = MAX_PAIRS,
    keep_simulations: bool = False,
    metric: str = "euclidean",
    closed: str = "right",
) -> KnoxResult | tuple[KnoxResult, npt.NDArray[np.int64]]:
    """Knox test for near-repeats over distance and time bands, with Monte-Carlo p-values.

    Parameters
    ----------
    x, y : array_like
        Event coordinates in metres (British National Grid).
    t : array_like
        Event times as numbers: month numbers for police.uk data (see :func:`months_since`),
        day numbers for dated partner data.
    distance_bands, time_bands : sequence of float
        Increasing upper limits of the bands (metres; months or days).
    permutations : int
        Random permutations of the times (``R``).
    seed : int
        Seed for the permutations.
    time_unit : str
        Word used in the time band labels.
    max_pairs : int
        Refuse when more pairs than this lie within the largest distance band.
    keep_simulations : bool
        Also return the ``(R, distance bands, time bands)`` array of simulated tables.
    metric : {"euclidean", "manhattan"}
        ``numpy.hypot(dx, dy)`` or ``|dx| + |dy|``.
    closed : {"right", "left"}
        ``(a, b]`` bands (the default) or ``[a, b)`` bands, as the Near Repeat Calculator counts
        (see :func:`calculator_bands`).

    Returns
    -------
    KnoxResult
        ``observed``, exact ``expected``, ``ratio = observed / expected``, ``p_value`` and the
        ``simulated_mean``, and the ``calculator`` table with the beyond row and column; with
        ``keep_simulations`` a tuple ``(result, simulations)``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.uniform(0, 5000, 400), rng.uniform(0, 5000, 400)
    >>> t = rng.integers(0, 12, 400)
    >>> # Plant near-repeats: 40 follow-up events 20 m away in the same month.
    >>> x = np.append(x, x[:40] + 20); y = np.append(y, y[:40]); t = np.append(t, t[:40])
    >>> res = knox_test(x, y, t, [100, 200], [0, 1], permutations=199, seed=1)
    >>> int(res.observed.iloc[0, 0]), float(res.p_value.iloc[0, 0])
    (50, 0.005)
    """
    _options(metric, closed)
    x, y, t = _events(x, y, t)
    sb = _bands(distance_bands, "distance_bands", closed)
    tb = _bands(time_bands, "time_bands", closed)
    if permutations < 1:
        raise ValueError(f"permutations must be at least 1, got {permutations}")
    _check_spread(x, y, t)
    n = x.size
    i, j, d = close_pairs(x, y, sb[-1], max_pairs=max_pairs, metric=metric, closed=closed)
    s_idx = _band_index(sb, d, closed)
    order = np.argsort(s_idx, kind="stable")
    i, j, s_idx = i[order], j[order], s_idx[order]
    bounds = np.searchsorted(s_idx, np.arange(sb.size + 1), side="left")
    ns, nt = sb.size, tb.size

    # Small integers make the per-permutation passes cheap; exact for whole months or days.
    # A gap g is within a band's limit L when g <= L (an inclusive limit) or g < L; for whole
    # numbers that is g <= floor(L), or g <= ceil(L) - 1.
    inclusive = _inclusive(tb, closed)
    integral = np.all(t == np.round(t)) and np.ptp(t) < 2**15 - 1
    if integral:
        tt = (t - t.min()).astype(np.int16)
        whole = np.where(inclusive, np.floor(tb), np.ceil(tb) - 1)
        limits = np.minimum(whole, 2**15 - 1).astype(np.int16)
        compare: list[np.ufunc] = [np.less_equal] * tb.size
    else:
        tt = t
        limits = tb
        compare = [np.less_equal if inc else np.less for inc in inclusive]
    idx_i = i.astype(np.intp)
    idx_j = j.astype(np.intp)

    def table(gaps: np.ndarray) -> np.ndarray:
        # gaps: (batch, pairs) absolute time differences, pairs sorted by distance band.
        # Whole-row comparisons, then a popcount per contiguous slice: much faster than
        # counting along an axis.
        at_most = np.empty((gaps.shape[0], ns, nt), dtype=np.int64)
        for b, lim in enumerate(limits):
            close = compare[b](gaps, lim)
            for r in range(gaps.shape[0]):
                row = close[r]
                for a in range(ns):
                    at_most[r, a, b] = np.count_nonzero(row[bounds[a] : bounds[a + 1]])
        return np.diff(at_most, axis=2, prepend=0)

    observed = table(np.abs(tt[idx_i] - tt[idx_j])[None, :])[0]

    rng = np.random.default_rng(seed)
    batch = max(1, min(permutations, _BATCH_ELEMENTS // max(i.size, 1)))
    sims = np.empty((permutations, ns, nt), dtype=np.int64)
    done = 0
    while done < permutations:
        b = min(batch, permutations - done)
        tp = _permuted_times(rng, tt, b)
        # Row by row: a 1-D take is much faster than a 2-D one along an axis.
        gaps = np.empty((b, idx_i.size), dtype=tp.dtype)
        for r in range(b):
            np.subtract(tp[r].take(idx_i), tp[r].take(idx_j), out=gaps[r])
        np.abs(gaps, out=gaps)
        sims[done : done + b] = table(gaps)
        done += b

    space_pairs = np.bincount(s_idx, minlength=ns)
    time_pairs = _time_pairs_per_band(t, tb, closed)
    all_pairs = n * (n - 1) // 2
    expected = np.outer(space_pairs, time_pairs) / all_pairs
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = observed / expected
    p = (1 + (sims >= observed[None]).sum(axis=0)) / (permutations + 1)

    rows, cols = _labels(sb, "m", closed), _labels(tb, time_unit, closed)

    def frame(a: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(a, index=rows, columns=cols)

    # The Calculator's layout: the same cells plus the beyond row and column.
    obs_all = _with_beyond(observed, space_pairs, time_pairs, all_pairs)
    sims_all = _with_beyond(sims, space_pairs, time_pairs, all_pairs)
    space_all = np.append(space_pairs, all_pairs - space_pairs.sum())
    time_all = np.append(time_pairs, all_pairs - time_pairs.sum())
    exp_all = np.outer(space_all, time_all) / all_pairs
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio_all = obs_all / exp_all
    rows_all = [*rows, _beyond(sb, "m", closed)]
    cols_all = [*cols, _beyond(tb, time_unit, closed)]
    calculator = pd.DataFrame(
        {
            "distance_band": np.repeat(rows_all, nt + 1),
            "time_band": np.tile(cols_all, ns + 1),
            "observed": obs_all.ravel(),
            "expected": exp_all.ravel(),
            "ratio": ratio_all.ravel(),
            "p_value": ((1 + (sims_all >= obs_all[None]).sum(axis=0)) / (permutations + 1)).ravel(),
            "simulated_mean": sims_all.mean(axis=0).ravel(),
        }
    )

    result = KnoxResult(
        observed=frame(observed),
        expected=frame(expected),
        ratio=frame(ratio),
        p_value=frame(p),
        simulated_mean=frame(sims.mean(axis=0)),
        permutations=permutations,
        seed=seed,
        n_events=n,
        n_close_pairs=int(i.size),
        metric=metric,
        closed=closed,
        calculator=calculator,
    )
    return (result, sims) if keep_simulations else result
