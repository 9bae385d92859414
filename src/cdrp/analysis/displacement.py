"""Did an intervention move crime next door? Weighted Displacement Quotient and Difference.

Both compare a *target* area (where the intervention ran), a *buffer* around it (where crime
could be displaced to, or benefits diffuse to) and a *control* area (the background trend),
before and after the intervention date. Counts are whole periods of equal length.

Weighted Displacement Quotient (Bowers & Johnson 2003), with ``A`` target, ``B`` buffer,
``C`` control and ``0``/``1`` before/after:

    success measure       SM  = A1/C1 − A0/C0          (negative: the target improved)
    buffer displacement   BDM = B1/C1 − B0/C0
    WDQ = BDM / SM
    total net effect      TNE = (A0·C1/C0 − A1) + (B0·C1/C0 − B1)   (crimes saved, net)

Reading (Bowers & Johnson 2003, table 2), only when ``SM < 0``: ``WDQ > 1`` diffusion of benefit
larger than the direct effect; ``0 < WDQ ≤ 1`` diffusion of benefit; ``WDQ = 0`` neither;
``−1 ≤ WDQ < 0`` displacement, smaller than the direct effect; ``WDQ < −1`` displacement larger
than the direct effect (the scheme did more harm than good).

Weighted Displacement Difference (Wheeler & Ratcliffe 2018), with ``T`` treated, ``CT`` its
control, ``D`` displacement (buffer) area and ``CD`` its control:

    WDD = ΔT − ΔCT + ΔD − ΔCD,  Δ = after − before
    Var(WDD) = T0 + T1 + CT0 + CT1 + D0 + D1 + CD0 + CD1   (independent Poisson counts)
    z = WDD / sqrt(Var)

A negative WDD is a net reduction. When one control area serves both the treated and the
buffer area its change enters twice, so its counts enter the variance with weight 4 (the same
Poisson reasoning; this case is not in the paper, which recommends separate controls).

References
----------
Bowers, K. J. and Johnson, S. D. (2003) Measuring the geographical displacement and diffusion of
benefit effects of crime prevention activity. Journal of Quantitative Criminology 19(3), 275–301.
Wheeler, A. P. and Ratcliffe, J. H. (2018) A simple weighted displacement difference test to
evaluate place based crime interventions. Crime Science 7, 11.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import sparse, stats

__all__ = ["CONFIDENCE", "WDD", "WDQ", "CrossBorder", "cross_border", "wdd", "wdq"]

#: Two-sided confidence level of the WDD interval.
CONFIDENCE = 0.95

#: Counts (before, after) in one area.
Pair = tuple[float, float] | Sequence[float]


def _pair(name: str, value: Iterable[float]) -> tuple[float, float]:
    try:
        before, after = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a (before, after) pair of counts, got {value!r}"
        ) from None
    if not (np.isfinite(before) and np.isfinite(after)) or before < 0 or after < 0:
        raise ValueError(f"{name} counts must be non-negative numbers, got {value!r}")
    return before, after


@dataclass(frozen=True)
class WDQ:
    """Result of :func:`wdq`; ``wdq`` is NaN when the target did not improve (``SM ≥ 0``)."""

    success_measure: float
    buffer_displacement_measure: float
    wdq: float
    total_net_effect: float
    reading: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class WDD:
    """Result of :func:`wdd`."""

    wdd: float
    variance: float
    se: float
    z: float
    p_value: float
    lower: float
    upper: float
    reading: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def wdq(target: Pair, buffer: Pair, control: Pair) -> WDQ:
    """Weighted Displacement Quotient (Bowers & Johnson 2003) and total net effect.

    Parameters
    ----------
    target, buffer, control : (before, after)
        Counts in the target area, the buffer around it and the control area.

    Examples
    --------
    >>> r = wdq(target=(100, 60), buffer=(50, 45), control=(1000, 800))
    >>> round(r.success_measure, 5), round(r.buffer_displacement_measure, 5), round(r.wdq, 5)
    (-0.025, 0.00625, -0.25)
    >>> r.total_net_effect, r.reading
    (15.0, 'displacement, smaller than the direct benefit')
    """
    a0, a1 = _pair("target", target)
    b0, b1 = _pair("buffer", buffer)
    c0, c1 = _pair("control", control)
    if c0 == 0 or c1 == 0:
        raise ValueError(
            f"the control area needs records in both periods (before {c0:g}, after {c1:g}): "
            "choose a larger control area or longer periods"
        )
    sm = a1 / c1 - a0 / c0
    bdm = b1 / c1 - b0 / c0
    tne = (a0 * c1 / c0 - a1) + (b0 * c1 / c0 - b1)
    if sm >= 0:
        return WDQ(sm, bdm, float("nan"), tne, "no success in the target area: WDQ not defined")
    q = bdm / sm
    if q > 1:
        reading = "diffusion of benefit, larger than the direct benefit"
    elif q > 0:
        reading = "diffusion of benefit"
    elif q == 0:
        reading = "no displacement or diffusion"
    elif q >= -1:
        reading = "displacement, smaller than the direct benefit"
    else:
        reading = "displacement, larger than the direct benefit"
    return WDQ(sm, bdm, q, tne, reading)


def wdd(
    treated: Pair,
    control: Pair,
    buffer: Pair | None = None,
    buffer_control: Pair | None = None,
    *,
    confidence: float = CONFIDENCE,
) -> WDD:
    """Weighted Displacement Difference (Wheeler & Ratcliffe 2018) with its variance and z-test.

    Parameters
    ----------
    treated, control : (before, after)
        Counts in the treated area and its control area.
    buffer : (before, after), optional
        Counts in the displacement (buffer) area; without it, WDD = ΔT − ΔCT.
    buffer_control : (before, after), optional
        Counts in the buffer's own control area; by default ``control`` serves both (its change
        then enters twice and its counts four times in the variance).
    confidence : float
        Two-sided level of the interval ``WDD ± z_(1−α/2) · se``.

    Examples
    --------
    >>> r = wdd(treated=(100, 60), control=(200, 180), buffer=(50, 45), buffer_control=(150, 150))
    >>> r.wdd, r.variance, round(r.z, 4), round(r.p_value, 4)
    (-25.0, 935.0, -0.8176, 0.4136)
    """
    t0, t1 = _pair("treated", treated)
    c0, c1 = _pair("control", control)
    value = (t1 - t0) - (c1 - c0)
    var = t0 + t1
    if buffer is None:
        if buffer_control is not None:
            raise ValueError("buffer_control given without a buffer area")
        var += c0 + c1
    else:
        d0, d1 = _pair("buffer", buffer)
        value += d1 - d0
        var += d0 + d1
        if buffer_control is None:
            value -= c1 - c0
            var += 4 * (c0 + c1)
        else:
            cd0, cd1 = _pair("buffer_control", buffer_control)
            value -= cd1 - cd0
            var += c0 + c1 + cd0 + cd1
    if var == 0:
        raise ValueError("no records in any area or period: the WDD has no variance")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    se = float(np.sqrt(var))
    z = value / se
    p = float(2 * stats.norm.sf(abs(z)))
    half = float(stats.norm.ppf(0.5 + confidence / 2)) * se
    alpha = 1 - confidence
    if p <= alpha:
        reading = "significant net reduction" if value < 0 else "significant net increase"
    else:
        reading = "no significant net change"
    return WDD(value, var, se, z, p, value - half, value + half, reading)


@dataclass(frozen=True)
class CrossBorder:
    """Result of :func:`cross_border`."""

    neighbours: pd.DataFrame
    wdq: WDQ
    wdd: WDD


def cross_border(
    adjacency: sparse.spmatrix | ArrayLike,
    before: ArrayLike,
    after: ArrayLike,
    focus: ArrayLike,
    *,
    index: ArrayLike | None = None,
) -> CrossBorder:
    """How a partnership's neighbouring districts changed when it changed.

    The partnership's districts (``focus``) are the target; the districts sharing a boundary
    with any of them are the buffer; every other district is the control. Returns a table of
    the neighbours and the WDQ and WDD of target, buffer and control.

    Parameters
    ----------
    adjacency : sparse matrix, shape (n, n)
        District contiguity, e.g. :func:`cdrp.analysis.weights.polygon_queen` of the district
        boundaries; generalised boundaries (ONS "BGC", clipped to the coast and generalised to
        20 m) leave gaps of tens of metres between neighbours, so use ``tolerance=50`` there.
    before, after : array_like, shape (n,)
        Records per district in the two periods (of equal length).
    focus : array_like of int
        Positions of the partnership's districts.
    index : array_like, optional
        District names or codes, for the table.

    Returns
    -------
    CrossBorder
        ``neighbours``: ``district, before, after, change, ratio`` for each neighbour;
        ``wdq`` and ``wdd``.

    Examples
    --------
    >>> from cdrp.analysis.weights import Grid, grid_queen
    >>> adj = grid_queen(Grid(0, 0, 1, 4, 1))  # four districts in a row
    >>> res = cross_border(adj, [100, 50, 80, 90], [60, 60, 80, 90], focus=[0], index=list("ABCD"))
    >>> res.neighbours.values.tolist()
    [['B', 50.0, 60.0, 10.0, 1.2]]
    >>> res.wdd.wdd  # (60 - 100) - 0 + (60 - 50) - 0, control C+D unchanged, shared
    -30.0
    """
    adj = sparse.csr_matrix(adjacency)
    n = adj.shape[0]
    b = np.asarray(before, dtype=float).ravel()
    a = np.asarray(after, dtype=float).ravel()
    if b.size != n or a.size != n:
        raise ValueError(
            f"before and after need one count per district ({n}), got {b.size}, {a.size}"
        )
    names = np.asarray(index if index is not None else np.arange(n), dtype=object)
    target = np.zeros(n, dtype=bool)
    target[np.asarray(focus, dtype=np.int64)] = True
    if not target.any():
        raise ValueError("focus names no district")
    buffer = (adj[np.flatnonzero(target)].sum(axis=0).A1 > 0) & ~target
    if not buffer.any():
        raise ValueError("the partnership's districts have no neighbouring district in the data")
    control = ~target & ~buffer
    if not control.any():
        raise ValueError(
            "every other district borders the partnership: no district is left as a control"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = a[buffer] / b[buffer]
    table = pd.DataFrame(
        {
            "district": names[buffer],
            "before": b[buffer],
            "after": a[buffer],
            "change": a[buffer] - b[buffer],
            "ratio": ratio,
        }
    ).reset_index(drop=True)
    pair = {k: (b[m].sum(), a[m].sum()) for k, m in [("t", target), ("b", buffer), ("c", control)]}
    return CrossBorder(
        neighbours=table,
        wdq=wdq(pair["t"], pair["b"], pair["c"]),
        wdd=wdd(pair["t"], pair["c"], buffer=pair["b"]),
    )
