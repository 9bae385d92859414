"""Browser test: a coordinator adds a person and puts them on a group; the structure chart and
the person's page update; an anonymous visitor sees no personal contact details. Headless
Chromium via Playwright, with an axe-core check on each registry page visited."""

import io

import pytest

from cdrp.accounts.audit import acting_as
from cdrp.partnerships import demo
from helpers import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_accessible(page):
    violations = axe_violations(page)
    assert not violations, [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations
    ]


def _box_text(page, group):
    return page.locator(f"svg g[data-group='{group}'] text.members").text_content()


def test_a_coordinator_adds_a_member_and_the_chart_and_person_page_update(
    page, partnership, coordinator
):
    with acting_as(None, "test"):
        demo.load(io.StringIO(), {})

    page.goto("/partnerships/lancashire-south/structure/")
    assert _box_text(page, "vulnerable-households").startswith("4 seats · 4 members")
    _check_accessible(page)

    sign_in(page, "coordinator")
    page.goto("/partnerships/lancashire-south/")
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Name", exact=True).fill("Robin Newcomer (placeholder)")
    page.get_by_label("Short web address").fill("robin-newcomer")
    page.get_by_label("Job title").fill("Housing options officer")
    page.get_by_label("Email").fill("robin.newcomer@example.org")
    page.get_by_label("Phone").fill("01632 960999")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("heading", name="Robin Newcomer (placeholder)").is_visible()
    assert page.locator("#person-email").inner_text() == "robin.newcomer@example.org"

    page.goto("/partnerships/lancashire-south/groups/vulnerable-households/")
    _check_accessible(page)
    page.get_by_role("link", name="Add a member").click()
    page.get_by_label("Seat").select_option(
        label="Lead agency specialist, Lancashire Fire and Rescue Service"
    )
    page.get_by_label("Person").select_option(label="Robin Newcomer (placeholder)")
    page.get_by_label("Start").fill("2024-01-01")
    _check_accessible(page)
    page.get_by_role("button", name="Save").click()
    assert (
        "Robin Newcomer (placeholder) is now recorded"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    assert (
        page.locator("#seats")
        .get_by_role("link", name="Robin Newcomer (placeholder)", exact=True)
        .is_visible()
    )
    screenshot(page, "registry-group-after-adding-a-member")

    page.goto("/partnerships/lancashire-south/structure/")
    assert _box_text(page, "vulnerable-households").startswith("4 seats · 5 members")
    screenshot(page, "registry-structure-chart")

    page.goto("/partnerships/people/robin-newcomer/")
    seats = page.locator("#current-seats").inner_text()
    assert "Vulnerable Households group" in seats and "Lead agency specialist" in seats
    assert page.locator("#total-meetings").inner_text() == "6"  # bi-monthly
    assert page.locator("#total-hours").inner_text() == "12"
    _check_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.goto("/partnerships/people/robin-newcomer/")
    assert "Vulnerable Households group" in page.locator("#current-seats").inner_text()
    content = page.content()
    assert "robin.newcomer@example.org" not in content and "01632 960999" not in content
    assert page.locator("#person-email").count() == 0
    assert "Contact details are shown only to partner members" in content
    page.goto("/partnerships/lancashire-south/groups/vulnerable-households/")
    assert "@example.org" not in page.content()
    _check_accessible(page)
