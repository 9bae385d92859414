"""Intervals of the performance figures: exact Poisson (Garwood), gamma for a weighted sum of
Poisson counts (Fay & Feuer 1997), Wilson for a proportion."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from cdrp.analysis.performance import (
    CONFIDENCE,
    PerformanceError,
)
from cdrp.analysis.rates import garwood_interval

# -- intervals ---------------------------------------------------------------------------------


def poisson_interval(count: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact (Garwood) two-sided interval for a Poisson mean given an observed count.

    ``lower = chi2.ppf(a/2, 2X) / 2`` (0 when ``X = 0``), ``upper = chi2.ppf(1 - a/2, 2X + 2) / 2``
    with ``a = 1 - confidence`` (see :func:`cdrp.analysis.rates.garwood_interval`).

    Examples
    --------
    >>> [round(v, 3) for v in poisson_interval(40)]
    [28.577, 54.469]
    """
    lower, upper = garwood_interval([count], confidence)
    return float(lower[0]), float(upper[0])


def gamma_interval(
    total: ArrayLike,
    variance: ArrayLike,
    max_weight: ArrayLike = 0.0,
    confidence: float = CONFIDENCE,
) -> tuple[float, float] | tuple[np.ndarray, np.ndarray]:
    """Interval for the mean of a weighted sum of Poisson counts (a harm score), skew included.

    For ``H = Σ w·n`` with each ``n`` Poisson, ``V = Σ w²·n`` and ``w_M`` the largest weight that
    could contribute (Fay & Feuer 1997)::

        lower = Gamma(shape = H² / V, scale = V / H).ppf(a / 2)          (0 when H = 0)
        upper = Gamma(shape = (H + w_M)² / (V + w_M²),
                      scale = (V + w_M²) / (H + w_M)).ppf(1 - a / 2)

    with ``a = 1 - confidence``: gamma distributions with the mean and variance of the weighted
    sum, the upper one allowing for one more record of the heaviest category (as Garwood's upper
    limit allows for one more record; with every weight 1 these are exactly the Garwood limits).
    Without ``w_M`` (0) both are the gamma matching ``H`` and ``V`` alone, which follows the
    simulated compound Poisson closely but falls short of 95% coverage when a heavy category
    is rare.

    Parameters
    ----------
    total, variance : float or array_like
        ``H = Σ w·n`` and ``V = Σ w²·n`` (zero or more; ``V > 0`` where ``H > 0``).
    max_weight : float or array_like, default 0
        The largest weight of the categories summed (``w_M``).
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    lower, upper : float or numpy.ndarray

    References
    ----------
    Fay, M. P. & Feuer, E. J. (1997). Confidence intervals for directly standardized rates: a
    method based on the gamma distribution. Statistics in Medicine 16, 791-801.

    Examples
    --------
    >>> [round(float(v), 3) for v in gamma_interval(40, 40, 1)]  # every weight 1: Garwood
    [28.577, 54.469]
    >>> [round(float(v), 1) for v in gamma_interval(3 * 380 + 800, 3 * 380**2 + 800**2, 800)]
    [469.2, 5838.3]
    """
    h = np.asarray(total, dtype=float)
    v = np.asarray(variance, dtype=float)
    w = np.asarray(max_weight, dtype=float)
    if np.any(h < 0) or np.any(v < 0) or np.any(w < 0) or np.any((h > 0) & (v <= 0)):
        raise PerformanceError(
            "variance", "a harm score needs a variance Σ w²·n above zero when it is above zero"
        )
    if np.any((w > 0) & (w * h < v * (1 - 1e-9))):  # V = Σ w²·n <= w_M · Σ w·n = w_M · H
        raise PerformanceError("max_weight", "the largest weight is smaller than V / H implies")
    a = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(h > 0, stats.gamma.ppf(a / 2, h * h / v, scale=v / h), 0.0)
        hw, vw = h + w, v + w * w
        upper = np.where(hw > 0, stats.gamma.ppf(1 - a / 2, hw * hw / vw, scale=vw / hw), 0.0)
    if lower.ndim == 0:
        return float(lower), float(upper)
    return lower, upper


def wilson_interval(
    successes: float, trials: float, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / trials``.

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`` with ``z`` the normal quantile;
    the same as statsmodels ``proportion_confint(method="wilson")`` (the tests check it).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22, 209-212.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(50, 119)]
    [0.3353, 0.51]
    """
    if trials <= 0:
        raise PerformanceError("denominator", "a proportion needs a denominator above zero")
    if successes < 0 or successes > trials:
        raise PerformanceError(
            "value", f"{successes:g} is not between zero and the denominator {trials:g}"
        )
    z = float(stats.norm.ppf(1 - (1 - confidence) / 2))
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)
