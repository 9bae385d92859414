"""Acceptance 3 in headless Chromium: a coordinator revises the plan, the strategy group
approves it (the chair records its decision), and the public page shows the new revision
with the old one in its history."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cdrp.plans import services
from cdrp.plans.models import Plan
from conftest import user_with_role
from helpers import axe_violations, screenshot, sign_in
from test_plans import _assessment, _decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_revises_strategy_group_approves_public_sees_history(page, demo_registry):
    south = demo_registry
    first = services.seed_from_assessment(_assessment(south), None, period_start="2022-04")
    services.approve(first, None, _decision(south, "Approve the partnership plan 2022 to 2025"))
    decision = _decision(south, "Approve revision 2 of the partnership plan")
    user_with_role("casey", south, "coordinator")
    user_with_role("chris", south, "chair")

    sign_in(page, "casey")
    page.goto("/plans/lancashire-south/revision/1/")
    page.get_by_text("Start the annual revision").click()
    page.get_by_label("Why the plan is being revised").fill(
        "Annual revision: drugs added after the residents' survey"
    )
    page.get_by_role("button", name="Start revision 2").click()
    expect(page.locator("#status")).to_have_text("Draft")
    page.get_by_role("link", name="Add a priority").click()
    page.get_by_label("Name").fill("Drugs")
    page.get_by_label("Crime and disorder categories").fill("drugs")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="5. Drugs")).to_be_visible()
    page.get_by_role("link", name="what changed").click()
    expect(page.get_by_role("cell", name="Priority “Drugs”")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "chris")
    page.goto("/plans/lancashire-south/revision/2/")
    page.get_by_label("The strategy group's decision approving this revision").select_option(
        str(decision.pk)
    )
    page.get_by_role("button", name="Record approval by the strategy group").click()
    expect(page.locator("#status")).to_have_text("Current plan")
    page.get_by_role("button", name="Sign out").click()

    page.goto("/plans/lancashire-south/published/")
    expect(page.get_by_role("heading", name="5. Drugs")).to_be_visible()
    history = page.locator("#history")
    expect(history).to_contain_text("Revision 1")
    expect(history).to_contain_text("(superseded)")
    screenshot(page, "plan-published")
    violations = axe_violations(page)
    assert not violations, [(v["id"], v["help"]) for v in violations]
    history.get_by_role("link").click()
    expect(page.locator("#status")).to_have_text("Superseded")
    expect(page.get_by_role("heading", name="5. Drugs")).to_have_count(0)
    assert Plan.objects.get(revision=1).status == "superseded"
    assert Plan.objects.get(revision=2).approval_decision == decision
