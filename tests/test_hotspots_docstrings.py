"""The runnable examples in the hot-spot modules' docstrings give the results they show."""

import doctest
import importlib

import pytest

MODULES = [
    "cdrp.analysis.weights",
    "cdrp.analysis.hotspots",
    "cdrp.analysis.emerging",
    "cdrp.analysis.exceedance",
    "cdrp.analysis.repeats",
    "cdrp.analysis.nearrepeat",
    "cdrp.analysis.displacement",
    "cdrp.analysis.kde",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def test_analysis_modules_do_not_import_django():
    import subprocess
    import sys

    code = "import sys; " + "; ".join(f"import {m}" for m in MODULES)
    code += "; print(any(k.startswith('django') for k in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
