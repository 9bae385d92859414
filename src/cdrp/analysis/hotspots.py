"""Getis-Ord Gi* hot-spots with fast conditional permutation inference and FDR-controlled classes.

Gi* (Getis & Ord 1992; Ord & Getis 1995) compares the total of a unit and its neighbours with
what the whole study area would lead one to expect. With binary weights ``w_ij`` that include the
unit itself (``star``), ``n`` units with values ``x``, mean ``x̄`` and
``S = sqrt(Σx²/n − x̄²)``, the z-score is

    z_i = (Σ_j w_ij x_j − x̄ W_i) / (S · sqrt((n W_i − W_i²) / (n − 1))),   W_i = Σ_j w_ij,

exactly the quantity esda's ``G_Local(y, w, transform="B", star=True).Zs`` returns (the tests
check agreement to 1e-9).

Inference. The normal p-value (two-sided) is ``2 Φ(−|z|)``. The permutation p-value uses
*conditional* randomisation (Anselin 1995): the unit keeps its own value and its ``W_i − 1``
neighbours are replaced by a random sample, without replacement, of the other ``n − 1`` values.
Like esda, one random sample of ``K = max W_i − 1`` positions per replication is drawn and shared
by every unit (unit ``i`` uses its first ``W_i − 1`` positions, skipping itself); each unit's
reference distribution is still exactly the conditional one. Sharing the draws is what lets the
whole computation run as a few array operations instead of a loop over units (see
:func:`permutation_counts`). A consequence, shared with esda: the Monte-Carlo errors of one map
are correlated (a draw rich in high values lowers every unit's p a little), so the map-wide
average p moves with the seed more than independent draws would make it; each unit's p is
still within its own Monte-Carlo error. The two-sided permutation p-value is

    p_sim = min(1, 2 (1 + min(#{sim ≥ obs}, #{sim ≤ obs})) / (R + 1)),

which counts ties on both sides (esda's "directed" p-value counts a tie only in the upper tail,
so a zero cell among zero neighbours comes out as a "significant" cold spot there). esda's
directed value is ``(1 + min(n_ge, R − n_ge)) / (R + 1)`` from the ``n_sim_ge`` column.

Classes. Many units are tested at once, so the p-values are adjusted with the Benjamini–Hochberg
false-discovery-rate procedure (1995) before classifying: a unit is a "hot spot 99%" when its
adjusted p-value ``q ≤ 0.01`` and ``z > 0``, "hot spot 95%" when ``q ≤ 0.05``, "hot spot 90%" when
``q ≤ 0.10``; likewise "cold spot" for ``z < 0``; otherwise "not significant" (the FDR reading of
ArcGIS's Gi* bins). With ``R`` permutations no p-value is below ``2 / (R + 1)``, so among ``n``
units a unit can pass the FDR at level ``α`` only when at least ``2 n / ((R + 1) α)`` units
reach that floor: on large grids with few clusters, raise ``permutations`` or classify on the
normal p-values (``basis="normal"``, the usual ArcGIS choice, less safe for skewed counts).

Refinement. That floor is why, by default, units still extreme after the first ``R = 999``
draws (fewer than ``REFINE_BELOW`` draws as extreme) get more, up to ``REFINE_TO = 9,999`` in
all, and their p-value uses all their draws: ``2 (1 + m) / (R_i + 1)``. This two-stage Monte-Carlo
test stays valid (after Besag & Clifford 1991): a unit stopped after stage one has
``p ≥ 2 (1 + REFINE_BELOW) / (R + 1)``, and one that continues had a stage-one p below that,
so for any level α the event "p ≤ α" is contained in an event of probability at most α under
the null. Only the few extreme units are refined, so it costs little (the ``permutations``
column says how many draws each unit got). Set ``refine_to=0`` for exactly ``R`` draws.

References
----------
Getis, A. and Ord, J. K. (1992) The analysis of spatial association by use of distance
statistics. Geographical Analysis 24(3), 189–206.
Ord, J. K. and Getis, A. (1995) Local spatial autocorrelation statistics: distributional issues
and an application. Geographical Analysis 27(4), 286–306.
Anselin, L. (1995) Local indicators of spatial association—LISA. Geographical Analysis 27(2).
Besag, J. and Clifford, P. (1991) Sequential Monte Carlo p-values. Biometrika 78(2), 301–304.
Benjamini, Y. and Hochberg, Y. (1995) Controlling the false discovery rate. JRSS B 57(1), 289–300.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse, stats

if TYPE_CHECKING:
    from pandas._typing import Axes

__all__ = [
    "CLASSES",
    "CONFIDENCE_LEVELS",
    "NOT_SIGNIFICANT",
    "PERMUTATIONS",
    "REFINE_BELOW",
    "REFINE_TO",
    "SEED",
    "benjamini_hochberg",
    "classify",
    "draw_permutation_ids",
    "gi_star",
    "gi_star_z",
    "permutation_counts",
]

#: Conditional permutations by default.
PERMUTATIONS = 999
#: Default seed, so that a rerun gives the same p-values.
SEED = 20221101
#: Units still extreme after the first permutations get draws up to this many in all.
REFINE_TO = 9_999
#: "Still extreme": fewer than this many draws at least as extreme as observed.
REFINE_BELOW = 5
#: Confidence levels of the classes, most confident first.
CONFIDENCE_LEVELS = (0.99, 0.95, 0.90)
NOT_SIGNIFICANT = "not significant"
#: Every class, hottest to coldest.
CLASSES = (
    "hot spot 99%",
    "hot spot 95%",
    "hot spot 90%",
    NOT_SIGNIFICANT,
    "cold spot 90%",
    "cold spot 95%",
    "cold spot 99%",
)
# Simulated totals within this relative distance of the observed one count as ties.
_TIE_RTOL = 1e-12
# Extra draws per batch when refining.
_REFINE_CHUNK = 2_000
# Bytes the permutation work space may use at once.
_CHUNK_BYTES = 32 * 1024**2


def _as_adjacency(adjacency: object) -> sparse.csr_matrix:
    if hasattr(adjacency, "sparse") and not sparse.issparse(adjacency):  # a libpysal W or Graph
        adjacency = adjacency.sparse
    adj = sparse.csr_matrix(adjacency, dtype=float)
    if adj.shape[0] != adj.shape[1]:
        raise ValueError(f"weights must be square, got {adj.shape[0]} × {adj.shape[1]}")
    adj = adj.copy()
    adj.setdiag(0)
    adj.eliminate_zeros()
    if adj.nnz and not np.all(adj.data == 1):
        raise ValueError("Gi* here uses binary weights: every weight must be 0 or 1")
    adj.sort_indices()
    return adj


def _check_values(y: npt.ArrayLike, n: int) -> npt.NDArray[np.float64]:
    y = np.asarray(y, dtype=float).ravel()
    if y.size != n:
        raise ValueError(f"{y.size} values for {n} spatial units: give one value per unit")
    if n < 3:
        raise ValueError(f"Gi* needs at least 3 spatial units, got {n}")
    if not np.isfinite(y).all():
        raise ValueError("values must be finite numbers (a count per unit, zero where none)")
    if y.sum() == 0:
        raise ValueError(f"all {n:,} units have zero records: the period selected is empty")
    if np.ptp(y) == 0:
        raise ValueError(
            f"all {n:,} units have the same value ({y[0]:g}): Gi* is undefined without variation"
        )
    return y


def gi_star_z(y: npt.ArrayLike, adjacency: object) -> npt.NDArray[np.float64]:
    """Gi* z-scores with binary weights including the unit itself (Ord & Getis 1995).

    Parameters
    ----------
    y : array_like, shape (n,)
        A value per unit (usually a count).
    adjacency : scipy.sparse matrix or libpysal W, shape (n, n)
        Binary neighbour weights; any diagonal is ignored (the unit is always included).

    Returns
    -------
    numpy.ndarray
        z-score per unit; equals esda ``G_Local(y, w, transform="B", star=True).Zs``. NaN for
        a unit whose neighbourhood is the whole study area (its Gi* has no variance).

    Examples
    --------
    >>> from cdrp.analysis.weights import Grid, grid_queen
    >>> y = [0, 0, 1, 0, 9, 8, 0, 7, 9, 3, 0, 0, 2, 0, 1, 1]
    >>> gi_star_z(y, grid_queen(Grid(0, 0, 1, 4, 4))).round(2)[:6].tolist()
    [1.11, 0.39, 0.09, -0.37, 2.0, 0.99]
    """
    adj = _as_adjacency(adjacency)
    n = adj.shape[0]
    values = _check_values(y, n)
    lag = adj @ values + values
    card = np.diff(adj.indptr) + 1.0
    mean = values.mean()
    s = np.sqrt((values**2).mean() - mean**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        z: npt.NDArray[np.float64] = (lag - mean * card) / (
            s * np.sqrt((n * card - card**2) / (n - 1))
        )
    return z


def draw_permutation_ids(
    n: int, k: int, permutations: int, seed: int | Sequence[int] | None
) -> npt.NDArray[np.int64]:
    """Random positions for conditional permutation: ``permutations`` rows of ``k`` distinct
    integers in ``[0, n − 1)``, every ordered sample equally likely.

    Position ``p`` stands for unit ``p`` when ``p < i`` and unit ``p + 1`` otherwise, so the
    focal unit ``i`` is never drawn (esda's convention).

    Examples
    --------
    >>> ids = draw_permutation_ids(10, 3, 5, seed=1)
    >>> ids.shape, bool(ids.max() < 9), all(len(set(r)) == 3 for r in ids.tolist())
    ((5, 3), True, True)
    """
    m = n - 1
    if k > m:
        raise ValueError(f"cannot draw {k} distinct neighbours from {m} other units")
    rng = np.random.default_rng(seed)
    if k == 0:
        return np.zeros((permutations, 0), dtype=np.int64)
    # Few units or many neighbours: order random keys. Otherwise draw with replacement and
    # redraw the (rare) rows with a repeat, which is exact rejection sampling.
    if k * k > m:
        keys = rng.random((permutations, m))
        part = np.argpartition(keys, k - 1, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(keys, part, axis=1), axis=1)
        return np.take_along_axis(part, order, axis=1).astype(np.int64)
    ids = rng.integers(0, m, size=(permutations, k))
    while True:
        srt = np.sort(ids, axis=1)
        bad = np.flatnonzero((srt[:, 1:] == srt[:, :-1]).any(axis=1))
        if bad.size == 0:
            return ids.astype(np.int64)
        ids[bad] = rng.integers(0, m, size=(bad.size, k))


def permutation_counts(
    y: npt.ArrayLike,
    adjacency: object,
    ids: npt.ArrayLike,
    cells: npt.ArrayLike | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For each unit, how many conditional permutations give a Gi* total ≥ and ≤ the observed.

    Vectorised over units and replications: for replication ``r`` and unit ``i`` with ``c``
    neighbours, the simulated neighbour total is ``Σ_{k<c} y[p_k + (p_k ≥ i)]`` with
    ``p = ids[r]``. Writing ``y[p + 1] − y[p] = d_p``, this is the prefix sum ``Σ_{k<c} y[p_k]``
    plus ``Σ_{k<c, p_k ≥ i} d_{p_k}``, a step function of ``i`` obtained for all units at once
    by a cumulative sum. One pass per distinct neighbour count, in chunks of replications.

    Parameters
    ----------
    y : array_like, shape (n,)
    adjacency : sparse matrix, shape (n, n), binary
    ids : numpy.ndarray, shape (R, K)
        From :func:`draw_permutation_ids` (or esda's ``vec_permutations``), ``K ≥ max W_i − 1``.
    cells : array_like of int, optional
        Count only for these units (the others get 0); cheap when they are few.

    Returns
    -------
    n_ge, n_le : numpy.ndarray of int, shape (n,)
        Replications whose simulated Gi* is at least / at most the observed one.
    """
    adj = _as_adjacency(adjacency)
    n = adj.shape[0]
    y = np.asarray(y, dtype=float).ravel()
    card = np.diff(adj.indptr)
    obs = adj @ y + y
    tol = _TIE_RTOL * max(np.abs(y).sum(), 1.0)
    ids = np.asarray(ids, dtype=np.int64)
    R = ids.shape[0]
    if card.max(initial=0) > ids.shape[1]:
        raise ValueError("ids has fewer columns than the largest number of neighbours")
    n_ge = np.zeros(n, dtype=np.int64)
    n_le = np.zeros(n, dtype=np.int64)
    # Islands: the simulated total is always the unit's own value, equal to the observed one.
    islands = card == 0
    n_ge[islands] = R
    n_le[islands] = R
    wanted = np.ones(n, dtype=bool)
    subset = cells is not None
    if subset:
        wanted[:] = False
        wanted[np.asarray(cells, dtype=np.int64)] = True
        n_ge[~wanted] = 0
        n_le[~wanted] = 0
    groups = [
        (c, np.flatnonzero((card == c) & wanted)) for c in np.unique(card[(card > 0) & wanted])
    ]
    chunk = max(1, min(R, _CHUNK_BYTES // (8 * (n + 1))))
    # Pad y so that y[p + 1] exists for the last position.
    ypad = np.append(y, 0.0)
    # What the neighbours must reach: observed total less the unit's own (fixed) value.
    need = obs - y
    for start in range(0, R, chunk):
        p = ids[start : start + chunk]
        b = p.shape[0]
        a = y[p]
        d = ypad[p + 1] - a
        prefix = np.cumsum(a, axis=1)
        for c, members in groups:
            if subset or members.size * c < n:
                # Few units with this many neighbours: add the shifts up directly.
                sims = np.repeat(prefix[:, c - 1 : c], members.size, axis=1)
                for k in range(c):
                    sims += np.where(p[:, k : k + 1] >= members[None, :], d[:, k : k + 1], 0.0)
                sims -= need[members]
                n_ge[members] += np.count_nonzero(sims >= -tol, axis=0)
                n_le[members] += np.count_nonzero(sims <= tol, axis=0)
                continue
            # Add d at 0 and subtract it after position p: the cumulative sum at unit i is then
            # the total of d over the drawn positions p >= i, for every unit at once.
            rows = np.arange(b)[:, None] * (n + 1)
            step = np.bincount(
                (rows + p[:, :c] + 1).ravel(), weights=-d[:, :c].ravel(), minlength=b * (n + 1)
            ).reshape(b, n + 1)
            step[:, 0] += d[:, :c].sum(axis=1)
            np.cumsum(step, axis=1, out=step)
            sims = step[:, :n]
            sims += prefix[:, c - 1 : c]
            sims -= need
            n_ge[members] += np.count_nonzero(sims >= -tol, axis=0)[members]
            n_le[members] += np.count_nonzero(sims <= tol, axis=0)[members]
    return n_ge, n_le


def benjamini_hochberg(p: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Benjamini–Hochberg adjusted p-values (q-values): reject at FDR ``α`` where ``q ≤ α``.

    Matches ``statsmodels.stats.multitest.multipletests(p, method="fdr_bh")[1]``.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.5]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.5]
    """
    values = np.asarray(p, dtype=float)
    m = values.size
    if m == 0:
        return values.copy()
    order = np.argsort(values)
    ranked = values[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1.0)
    return out


def classify(z: npt.ArrayLike, p: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """Hot/cold class at 99/95/90% from z and a (preferably FDR-adjusted) p-value.

    Examples
    --------
    >>> classify([2.9, -2.0, 1.7, 0.3], [0.004, 0.04, 0.09, 0.7]).tolist()
    ['hot spot 99%', 'cold spot 95%', 'hot spot 90%', 'not significant']
    """
    z = np.asarray(z, dtype=float)
    p = np.asarray(p, dtype=float)
    out = np.full(z.shape, NOT_SIGNIFICANT, dtype=object)
    for level in sorted(CONFIDENCE_LEVELS):  # least confident first, so the strictest wins
        sig = p <= 1 - level + 1e-12
        pct = f"{round(level * 100)}%"
        out[sig & (z > 0)] = f"hot spot {pct}"
        out[sig & (z < 0)] = f"cold spot {pct}"
    return out


def gi_star(
    y: npt.ArrayLike,
    adjacency: object,
    *,
    permutations: int = PERMUTATIONS,
    seed: int | None = SEED,
    fdr: bool = True,
    basis: str = "permutation",
    refine_to: int = REFINE_TO,
    refine_below: int = REFINE_BELOW,
    ids: npt.NDArray[np.int64] | None = None,
    index: Axes | None = None,
) -> pd.DataFrame:
    """Getis-Ord Gi* hot-spots: z, two-sided normal and permutation p-values, FDR, class.

    Parameters
    ----------
    y : array_like, shape (n,)
        Value per unit (count of records in an LSOA or grid cell, zero where none).
    adjacency : scipy.sparse matrix or libpysal W, shape (n, n)
        Binary neighbour weights (queen contiguity or a distance band); see
        :mod:`cdrp.analysis.weights`.
    permutations : int
        Conditional permutations (0 for the normal approximation only).
    seed : int
        Seed of the random draws; the same seed gives the same p-values.
    fdr : bool
        Classify on Benjamini–Hochberg adjusted p-values (default) or on raw ones.
    basis : {"permutation", "normal"}
        Which p-value the class uses: the permutation one (default) or the normal one.
    refine_to : int
        Units with fewer than ``refine_below`` draws as extreme as observed after the first
        ``permutations`` get more draws, up to ``refine_to`` in all (0 or ≤ ``permutations``:
        no refinement). See the module docstring.
    refine_below : int
        See ``refine_to``.
    ids : numpy.ndarray, optional
        Pre-drawn permutation positions (see :func:`draw_permutation_ids`), e.g. esda's; no
        refinement then.
    index : array_like, optional
        Labels for the rows of the result (LSOA codes, cell numbers).

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``value``, ``neighbours`` (``W_i − 1``), ``z``, ``p_norm``
        (two-sided), ``permutations`` (draws for this unit), ``n_sim_ge``, ``n_sim_le``,
        ``p_sim`` (two-sided, NaN without permutations), ``q`` (FDR-adjusted p used for the
        class) and ``cls``.

    Raises
    ------
    ValueError
        Fewer than 3 units, no records, or the same value everywhere.

    Examples
    --------
    >>> from cdrp.analysis.weights import Grid, grid_queen
    >>> grid = Grid(0, 0, 100, 10, 10)
    >>> y = np.zeros(100)
    >>> y[[44, 45, 54, 55]] = 12  # a cluster in the middle
    >>> y[[0, 9, 90]] = 1
    >>> out = gi_star(y, grid_queen(grid), seed=1)
    >>> out.loc[[44, 0], ["z", "permutations", "p_sim", "cls"]].round(3).values.tolist()
    [[6.418, 9999, 0.001, 'hot spot 95%'], [-0.225, 999, 1.0, 'not significant']]
    """
    adj = _as_adjacency(adjacency)
    n = adj.shape[0]
    y = _check_values(y, n)
    if basis not in ("permutation", "normal"):
        raise ValueError(f'basis must be "permutation" or "normal", got {basis!r}')
    if basis == "permutation" and not permutations:
        raise ValueError('basis="permutation" needs permutations > 0')
    z = gi_star_z(y, adj)
    p_norm = 2 * stats.norm.sf(np.abs(z))
    k = int(np.diff(adj.indptr).max(initial=0))
    if permutations:
        refine = ids is None and refine_to > permutations
        if ids is None:
            ids = draw_permutation_ids(n, k, int(permutations), seed)
        n_ge, n_le = permutation_counts(y, adj, ids)
        draws = np.full(n, ids.shape[0], dtype=np.int64)
        extreme = (
            np.flatnonzero(np.minimum(n_ge, n_le) < refine_below)
            if refine
            else np.empty(0, dtype=np.intp)
        )
        for start in range(0, (refine_to - permutations) if len(extreme) else 0, _REFINE_CHUNK):
            size = min(_REFINE_CHUNK, refine_to - permutations - start)
            more = draw_permutation_ids(n, k, size, None if seed is None else [seed, 1, start])
            ge, le = permutation_counts(y, adj, more, cells=extreme)
            n_ge += ge
            n_le += le
            draws[extreme] += size
        p_sim = np.minimum(1.0, 2 * (1 + np.minimum(n_ge, n_le)) / (draws + 1))
    else:
        n_ge = n_le = np.full(n, -1, dtype=np.int64)
        draws = np.zeros(n, dtype=np.int64)
        p_sim = np.full(n, np.nan)
    p_used = p_sim if basis == "permutation" else p_norm
    q = benjamini_hochberg(p_used) if fdr else p_used
    return pd.DataFrame(
        {
            "value": y,
            "neighbours": np.diff(adj.indptr),
            "z": z,
            "p_norm": p_norm,
            "permutations": draws,
            "n_sim_ge": n_ge,
            "n_sim_le": n_le,
            "p_sim": p_sim,
            "q": q,
            "cls": classify(z, q),
        },
        index=index,
    )
