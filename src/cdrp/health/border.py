"""Crime across the shared borders of partnerships: the Weighted Displacement Quotient
(Bowers & Johnson 2003, `cdrp.analysis.displacement.wdq`) of each partnership's border band.

The closer-working appraisal has no single scheme to evaluate; it asks whether what happens on
one side of a shared border shows on the other side. So, for each partnership in turn:

- the *response area* (the WDQ's target) is its border band: its LSOAs that touch an LSOA of
  another of the partnerships;
- the *buffer* is the band on the other side: the other partnerships' LSOAs that touch it (one
  LSOA deep, as Bowers and Johnson advise a buffer next to the target and of about its size);
- the *control* is every LSOA of all the districts on no shared border: the same area's
  background trend, away from any border.

Before and after are two runs of twelve months. When crime in the response area fell against
the control (success measure below 0), the quotient says whether the other side of the border
fell too (diffusion of benefit, WDQ > 0) or rose (displacement, WDQ < 0): crime that a
partnership acting alone would push onto, or share with, its neighbour.

Pure code (numpy and scipy only): the appraisal counts the records and names the partnerships.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import sparse

from cdrp.analysis.displacement import WDQ, wdq

__all__ = ["border_wdq", "plain_reading"]


def border_wdq(
    adjacency: sparse.spmatrix | ArrayLike,
    owner: Sequence[str],
    before: ArrayLike,
    after: ArrayLike,
) -> list[dict[str, Any]]:
    """One row per partnership with a shared border: the counts (before, after) of its border
    band (target), the band across the border (buffer) and the LSOAs on no border (control),
    with the WDQ and a plain-English reading. `owner[i]` names the partnership of LSOA `i`.

    >>> from cdrp.analysis.weights import Grid, grid_queen
    >>> adj = grid_queen(Grid(0, 0, 1, 6, 1))  # six LSOAs in a row: X X X | Y Y Y
    >>> rows = border_wdq(adj, list("XXXYYY"), [10, 20, 30, 40, 50, 60], [10, 10, 30, 40, 60, 60])
    >>> x = rows[0]
    >>> x["partnership"], x["target"], x["buffer"], x["control"]
    ('X', (30.0, 30.0), (40.0, 40.0), (140.0, 140.0))
    """
    adj = sparse.csr_matrix(adjacency)
    names = np.asarray(list(owner), dtype=object)
    b = np.asarray(before, dtype=float).ravel()
    a = np.asarray(after, dtype=float).ravel()
    n = adj.shape[0]
    if len(names) != n or b.size != n or a.size != n:
        raise ValueError(f"owner, before and after need one value per LSOA ({n})")
    rows_idx, cols_idx = adj.nonzero()
    crossing = names[rows_idx] != names[cols_idx]
    band = np.zeros(n, dtype=bool)
    band[rows_idx[crossing]] = True
    control = ~band
    out: list[dict[str, Any]] = []
    for who in sorted({str(x) for x in names[band]}):
        target = band & (names == who)
        touching = np.zeros(n, dtype=bool)
        mask = crossing & (names[rows_idx] == who)
        touching[cols_idx[mask]] = True
        pairs = {
            key: (float(b[m].sum()), float(a[m].sum()))
            for key, m in (("target", target), ("buffer", touching), ("control", control))
        }
        row: dict[str, Any] = {
            "partnership": who,
            "across": sorted({str(x) for x in names[touching]}),
            "target_lsoas": int(target.sum()),
            "buffer_lsoas": int(touching.sum()),
            "control_lsoas": int(control.sum()),
            **pairs,
        }
        try:
            result: WDQ | None = wdq(pairs["target"], pairs["buffer"], pairs["control"])
        except ValueError as exc:  # no control records in a period
            result = None
            row["reading"] = f"Not measured: {exc}."
        row["wdq"] = result
        row["quotient"] = None if result is None or math.isnan(result.wdq) else result.wdq
        row["quotient_text"] = (
            "not defined" if row["quotient"] is None else f"{row['quotient']:.2f}".replace("-", "−")
        )
        if result is not None:
            row["reading"] = plain_reading(row, result)
        out.append(row)
    return out


def _change(pair: tuple[float, float]) -> str:
    before, after = pair
    if before == 0:
        return "from none" if after == 0 else f"from none to {after:,.0f}"
    pct = (after / before - 1) * 100
    if round(pct) == 0:
        return "no change"
    return f"{'up' if pct > 0 else 'down'} {abs(pct):.0f}%"


def plain_reading(row: dict[str, Any], result: WDQ) -> str:
    """What the quotient means for the committee, in a sentence or two."""
    who = row["partnership"]
    other = " and ".join(row["across"]) or "the neighbours"
    changes = (
        f"Records on {who}'s side of the border {_change(row['target'])}, on the other side "
        f"({other}) {_change(row['buffer'])}, away from the borders {_change(row['control'])}."
    )
    q = result.wdq
    if math.isnan(q):
        return (
            f"{changes} Crime on {who}'s side did not fall against the area away from the "
            "borders, so there was no fall to move across: the quotient is not defined."
        )
    if q < -1:
        meaning = (
            f"Crime fell on {who}'s side against the rest of the area but rose across the border "
            "by more: it looks to have moved to the neighbours rather than gone away."
        )
    elif q < 0:
        meaning = (
            f"Crime fell on {who}'s side against the rest of the area, and some of it looks to "
            "have moved across the border (displacement, smaller than the fall)."
        )
    elif q == 0:
        meaning = (
            f"Crime fell on {who}'s side; the other side changed as the rest of the area did, "
            "so nothing is seen to cross."
        )
    elif q <= 1:
        meaning = (
            f"Crime fell on {who}'s side and fell across the border too: the benefit spread to "
            "the neighbours (diffusion of benefit)."
        )
    else:
        meaning = (
            f"Crime fell on {who}'s side and fell even more across the border (diffusion of "
            "benefit, larger than the fall itself)."
        )
    return f"{changes} {meaning}"
