"""The project evaluation statistic (cdrp.analysis.evaluation): the target's change net of the
comparison area's, checked against SciPy's Fisher exact test and a hand calculation."""

from __future__ import annotations

import doctest
import math
import subprocess
import sys

import pytest
from scipy.stats import fisher_exact

from cdrp.analysis import evaluation
from cdrp.analysis.evaluation import json_safe, net_change


def test_the_docstring_examples_hold():
    result = doctest.testmod(evaluation, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5
    assert result.failed == 0


def test_the_hand_worked_case_target_halves_against_a_steady_control():
    # Target 20 → 10, control 100 → 90: (10/20) / (90/100) = 5/9.
    r = net_change(20, 10, 100, 90)
    assert r["rate_ratio"] == pytest.approx(5 / 9)
    less = fisher_exact([[10, 20], [90, 100]], alternative="less").pvalue
    greater = fisher_exact([[10, 20], [90, 100]], alternative="greater").pvalue
    assert r["p_value"] == pytest.approx(2 * min(less, greater))
    assert r["p_value"] > 0.05  # ten records fewer is within chance
    assert r["ratio_lower"] < 1 < r["ratio_upper"]


def test_the_p_value_and_the_interval_agree():
    # A sharp fall: significant, and the interval excludes 1; a sharp rise likewise above 1.
    fall = net_change(60, 20, 150, 150)
    assert fall["p_value"] < 0.001 and fall["ratio_upper"] < 1
    rise = net_change(20, 60, 150, 150)
    assert rise["p_value"] < 0.001 and rise["ratio_lower"] > 1
    assert rise["rate_ratio"] == pytest.approx(3.0)


def test_json_safe_drops_what_jsonb_refuses():
    safe = json_safe({"r": net_change(0, 0, 10, 10)})
    assert safe["r"]["rate_ratio"] is None
    assert all(v is None or math.isfinite(v) for v in safe["r"].values() if not isinstance(v, str))
    # Stored rounded to twelve significant figures, so a page does not round it the wrong way.
    assert json_safe(-0.37499999999999994) == -0.375


def test_the_module_imports_no_web_framework():
    code = (
        "import sys, cdrp.analysis.evaluation; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
