"""The pure core holds: every module of cdrp.analysis and cdrp.store imports without Django, and
the runnable examples in their docstrings give the results they show. (The import contracts
between the apps are import-linter's, in `make lint`; see ARCHITECTURE.md.)"""

from __future__ import annotations

import doctest
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
CORE = ("cdrp.analysis", "cdrp.store")


def core_modules() -> list[str]:
    """Every module of the pure core, found on disk (so a new module is covered without a list)."""
    names = []
    for package in CORE:
        root = SRC / package.replace(".", "/")
        for path in sorted(root.rglob("*.py")):
            parts = path.relative_to(SRC).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join(parts))
    return names


MODULES = core_modules()


def test_the_walk_finds_the_core_modules():
    assert {"cdrp.analysis", "cdrp.analysis.months", "cdrp.analysis.planner"} <= set(MODULES)
    assert {"cdrp.store", "cdrp.store.files", "cdrp.store.query"} <= set(MODULES)
    assert len(MODULES) > 30


def test_every_core_module_imports_without_django():
    # A fresh interpreter without Django settings imports each module in turn and names the
    # first one after which any django module is loaded.
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "    if any(k == 'django' or k.startswith('django.') for k in sys.modules):\n"
        "        print(name)\n"
        "        break\n"
        "else:\n"
        "    print('none')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=1800
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "none", f"{out.stdout.strip()} imports Django"


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_give_the_results_they_show(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_planner_and_the_store_have_examples_that_run():
    for name in ("cdrp.analysis.planner", "cdrp.store.files"):
        module = importlib.import_module(name)
        assert doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE).attempted > 0
