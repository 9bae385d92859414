"""Emerging hot-spots: how each unit's Gi* hot/cold status has behaved over a rolling window.

Input: a Gi* z-score and p-value per unit for each of the last ``window`` time steps (months
with data, oldest first; see :func:`gi_star_series`). A unit is *hot* at a step when ``z > 0``
and ``p ≤ alpha``, *cold* when ``z < 0`` and ``p ≤ alpha``. Over the window, with ``W`` steps,
"mostly" meaning at least ``share`` of the ``W`` steps (default 90%), and the trend being the
Mann-Kendall test of the z-scores over the window at level ``trend_alpha``:

========================  ==================================================================
pattern                   definition (checked in this order)
========================  ==================================================================
intensifying hot spot     hot at the last step, hot mostly, significant upward trend
persistent hot spot       hot at the last step, hot mostly, no significant trend
diminishing hot spot      hot at the last step, hot mostly, significant downward trend
historical hot spot       not hot at the last step, but hot mostly
new hot spot              hot at the last step only (never before in the window)
consecutive hot spot      one unbroken run of ≥ 2 hot steps ending at the last step, never
                          hot before the run, hot less than mostly
sporadic hot spot         hot at the last step, hot on and off before (not one run), hot
                          less than mostly, never cold
oscillating hot spot      hot at the last step, cold at some earlier step, hot less than
                          mostly
========================  ==================================================================

The same eight patterns with "cold" for "hot" (and a downward trend as "intensifying") follow
for cold spots; every other unit is "no pattern detected". These are the definitions of ArcGIS
Pro's Emerging Hot Spot Analysis, except that the window, the share, ``alpha`` and
``trend_alpha`` are parameters here and the time steps are months.

Mann-Kendall (Mann 1945; Kendall 1975): ``S = Σ_{i<j} sign(x_j − x_i)``,
``Var S = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18`` over groups of tied values,
``Z = (S − sign S) / sqrt(Var S)`` (continuity correction), two-sided ``p = 2 Φ(−|Z|)``.
Without the correction ``Z`` is SciPy's ``kendalltau(time, x)`` statistic (checked in tests).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy import stats

from cdrp.analysis.hotspots import PERMUTATIONS, SEED, gi_star
from cdrp.analysis.weights import polygon_queen, project_to_bng

if TYPE_CHECKING:
    from pandas._typing import Axes

__all__ = [
    "ALPHA",
    "NO_PATTERN",
    "PATTERNS",
    "SHARE",
    "TREND_ALPHA",
    "WINDOW",
    "classify_emerging",
    "emerging_hotspots",
    "gi_star_series",
    "mann_kendall",
]

#: Time steps (months with data) in the window.
WINDOW = 12
#: "Mostly": at least this share of the window's steps.
SHARE = 0.9
#: Level at which a step counts as hot or cold.
ALPHA = 0.05
#: Level of the Mann-Kendall trend test.
TREND_ALPHA = 0.05
NO_PATTERN = "no pattern detected"
_KINDS = (
    "intensifying",
    "persistent",
    "diminishing",
    "historical",
    "new",
    "consecutive",
    "sporadic",
    "oscillating",
)
#: Every pattern, hot first.
PATTERNS = tuple(f"{k} {s} spot" for s in ("hot", "cold") for k in _KINDS) + (NO_PATTERN,)


def mann_kendall(x: npt.ArrayLike, *, continuity: bool = True) -> pd.DataFrame:
    """Mann-Kendall trend test of each row of ``x`` (time along the last axis).

    NaNs are dropped row by row. Rows with fewer than 3 values get NaN.

    Returns
    -------
    pandas.DataFrame
        ``s``, ``var``, ``z``, ``p`` per row.

    Examples
    --------
    >>> mann_kendall([1, 3, 2, 5, 4]).round(4).values.tolist()  # S = 8 - 2 concordant pairs
    [[6.0, 16.6667, 1.2247, 0.2207]]
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    rows = x.shape[0]
    s = np.full(rows, np.nan)
    var = np.full(rows, np.nan)
    complete = ~np.isnan(x).any(axis=1)
    n = x.shape[1]
    if complete.any() and n >= 3:
        xc = x[complete]
        iu, ju = np.triu_indices(n, k=1)
        s[complete] = np.sign(xc[:, ju] - xc[:, iu]).sum(axis=1)
        var[complete] = [_mk_var(r) for r in xc]
    for r in np.flatnonzero(~complete):
        v = x[r][~np.isnan(x[r])]
        if v.size >= 3:
            iu, ju = np.triu_indices(v.size, k=1)
            s[r] = np.sign(v[ju] - v[iu]).sum()
            var[r] = _mk_var(v)
    with np.errstate(invalid="ignore", divide="ignore"):
        num = s - np.sign(s) if continuity else s
        z = np.where(var > 0, num / np.sqrt(var), 0.0)
    z = np.where(np.isnan(s), np.nan, z)
    return pd.DataFrame({"s": s, "var": var, "z": z, "p": 2 * stats.norm.sf(np.abs(z))})


def _mk_var(v: np.ndarray) -> float:
    n = v.size
    _, t = np.unique(v, return_counts=True)
    return float((n * (n - 1) * (2 * n + 5) - (t * (t - 1) * (2 * t + 5)).sum()) / 18)


def _pattern(
    flags: npt.NDArray[np.bool_],
    opposite: npt.NDArray[np.bool_],
    mostly: npt.NDArray[np.bool_],
    trend_up: npt.NDArray[np.bool_],
    trend_down: npt.NDArray[np.bool_],
) -> npt.NDArray[np.object_]:
    """Pattern names (without 'hot'/'cold') for boolean step flags (units × steps)."""
    last = flags[:, -1]
    count = flags.sum(axis=1)
    earlier = flags[:, :-1].any(axis=1)
    # Start of the last run of flagged steps ending at the last step.
    w = flags.shape[1]
    run = np.zeros(flags.shape[0], dtype=int)
    alive = last.copy()
    for k in range(w - 1, -1, -1):
        alive &= flags[:, k]
        run += alive
    single_run = count == run
    ever_opposite = opposite[:, :-1].any(axis=1) | opposite[:, -1]
    out = np.full(flags.shape[0], "", dtype=object)
    conditions = [
        ("intensifying", last & mostly & trend_up),
        ("persistent", last & mostly & ~trend_up & ~trend_down),
        ("diminishing", last & mostly & trend_down),
        ("historical", ~last & mostly),
        ("new", last & ~earlier),
        ("consecutive", last & ~mostly & single_run & (run >= 2)),
        ("sporadic", last & ~mostly & ~single_run & ~ever_opposite),
        ("oscillating", last & ~mostly & ~single_run & ever_opposite),
    ]
    for name, cond in reversed(conditions):  # first listed wins
        out[cond] = name
    return out


def classify_emerging(
    z: npt.ArrayLike,
    p: npt.ArrayLike,
    *,
    window: int = WINDOW,
    share: float = SHARE,
    alpha: float = ALPHA,
    trend_alpha: float = TREND_ALPHA,
    index: Axes | None = None,
) -> pd.DataFrame:
    """Emerging hot/cold-spot pattern of each unit from its Gi* z and p over time.

    Parameters
    ----------
    z, p : array_like, shape (steps, units)
        Gi* z-scores and p-values (e.g. FDR-adjusted ``q``), oldest step first.
    window : int
        The last ``window`` steps are classified.
    share, alpha, trend_alpha : float
        See the module docstring.
    index : array_like, optional
        Unit labels.

    Returns
    -------
    pandas.DataFrame
        Per unit: ``pattern``, ``hot_steps``, ``cold_steps``, ``last_z``, ``trend_s``,
        ``trend_z``, ``trend_p``.

    Raises
    ------
    ValueError
        A window longer than the data, or shapes that do not match.

    Examples
    --------
    >>> z = np.array([[0.1, 3.0, 0.2, 0.1], [0.3, 0.1, 2.5, 0.2], [0.2, 3.1, 2.8, 3.0]])
    >>> p = np.where(z > 2, 0.01, 0.5)
    >>> classify_emerging(z, p, window=3).pattern.tolist()
    ['no pattern detected', 'sporadic hot spot', 'consecutive hot spot', 'new hot spot']
    """
    z = np.asarray(z, dtype=float)
    p = np.asarray(p, dtype=float)
    if z.ndim != 2 or z.shape != p.shape:
        raise ValueError(f"z and p must both be (steps, units) arrays, got {z.shape}, {p.shape}")
    steps = z.shape[0]
    if window < 2:
        raise ValueError(f"the window must have at least 2 time steps, got {window}")
    if window > steps:
        raise ValueError(
            f"a window of {window} months is longer than the data ({steps} months with data): "
            "shorten the window or add earlier months"
        )
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    zw = z[-window:].T
    pw = p[-window:].T
    sig = pw <= alpha
    hot = sig & (zw > 0)
    cold = sig & (zw < 0)
    need = int(np.ceil(share * window - 1e-9))
    mk = mann_kendall(zw)
    trend = (mk.p <= trend_alpha).to_numpy()
    up = trend & (mk.s > 0).to_numpy()
    down = trend & (mk.s < 0).to_numpy()
    hot_kind = _pattern(hot, cold, hot.sum(axis=1) >= need, up, down)
    cold_kind = _pattern(cold, hot, cold.sum(axis=1) >= need, down, up)
    pattern = np.where(
        hot_kind != "",
        np.char.add(hot_kind.astype(str), " hot spot"),
        np.where(cold_kind != "", np.char.add(cold_kind.astype(str), " cold spot"), NO_PATTERN),
    )
    return pd.DataFrame(
        {
            "pattern": pattern.astype(object),
            "hot_steps": hot.sum(axis=1),
            "cold_steps": cold.sum(axis=1),
            "last_z": zw[:, -1],
            "trend_s": mk.s.to_numpy(),
            "trend_z": mk.z.to_numpy(),
            "trend_p": mk.p.to_numpy(),
        },
        index=index,
    )


def gi_star_series(
    counts: npt.ArrayLike,
    adjacency: object,
    *,
    steps: Iterable[Hashable] | None = None,
    permutations: int = PERMUTATIONS,
    seed: int | None = SEED,
    fdr: bool = True,
    basis: str = "permutation",
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Gi* z-scores and class p-values (``q``) for every time step of a (steps × units) table.

    Each step gets its own seed (``seed + step``) so that steps do not share draws.

    Raises
    ------
    ValueError
        Naming the step (e.g. the month) whose values Gi* cannot use, such as an empty month.
    """
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2:
        raise ValueError(f"counts must be a (steps, units) table, got shape {counts.shape}")
    labels = list(steps) if steps is not None else list(range(counts.shape[0]))
    z = np.empty_like(counts)
    q = np.empty_like(counts)
    for k, row in enumerate(counts):
        try:
            res = gi_star(
                row,
                adjacency,
                permutations=permutations,
                seed=None if seed is None else seed + k,
                fdr=fdr,
                basis=basis,
            )
        except ValueError as err:
            raise ValueError(f"time step {labels[k]}: {err}") from err
        z[k] = res.z.to_numpy()
        q[k] = res.q.to_numpy()
    return z, q


def emerging_hotspots(
    counts: npt.ArrayLike,
    adjacency: object,
    *,
    steps: Iterable[Hashable] | None = None,
    window: int = WINDOW,
    share: float = SHARE,
    alpha: float = ALPHA,
    trend_alpha: float = TREND_ALPHA,
    permutations: int = PERMUTATIONS,
    seed: int | None = SEED,
    fdr: bool = True,
    basis: str = "permutation",
    index: Axes | None = None,
) -> pd.DataFrame:
    """Gi* for each of the last ``window`` steps of ``counts``, then :func:`classify_emerging`.

    Parameters
    ----------
    counts : array_like, shape (steps, units)
        Records per unit per month with data, oldest first (leave missing months out).
    adjacency : sparse matrix or libpysal W
        Binary weights between the units.
    steps : sequence, optional
        Labels of the steps (e.g. months), used in error messages.

    Examples
    --------
    >>> from cdrp.analysis.weights import Grid, grid_queen
    >>> rng = np.random.default_rng(1)
    >>> counts = rng.poisson(1.0, (6, 100)).astype(float)
    >>> counts[-3:, [44, 45, 54, 55]] += 12  # a cluster appears in the last three months
    >>> out = emerging_hotspots(counts, grid_queen(Grid(0, 0, 1, 10, 10)), window=6, fdr=False)
    >>> out.loc[[44, 0], "pattern"].tolist()
    ['consecutive hot spot', 'no pattern detected']
    """
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2:
        raise ValueError(f"counts must be a (steps, units) table, got shape {counts.shape}")
    if window > counts.shape[0]:
        raise ValueError(
            f"a window of {window} months is longer than the data ({counts.shape[0]} months "
            "with data): shorten the window or add earlier months"
        )
    labels = list(steps) if steps is not None else list(range(counts.shape[0]))
    z, q = gi_star_series(
        counts[-window:],
        adjacency,
        steps=labels[-window:],
        permutations=permutations,
        seed=seed,
        fdr=fdr,
        basis=basis,
    )
    return classify_emerging(
        z, q, window=window, share=share, alpha=alpha, trend_alpha=trend_alpha, index=index
    )


def area_table(
    monthly: pd.DataFrame, area: str, codes: Iterable[str], months: Iterable[str]
) -> pd.DataFrame:
    """Counts as a months × areas table (missing combinations are 0) from ``month``, ``area``,
    ``count`` rows; rows and columns in the order given."""
    codes, months = list(codes), list(months)
    frame = monthly.assign(month=monthly["month"].astype(str))
    return (
        frame[frame[area].isin(codes) & frame["month"].isin(months)]
        .pivot_table(index="month", columns=area, values="count", aggfunc="sum", fill_value=0)
        .reindex(index=months, columns=codes, fill_value=0)
    )


def area_emerging_hotspots(
    table: pd.DataFrame,
    geometries: Mapping[Any, object],  # keyed by the table's column labels (area codes)
    *,
    permutations: int = PERMUTATIONS,
    seed: int | None = SEED,
    basis: str = "normal",
) -> pd.DataFrame:
    """Emerging hot-spots of areas with boundaries (LSOAs, wards): Gi* with queen contiguity.

    Parameters
    ----------
    table : DataFrame
        Months × areas counts (see :func:`area_table`), oldest month first; the whole table is
        the window.
    geometries : mapping
        Area code → polygon (shapely or WKB bytes) in WGS84; contiguity is found on BNG.

    Returns
    -------
    DataFrame
        :func:`emerging_hotspots` output indexed by area code.
    """
    codes = list(table.columns)
    geoms = [
        shapely.from_wkb(g) if isinstance(g, bytes | bytearray) else g
        for g in (geometries[c] for c in codes)
    ]
    return emerging_hotspots(
        table.to_numpy(dtype=float),
        polygon_queen(project_to_bng(geoms)),
        steps=list(table.index),
        window=len(table),
        permutations=permutations,
        seed=seed,
        basis=basis,
        index=codes,
    )
