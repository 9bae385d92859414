"""Funding pages in headless Chromium: a coordinator's overspend is refused on the page, then
the spend is recorded; the project page and the public transparency page pass axe."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from cdrp.funding import services as funding
from cdrp.funding.models import Spend
from helpers import axe_violations, screenshot, sign_in
from test_funding_support import *  # noqa: F403 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_violations(page):
    violations = axe_violations(page)
    assert not violations, [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations
    ]


def test_spend_is_refused_then_recorded_and_the_pages_pass_axe(page, coordinator, project, stream):
    funding.record_spend(project, dt.date(2023, 5, 1), 900_00, "Locks")
    sign_in(page, "coordinator")
    page.goto(f"/plans/funding/lancashire-south/projects/{project.pk}/")
    expect(page.get_by_role("heading", name="Target hardening")).to_be_visible()
    page.get_by_text("Record spend").click()
    page.get_by_label("Date").fill("2023-06-01")
    page.get_by_label("Amount").fill("150.00")
    page.get_by_label("What it paid for").fill("More locks")
    page.get_by_role("button", name="Record the spend").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("spend would reach £1,050.00 against a budget of £1,000.00")
    assert Spend.objects.count() == 1
    _no_violations(page)
    page.get_by_label("Amount").fill("100.00")
    page.get_by_role("button", name="Record the spend").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Spend recorded")
    expect(page.locator("#money")).to_contain_text("£0.00")
    assert Spend.objects.count() == 2
    screenshot(page, "funding-project")
    _no_violations(page)

    funding.publish_stream(stream)
    funding.publish_project(project)
    page.goto(f"/plans/funding/lancashire-south/streams/{stream.pk}/")
    _no_violations(page)
    page.context.clear_cookies()
    page.goto("/plans/funding/lancashire-south/transparency/")
    expect(page.locator("#projects")).to_contain_text("£1,000.00")
    screenshot(page, "funding-transparency")
    _no_violations(page)
