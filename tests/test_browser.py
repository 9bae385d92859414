"""Browser tests: sign in, see the dashboard, navigate, sign out, in headless Chromium, with an
axe-core accessibility check (no serious or critical violations) on every page visited."""

import pytest
from playwright.sync_api import expect

from helpers import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_accessible(page):
    violations = axe_violations(page)
    assert not violations, [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations
    ]


def test_sign_in_dashboard_navigate_and_sign_out(page, partnership, coordinator):
    page.goto("/")
    assert page.title() == "Community safety partnership"
    assert (
        page.locator(".govuk-service-navigation__service-name").inner_text()
        == "Community safety partnership"
    )
    _check_accessible(page)

    sign_in(page, "coordinator")
    expect(page.get_by_role("heading", name="Your partnerships")).to_be_visible()
    yours = page.get_by_role("listitem").filter(has_text="Lancashire South Strategic CDRP")
    expect(yours.filter(has_text="Coordinator")).to_be_visible()
    screenshot(page, "dashboard")
    _check_accessible(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Partnerships").click()
    expect(page.get_by_role("heading", name="Partnerships", exact=True)).to_be_visible()
    _check_accessible(page)
    page.get_by_role("link", name="Lancashire South Strategic CDRP").click()
    expect(page.get_by_role("heading", name="Lancashire South Strategic CDRP")).to_be_visible()
    _check_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    expect(page.get_by_role("heading", name="Community safety partnership")).to_be_visible()


def test_a_wrong_password_shows_the_error_summary(page, member):
    sign_in(page, "member", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "Enter a correct user name and password" in summary.inner_text()
    _check_accessible(page)


def test_administrator_sees_the_audit_trail_and_member_is_refused(
    page, partnership, administrator, member
):
    sign_in(page, "administrator")
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    assert "Lancashire South Strategic CDRP" in page.content()
    _check_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "member")
    assert page.get_by_role("link", name="Audit trail").count() == 0
    response = page.goto("/accounts/audit/")
    assert response.status == 403
    expect(
        page.get_by_role("heading", name="You do not have permission to see this page")
    ).to_be_visible()
