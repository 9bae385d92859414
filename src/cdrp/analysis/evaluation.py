"""Project evaluation statistics: the target's change net of a comparison area's.

A funded project is judged by counting the outcome before and after in its target area and in a
comparison (control) area. Each area's own change is the assessment's exact Poisson conditional
test (`cdrp.analysis.change.compare_counts`); the target's change *net of* the control's, the
ratio of rate ratios ``(A1/A0) / (C1/C0)``, is tested here. For four independent Poisson counts,
conditioning on the margins of the 2×2 table ``[[A1, A0], [C1, C0]]`` leaves the hypergeometric
distribution when the target changed as the control did, i.e. Fisher's exact test; the p-value
is twice the smaller one-sided one, so it agrees with the exact conditional interval (SciPy's
``odds_ratio(kind="conditional")``).

Pure: no web framework, no records; the funding service (`cdrp.funding`) counts and stores.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.stats import fisher_exact
from scipy.stats.contingency import odds_ratio

__all__ = ["ALPHA", "TEST", "json_safe", "net_change", "percent_change"]

#: Evaluation verdicts are judged at this level (two-sided), as the assessment's changes are.
ALPHA = 0.05

TEST = "Fisher's exact test (conditional), two-sided as twice the smaller tail"


def net_change(a0: int, a1: int, c0: int, c1: int, *, confidence: float = 0.95) -> dict[str, Any]:
    """The target's change net of the control's: ratio of rate ratios, exact test and interval.

    ``rate_ratio`` is ``(a1/a0) / (c1/c0)``; ``estimate``, ``ratio_lower`` and ``ratio_upper``
    are the conditional maximum-likelihood odds ratio of the table ``[[a1, a0], [c1, c0]]`` and
    its exact interval; ``p_value`` is twice the smaller one-sided Fisher exact p-value.

    Examples
    --------
    >>> r = net_change(36, 22, 172, 181)
    >>> round(r["rate_ratio"], 4), round(r["p_value"], 4)
    (0.5807, 0.0807)

    The hand-worked case: the target halves (20 → 10) while the control barely moves
    (100 → 90), so the ratio of rate ratios is (10/20) / (90/100) = 5/9.

    >>> r = net_change(20, 10, 100, 90)
    >>> round(r["rate_ratio"], 6) == round(5 / 9, 6), r["ratio_lower"] < r["rate_ratio"] < 1
    (True, True)

    No records before in the target: the ratio is infinite (or undefined with none after).

    >>> net_change(0, 4, 10, 10)["rate_ratio"], net_change(0, 0, 10, 10)["rate_ratio"]
    (inf, nan)
    """
    table = [[a1, a0], [c1, c0]]
    less = float(fisher_exact(table, alternative="less").pvalue)
    greater = float(fisher_exact(table, alternative="greater").pvalue)
    with np.errstate(divide="ignore", invalid="ignore"):
        if a0 * c1 == 0:
            ratio = float("nan") if a1 * c0 == 0 else float("inf")
        else:
            ratio = (a1 * c0) / (a0 * c1)
        result = odds_ratio(table, kind="conditional")
        interval = result.confidence_interval(confidence)
    return {
        "rate_ratio": ratio,
        "estimate": float(result.statistic),
        "ratio_lower": float(interval.low),
        "ratio_upper": float(interval.high),
        "p_value": min(1.0, 2 * min(less, greater)),
        "test": TEST,
    }


def percent_change(ratio: float) -> str:
    """A rate ratio as a signed whole percentage.

    >>> percent_change(0.5), percent_change(1.25), percent_change(1.0)
    ('-50%', '+25%', '+0%')
    """
    return f"{(ratio - 1) * 100:+.0f}%"


def _finite(value: object) -> object:
    if isinstance(value, float):
        # Twelve significant figures: 10/90 − 0.2 over 12/90 − 0.1 is stored as −0.375, not
        # −0.37499999999999994 (which a page would round the wrong way).
        return float(f"{value:.12g}") if math.isfinite(value) else None
    if hasattr(value, "item"):
        return _finite(value.item())
    return value


def json_safe(obj: object) -> Any:
    """A result made JSON-safe: no NaN or infinity (PostgreSQL's jsonb refuses them), NumPy
    scalars as Python numbers, floats to twelve significant figures, tuples as lists.

    >>> json_safe({"a": [float("nan"), 1 / 3, np.int64(2)], "b": (float("inf"), "x")})
    {'a': [None, 0.333333333333, 2], 'b': [None, 'x']}
    """
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    return _finite(obj)
