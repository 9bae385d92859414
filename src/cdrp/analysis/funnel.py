"""Funnel plots: exact Poisson control limits for rates, and where each unit falls.

Each district's rate is plotted against its population (the precision); the limits are the
range a unit of that size would show by chance alone if its true rate were the target (by
default the pooled rate of the units shown). Limits are the exact Poisson quantiles of the
expected count, smoothed between the integers as Spiegelhalter (2005) recommends, at 95% and
99.8% (roughly two and three standard deviations). An upper limit is never drawn below the
target (see :func:`poisson_limits`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

__all__ = ["LEVELS", "PER", "funnel", "funnel_curve", "poisson_limits"]

#: Two-sided coverage of the control limits.
LEVELS = (0.95, 0.998)
#: Rates are per this many residents.
PER = 1000
#: Plain-English statement of the method, for the methods section of a published assessment.
METHOD = (
    "The funnel plot shows each district's rate per 1,000 residents against its population, "
    "with the range expected by chance around the family's overall rate: exact Poisson "
    "control limits at 95% and 99.8% (Spiegelhalter 2005). A district outside the 99.8% limits "
    "is very unlikely to differ by chance alone."
)

WITHIN = "within"
ABOVE = "above"
BELOW = "below"


def poisson_limits(expected: ArrayLike, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson control limits for an observed/expected ratio.

    Parameters
    ----------
    expected : array_like of float
        Expected counts ``E`` (target rate times population); must be positive.
    level : float
        Two-sided coverage, e.g. 0.95 or 0.998.

    Returns
    -------
    lower, upper : numpy.ndarray
        Limits for ``observed / expected``; multiply by the target rate for rate limits.

    Notes
    -----
    For ``p`` in ``(1 - level) / 2`` and ``(1 + level) / 2``, ``r_p`` is the smallest ``r``
    with ``F(r) >= p`` for the Poisson(E) distribution function ``F``. The limit is
    ``(r_p - a) / E`` with ``a = (F(r_p) - p) / (F(r_p) - F(r_p - 1))``, which interpolates
    between the integers (Spiegelhalter 2005, appendix A.1.1), and at least 0.

    For a tiny expected count (below 0.0260 at 95%, 0.0010 at 99.8%) ``F(0) = exp(-E)`` is
    already above ``p``, so ``r_p = 0`` and the interpolation falls below zero records: the
    formula would draw the upper limit at 0, below the target. There a single record is beyond
    the limit and none is within it, and any line between 0 and 1 record divides them the same
    way; the upper limit is drawn at the target (ratio 1) instead, which it never falls below
    elsewhere. No unit's position changes.

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24, 1185-1202.

    Examples
    --------
    >>> lower, upper = poisson_limits([10.0], 0.95)
    >>> round(float(lower[0]), 4), round(float(upper[0]), 4)
    (0.3775, 1.616)
    """
    e = np.asarray(expected, dtype=float)
    if np.any(~(e > 0)):
        raise ValueError("expected counts must be greater than zero (is a population missing?)")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    out = []
    for p in ((1 - level) / 2, (1 + level) / 2):
        r = stats.poisson.ppf(p, e)
        f_r = stats.poisson.cdf(r, e)
        f_prev = stats.poisson.cdf(r - 1, e)
        a = (f_r - p) / (f_r - f_prev)
        out.append(np.maximum(r - a, 0.0) / e)
    # The upper limit is never below the target (ratio 1): see the notes.
    return out[0], np.maximum(out[1], 1.0)


def _label(level: float) -> str:
    return f"{level * 100:g}".replace(".", "_")


def funnel(
    frame: pd.DataFrame,
    *,
    count: str = "count",
    population: str = "population",
    unit: str = "unit",
    target_rate: float | None = None,
    per: float = PER,
    levels: Sequence[float] = LEVELS,
) -> pd.DataFrame:
    """Rates, control limits and the position of each unit on a funnel plot.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per unit (e.g. a district and its family members) with a count and population.
    count, population, unit : str
        Column names.
    target_rate : float, optional
        Target rate per ``per`` residents; by default the pooled rate of all units in ``frame``.
    per : float, default ``PER`` (1,000)
        Rates are per this many residents.
    levels : sequence of float, default ``LEVELS`` (0.95, 0.998)
        Two-sided coverage of each pair of limits.

    Returns
    -------
    pandas.DataFrame
        ``frame`` plus ``rate``, ``target_rate``, ``expected`` and, for each level (labelled
        ``95`` and ``99_8``), ``lower_<label>``, ``upper_<label>`` (rates) and
        ``position_<label>`` (``"above"``, ``"below"`` or ``"within"``; a unit on a limit is
        within).

    Raises
    ------
    ValueError
        If a unit has no population (naming it) or a column is missing.

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24, 1185-1202.

    Examples
    --------
    >>> df = pd.DataFrame({"unit": ["A", "B", "C"], "count": [30, 10, 20],
    ...                    "population": [1000, 1000, 1000]})
    >>> funnel(df)[["unit", "rate", "position_95", "position_99_8"]]
      unit  rate position_95 position_99_8
    0    A  30.0       above        within
    1    B  10.0       below        within
    2    C  20.0      within        within
    """
    for column in (count, population, unit):
        if column not in frame.columns:
            raise ValueError(f"the frame has no '{column}' column (columns: {list(frame.columns)})")
    pop = pd.to_numeric(frame[population], errors="coerce").to_numpy(dtype=float)
    bad = ~(pop > 0)
    if bad.any():
        names = ", ".join(str(u) for u in frame.loc[bad, unit])
        raise ValueError(f"no population for {names}: a funnel plot needs a population per unit")
    obs = pd.to_numeric(frame[count], errors="coerce").to_numpy(dtype=float)
    if np.any(np.isnan(obs)) or np.any(obs < 0):
        names = ", ".join(str(u) for u in frame.loc[np.isnan(obs) | (obs < 0), unit])
        raise ValueError(f"missing or negative count for {names}")
    if target_rate is None:
        target_rate = obs.sum() / pop.sum() * per
    if not target_rate > 0:
        raise ValueError("the target rate must be greater than zero (no records at all?)")
    expected = target_rate * pop / per
    out = frame.copy()
    out["rate"] = obs / pop * per
    out["target_rate"] = target_rate
    out["expected"] = expected
    ratio = obs / expected
    for level in levels:
        lower, upper = poisson_limits(expected, level)
        label = _label(level)
        out[f"lower_{label}"] = lower * target_rate
        out[f"upper_{label}"] = upper * target_rate
        out[f"position_{label}"] = np.where(
            ratio > upper, ABOVE, np.where(ratio < lower, BELOW, WITHIN)
        )
    return out


def funnel_curve(
    target_rate: float,
    populations: ArrayLike,
    *,
    per: float = PER,
    levels: Sequence[float] = LEVELS,
) -> pd.DataFrame:
    """Control limits along a range of populations, for drawing the funnel.

    Parameters
    ----------
    target_rate : float
        Target rate per ``per`` residents.
    populations : array_like of float
        Populations at which to evaluate the limits.
    per : float, default ``PER``
        Rates are per this many residents.
    levels : sequence of float, default ``LEVELS``
        Two-sided coverage of each pair of limits.

    Returns
    -------
    pandas.DataFrame
        ``population`` and ``lower_<label>``/``upper_<label>`` rates for each level.

    Examples
    --------
    >>> curve = funnel_curve(20.0, [500, 5000])
    >>> list(curve.columns)
    ['population', 'lower_95', 'upper_95', 'lower_99_8', 'upper_99_8']
    """
    pop = np.asarray(populations, dtype=float)
    expected = target_rate * pop / per
    out = pd.DataFrame({"population": pop})
    for level in levels:
        lower, upper = poisson_limits(expected, level)
        out[f"lower_{_label(level)}"] = lower * target_rate
        out[f"upper_{_label(level)}"] = upper * target_rate
    return out
