"""Browser journey: a coordinator arranges a meeting with its time, venue and webcast, sees the
papers deadline on its page, and the public finds the time and venue on the public list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import user_with_role
from helpers import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_arranges_a_meeting_with_time_and_venue(page, demo_registry):
    user_with_role("ls-coordinator", demo_registry, "coordinator")
    sign_in(page, "ls-coordinator")
    page.goto("/meetings/lancashire-south/groups/rag/")
    page.get_by_label("Date of the meeting").fill("10/6/2027")
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("Venue").fill("Council Chamber, Town Hall")
    page.get_by_label("Recording or webcast link (optional)").fill(
        "https://webcast.example.org/rag-june"
    )
    page.get_by_label("Open to the public").check()
    page.get_by_role("button", name="Arrange meeting and build its agenda").click()
    expect(page.get_by_role("heading", name="Meeting of Thursday 10 June 2027")).to_be_visible()
    when = page.locator("#when-where")
    expect(when).to_contain_text("14:00")
    expect(when).to_contain_text("Council Chamber, Town Hall")
    # Five clear working days before Thursday 10 June 2027: Wed 9 … Thu 3 June; by 2 June.
    expect(when).to_contain_text("By 2 June 2027 (5 clear working days before the meeting)")
    expect(page.get_by_role("link", name="Watch the meeting")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, [(v["id"], v["help"]) for v in violations]
    screenshot(page, "meeting-time-venue")
    page.get_by_role("button", name="Sign out").click()

    page.goto("/meetings/lancashire-south/public/")
    row = page.get_by_role("row").filter(has_text="Thursday 10 June 2027")
    expect(row).to_contain_text("14:00")
    expect(row).to_contain_text("Council Chamber, Town Hall")
    violations = axe_violations(page)
    assert not violations, [(v["id"], v["help"]) for v in violations]
