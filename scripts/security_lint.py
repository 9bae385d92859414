"""The security half of `make lint`: bandit over src/, and pip-audit over the locked requirements.

    python scripts/security_lint.py bandit [PATH ...]
    python scripts/security_lint.py pip-audit REQUIREMENTS

bandit: every medium or high finding fails, unless its line says why it is safe, as
``# nosec B608: <reason>`` (the test ids separated by spaces, then a colon and the reason). Bandit
runs with --ignore-nosec, so a bare ``# nosec`` or one without a reason hides nothing. The summary
gives the counts by severity and test id.

pip-audit: a known vulnerability in any locked package fails. When the advisory service cannot be
reached, or cannot answer for some packages, this says "not checked" with the reason and does not
fail: a network fault is not a finding, and it never claims "no vulnerabilities" it did not check.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tokenize
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FAILING = ("MEDIUM", "HIGH")
# "# nosec B608: reason" or "# nosec B308 B703: reason"; bandit reads space-separated ids only.
NOSEC = re.compile(r"#\s*nosec\b(?P<ids>(?:\s+B\d{3})*)\s*(?::\s*(?P<reason>.*\S))?")
SERVICES = ("pypi", "osv")
AUDIT_TIMEOUT = 180  # seconds for one pip-audit run (it waits up to 10 s per unanswered request)


def nosec_comments(source: str) -> dict[int, tuple[set[str], str]]:
    """Line → (test ids, reason) of each ``# nosec`` comment in Python source (comments only)."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and (match := NOSEC.search(token.string)):
            found[token.start[0]] = (set(match["ids"].split()), match["reason"] or "")
    return found


def judge_bandit(report: dict, read=lambda name: Path(name).read_text()) -> tuple[list, list, list]:
    """Split bandit's findings (run with --ignore-nosec) into (failing, marked, low).

    A medium or high finding is marked when a line it spans carries ``# nosec <its id>: reason``;
    otherwise it fails, with what is missing. Low findings are listed, never failing.
    """
    failing, marked, low = [], [], []
    comments: dict[str, dict] = {}
    for result in report["results"]:
        where = f"{result['filename']}:{result['line_number']}"
        what = f"{result['test_id']} {result['issue_severity'].lower()} {where}"
        if result["issue_severity"] not in FAILING:
            low.append(what)
            continue
        name = result["filename"]
        if name not in comments:
            comments[name] = nosec_comments(read(name))
        notes = [comments[name][n] for n in result["line_range"] if n in comments[name]]
        named = [(ids, reason) for ids, reason in notes if result["test_id"] in ids]
        if any(reason for _, reason in named):
            marked.append(what)
        elif named:
            failing.append(f"{what}: '# nosec {result['test_id']}' needs ': <reason>'")
        elif notes:
            failing.append(f"{what}: the '# nosec' there does not name {result['test_id']}")
        else:
            failing.append(f"{what}: {result['issue_text']}")
    return failing, marked, low


def bandit(paths: list[str]) -> int:
    command = [str(BIN / "bandit"), "-c", "pyproject.toml", "-r", *paths]
    run = subprocess.run(
        [*command, "-f", "json", "--ignore-nosec", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(f"bandit: did not run ({run.stderr.strip()[-400:]})", file=sys.stderr)
        return 2
    for error in report["errors"]:
        print(f"bandit: could not scan {error['filename']}: {error['reason']}", file=sys.stderr)
    failing, marked, low = judge_bandit(report, lambda name: (ROOT / name).read_text())
    totals = report["metrics"]["_totals"]
    parts = []
    for severity in ("HIGH", "MEDIUM", "LOW"):
        ids = Counter(r["test_id"] for r in report["results"] if r["issue_severity"] == severity)
        listed = ", ".join(f"{t} ×{n}" for t, n in sorted(ids.items()))
        parts.append(f"{severity.lower()} {ids.total()}" + (f" ({listed})" if listed else ""))
    print(
        f"bandit: {totals['loc']:,} lines in {' '.join(paths)}: {', '.join(parts)}; "
        f"medium/high: {len(marked)} marked '# nosec' with a reason, {len(failing)} unmarked"
    )
    for line in low:
        print(f"  low (reported, not failing): {line}")
    for line in failing:
        print(f"  FAIL {line}", file=sys.stderr)
    return 1 if failing or report["errors"] else 0


def judge_audit(report: dict | None, problem: str = "") -> tuple[int, list[str]]:
    """(exit status, lines) for a pip-audit JSON report; None when pip-audit gave none."""
    if report is None:
        return 0, [f"pip-audit: not checked ({problem or 'no report'})"]
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = [d for d in dependencies if not d.get("skip_reason")]
    vulnerable = [d for d in audited if d.get("vulns")]
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
            lines.append(
                f"pip-audit: {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})"
            )
    if skipped:
        reason = skipped[0]["skip_reason"]
        if not audited:
            lines.append(
                f"pip-audit: not checked (the advisory service answered for none of the "
                f"{len(dependencies)} locked packages: {reason})"
            )
        else:
            names = ", ".join(d["name"] for d in skipped[:5]) + (", …" if len(skipped) > 5 else "")
            lines.append(
                f"pip-audit: {len(skipped)} of {len(dependencies)} locked packages not checked "
                f"({names}: {reason})"
            )
    if audited and not vulnerable:
        checked = f"{len(audited)} of {len(dependencies)}" if skipped else f"the {len(audited)}"
        lines.append(f"pip-audit: no known vulnerabilities in {checked} locked packages")
    elif vulnerable:
        lines.append(f"pip-audit: {len(vulnerable)} locked packages have known vulnerabilities")
    if not dependencies:
        lines.append("pip-audit: not checked (the requirements named no package)")
    return (1 if vulnerable else 0), lines


def _audit(requirements: str, service: str) -> tuple[dict | None, str]:
    """pip-audit's JSON report from one advisory service, or None and what went wrong."""
    output = ROOT / ".venv" / f"pip-audit-{service}.json"
    output.unlink(missing_ok=True)
    command = [
        str(BIN / "pip-audit"),
        f"--requirement={requirements}",
        f"--vulnerability-service={service}",
        "--disable-pip",  # the lock pins every package: nothing to resolve or install
        "--no-deps",
        "--progress-spinner=off",
        "--timeout=10",
        "--format=json",
        f"--output={output}",
    ]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=AUDIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, f"{service}: no answer within {AUDIT_TIMEOUT} s"
    if not output.exists():
        errors = [line for line in run.stderr.splitlines() if "WARNING" not in line]
        return None, f"{service}: {(errors or ['pip-audit failed'])[-1].strip()[:200]}"
    report = json.loads(output.read_text())
    dependencies = report.get("dependencies", [])
    if dependencies and all(d.get("skip_reason") for d in dependencies):
        first = dependencies[0]["skip_reason"]
        return None, f"{service} answered for none of {len(dependencies)} packages: {first}"
    return report, ""


def pip_audit(requirements: str) -> int:
    # PyPI's advisories first; OSV's when PyPI cannot answer (both are the same PyPA database).
    problems = []
    for service in SERVICES:
        report, problem = _audit(requirements, service)
        if report is not None:
            break
        problems.append(problem)
    status, lines = judge_audit(report, "; ".join(problems))
    for line in lines:
        print(line, file=sys.stderr if status else sys.stdout)
    return status


def main(argv: list[str]) -> int:
    if argv[:1] == ["bandit"]:
        return bandit(argv[1:] or ["src"])
    if argv[:1] == ["pip-audit"] and len(argv) == 2:
        return pip_audit(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
