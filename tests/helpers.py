"""Helpers for browser tests (import as `from helpers import sign_in, …`)."""

from conftest import OUTPUT, PASSWORD, ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def sign_in(page, username, password=PASSWORD):
    page.goto("/accounts/sign-in/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core (from npm) in the page; return violations of the given impacts."""
    # Evaluated through the DevTools protocol, not added as an inline <script>: the page's
    # Content-Security-Policy refuses inline scripts, and the tests fail on any violation.
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in impacts]


def screenshot(page, name):
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
