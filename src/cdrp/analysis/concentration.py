"""Concentration of records in places: top-share, Gini and the Predictive Accuracy Index.

Crime concentrates: a small share of places (LSOAs, street segments, grid cells) holds a large
share of records. The statistics here need the counts of *every* place in the study area,
including the places with no records, or they overstate concentration.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = [
    "SHARES",
    "Concentration",
    "PaiResult",
    "concentration",
    "gini",
    "pai_of_top",
    "predictive_accuracy_index",
    "top_share",
]

#: Shares of places reported by default (top 5% and top 10%).
SHARES = (0.05, 0.10)


def _counts(counts: ArrayLike) -> np.ndarray:
    x = np.asarray(counts, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError("counts must be a non-empty list with one count per place")
    if np.any(np.isnan(x)):
        raise ValueError("a place has a missing count; give 0 for places with no records")
    if np.any(x < 0):
        raise ValueError("counts must be zero or more")
    return x


def top_share(counts: ArrayLike, share: float) -> float:
    """Share of all records that fall in the top ``share`` of places.

    Parameters
    ----------
    counts : array_like
        Records per place, one entry for every place (zeros included).
    share : float
        Fraction of places, e.g. 0.05. The number of places taken is ``ceil(share * n)`` so
        at least one place is always taken.

    Returns
    -------
    float
        Fraction of records in those places; NaN when there are no records.

    References
    ----------
    Weisburd, D. (2015). The law of crime concentration and the criminology of place.
    Criminology 53, 133-157.

    Examples
    --------
    >>> top_share([10, 0, 0, 5, 5, 0, 0, 0, 0, 0], 0.10)
    0.5
    """
    x = _counts(counts)
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    total = x.sum()
    if total == 0:
        return float("nan")
    k = math.ceil(round(share * x.size, 9))
    return float(np.sort(x)[::-1][:k].sum() / total)


def gini(counts: ArrayLike) -> float:
    """Gini coefficient of records across places.

    Parameters
    ----------
    counts : array_like
        Records per place, zeros included.

    Returns
    -------
    float
        ``sum_i sum_j |x_i - x_j| / (2 n^2 mean)``: 0 when every place has the same count,
        approaching 1 when one place has them all. NaN when there are no records.

    Notes
    -----
    Computed from the sorted counts as ``2 sum_i i x_(i) / (n sum x) - (n + 1) / n``. When
    there are fewer records than places the Gini cannot reach 1 (Bernasco & Steenbeek 2017),
    so compare it between areas with similar records per place.

    References
    ----------
    Bernasco, W. & Steenbeek, W. (2017). More places than crimes: implications for evaluating
    the law of crime concentration at place. Journal of Quantitative Criminology 33, 451-467.

    Examples
    --------
    >>> gini([0, 0, 1, 3])
    0.625
    """
    x = np.sort(_counts(counts))
    n = x.size
    total = x.sum()
    if total == 0:
        return float("nan")
    i = np.arange(1, n + 1)
    return float(2 * np.sum(i * x) / (n * total) - (n + 1) / n)


def predictive_accuracy_index(
    hits: ArrayLike, total: ArrayLike, area: ArrayLike, total_area: ArrayLike
) -> float | np.ndarray:
    """Predictive Accuracy Index: hit rate divided by the share of area flagged.

    Parameters
    ----------
    hits : array_like
        Records falling in the flagged places.
    total : array_like
        All records in the study area.
    area : array_like
        Area of the flagged places.
    total_area : array_like
        Area of the study area (same unit as ``area``).

    Returns
    -------
    float or numpy.ndarray
        ``(hits / total) / (area / total_area)``; 1 means no better than chance.

    References
    ----------
    Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for predicting
    spatial patterns of crime. Security Journal 21, 4-28.

    Examples
    --------
    >>> predictive_accuracy_index(40, 100, 5.0, 100.0)
    8.0
    """
    hits, total, area, total_area = (
        np.asarray(v, dtype=float) for v in (hits, total, area, total_area)
    )
    if np.any(total <= 0) or np.any(total_area <= 0) or np.any(area <= 0):
        raise ValueError("records, flagged area and total area must all be greater than zero")
    if np.any(hits > total) or np.any(area > total_area):
        raise ValueError("hits cannot exceed all records, nor the flagged area the total area")
    out = (hits / total) / (area / total_area)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class PaiResult:
    """The places flagged from one period and how well they captured another period's records."""

    places: tuple[Hashable, ...]
    hit_rate: float
    area_share: float
    pai: float


def pai_of_top(
    predicted: pd.Series, observed: pd.Series, areas: pd.Series, share: float = SHARES[0]
) -> PaiResult:
    """PAI of flagging the top ``share`` of places by one period's counts, tested on another.

    Parameters
    ----------
    predicted : pandas.Series
        Records per place in the period used to pick the places (indexed by place code).
    observed : pandas.Series
        Records per place in the period being predicted (same places).
    areas : pandas.Series
        Area of each place.
    share : float, default 0.05
        Fraction of places flagged (``ceil(share * n)`` places; ties go to the lower code).

    Returns
    -------
    PaiResult
        Flagged places, hit rate, share of area and PAI.

    Examples
    --------
    >>> idx = ["a", "b", "c", "d"]
    >>> r = pai_of_top(pd.Series([9, 1, 0, 0], idx), pd.Series([6, 2, 1, 1], idx),
    ...                pd.Series([1.0, 1.0, 1.0, 1.0], idx), share=0.25)
    >>> r.places, r.hit_rate, r.area_share, r.pai
    (('a',), 0.6, 0.25, 2.4)
    """
    index = predicted.index
    if set(index) != set(observed.index) or set(index) != set(areas.index):
        raise ValueError("predicted, observed and areas must cover the same places")
    order = sorted(index, key=lambda code: (-float(predicted[code]), str(code)))
    k = math.ceil(round(share * len(order), 9))
    chosen = order[:k]
    hits = float(observed[chosen].sum())
    total = float(_counts(observed.to_numpy()).sum())
    flagged = float(areas[chosen].sum())
    total_area = float(areas.sum())
    pai = predictive_accuracy_index(hits, total, flagged, total_area)
    return PaiResult(tuple(chosen), hits / total, flagged / total_area, float(pai))


@dataclass(frozen=True)
class Concentration:
    """Summary of concentration for one set of places."""

    places: int
    records: int
    top_shares: dict[float, float]
    gini: float


def concentration(counts: ArrayLike, shares: Sequence[float] = SHARES) -> Concentration:
    """Top-share of records for each of ``shares`` of places, and the Gini coefficient.

    Parameters
    ----------
    counts : array_like
        Records per place, zeros included.
    shares : sequence of float, default ``SHARES`` (0.05, 0.10)
        Fractions of places.

    Returns
    -------
    Concentration
        ``places``, ``records``, ``top_shares`` (share of places -> share of records) and
        ``gini``.

    Examples
    --------
    >>> c = concentration([0, 0, 1, 3] * 5)
    >>> c.top_shares, c.gini
    ({0.05: 0.15, 0.1: 0.3}, 0.625)
    """
    x = _counts(counts)
    return Concentration(
        places=int(x.size),
        records=int(x.sum()),
        top_shares={s: top_share(x, s) for s in shares},
        gini=gini(x),
    )
