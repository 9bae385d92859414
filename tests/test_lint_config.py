"""`make lint` (run by CI before the tests) adds bandit and pip-audit: bandit fails on a medium or
high finding unless its line gives a reason, pip-audit fails on a known vulnerability and says
"not checked" (never "no vulnerabilities") when it cannot reach the advisories; Django is on a
5.2 release with the security fixes."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("security_lint", ROOT / "scripts/security_lint.py")
security_lint = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(security_lint)


def _finding(test_id, line, severity="MEDIUM", lines=None, name="src/x.py"):
    return {
        "filename": name,
        "test_id": test_id,
        "issue_severity": severity,
        "issue_text": "Possible SQL injection vector",
        "line_number": line,
        "line_range": lines or [line],
    }


SOURCE = """\
a = f"SELECT {x} FROM t"  # nosec B608: x is a column from the allow-list
b = f"SELECT {x} FROM t"  # nosec B608
c = f"SELECT {x} FROM t"  # nosec B101: wrong test named
d = f"SELECT {x} FROM t"
e = mark_safe(svg)  # noqa: S308  # nosec B308 B703: escaped inside
s = "# nosec B608: inside a string, not a comment"
f = (
    f"SELECT {x} "  # nosec B608: the reason may sit on any line of the statement
    f"FROM t"
)
"""


def test_bandit_accepts_a_medium_finding_only_with_its_id_and_a_reason_on_the_line():
    report = {
        "results": [
            _finding("B608", 1),
            _finding("B608", 2),
            _finding("B608", 3),
            _finding("B608", 4),
            _finding("B308", 5),
            _finding("B703", 5),
            _finding("B608", 6),
            _finding("B608", 8, lines=[8, 9]),
            _finding("B110", 4, severity="LOW"),
        ]
    }
    failing, marked, low = security_lint.judge_bandit(report, lambda name: SOURCE)
    assert marked == [
        "B608 medium src/x.py:1",
        "B308 medium src/x.py:5",
        "B703 medium src/x.py:5",
        "B608 medium src/x.py:8",
    ]
    assert failing == [
        "B608 medium src/x.py:2: '# nosec B608' needs ': <reason>'",
        "B608 medium src/x.py:3: the '# nosec' there does not name B608",
        "B608 medium src/x.py:4: Possible SQL injection vector",
        "B608 medium src/x.py:6: Possible SQL injection vector",
    ]
    assert low == ["B110 low src/x.py:4"]


def test_the_store_has_no_sql_built_from_text_without_a_reason():
    # Before the store bound its values, query.py held 12 unmarked B608 findings.
    run = subprocess.run(
        [sys.executable, "scripts/security_lint.py", "bandit", "src/cdrp/store"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    summary = re.search(
        r"medium/high: (\d+) marked '# nosec' with a reason, (\d+) unmarked", run.stdout
    )
    assert summary and summary[2] == "0", run.stdout
    assert "high 0" in run.stdout


def test_pip_audit_that_reaches_no_advisories_says_not_checked_and_passes():
    status, lines = security_lint.judge_audit(None, "osv: Failed to resolve 'api.osv.dev'")
    assert status == 0
    assert lines == ["pip-audit: not checked (osv: Failed to resolve 'api.osv.dev')"]


def test_pip_audit_never_says_no_vulnerabilities_about_packages_it_could_not_check():
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.20", "vulns": []},
            {"name": "duckdb", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    status, lines = security_lint.judge_audit(report)
    assert status == 0
    assert lines == [
        "pip-audit: 1 of 2 locked packages not checked (duckdb: Dependency not found on PyPI)",
        "pip-audit: no known vulnerabilities in 1 of 2 locked packages",
    ]
    skipped = {"dependencies": [{"name": "duckdb", "skip_reason": "not found"}]}
    _, lines = security_lint.judge_audit(skipped)
    assert lines[0].startswith("pip-audit: not checked (")
    assert not any("no known vulnerabilities" in line for line in lines)


def test_pip_audit_fails_on_a_known_vulnerability_and_names_the_fix():
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.8",
                "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.9"]}],
            },
            {"name": "duckdb", "version": "1.4.1", "vulns": []},
        ]
    }
    status, lines = security_lint.judge_audit(report)
    assert status == 1
    assert "pip-audit: django 5.2.8: PYSEC-2025-1 (fixed in 5.2.9)" in lines
    assert not any("no known vulnerabilities" in line for line in lines)


def test_make_lint_runs_ruff_bandit_and_pip_audit_and_ci_lints_before_testing():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    for step in ["ruff check", "ruff format --check", "security_lint.py bandit src"]:
        assert step in recipe, step
    assert "export --frozen" in recipe and "security_lint.py pip-audit" in recipe
    ci = [line for line in (ROOT / ".ci/run").read_text().splitlines() if line.startswith("make")]
    assert ci == ["make lint", "make test"]
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "bandit" in config["tool"]
    dev = config["dependency-groups"]["dev"]
    assert any(re.fullmatch(r"bandit==[\d.]+", d) for d in dev)
    assert any(re.fullmatch(r"pip-audit==[\d.]+", d) for d in dev)


def test_django_is_pinned_on_a_5_2_release_with_the_security_fixes_and_installed_as_pinned():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (pin,) = [d for d in config["project"]["dependencies"] if d.startswith("django==")]
    pinned = tuple(int(part) for part in pin.removeprefix("django==").split("."))
    # 5.2.8 (the pin before) lacks CVE-2025-13372 (SQL injection through FilteredRelation) and
    # CVE-2025-64460 (quadratic time in XML serialisation), fixed in 5.2.9; 5.2.20 was the newest
    # 5.2 release when this was written.
    assert pinned[:2] == (5, 2) and pinned >= (5, 2, 9)
    assert version("django") == pin.removeprefix("django==")
    lock = (ROOT / "uv.lock").read_text()
    assert f'name = "django"\nversion = "{pin.removeprefix("django==")}"' in lock
