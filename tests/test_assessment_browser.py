"""The assessment page in headless Chromium: interactive charts drawn by vega-embed, maps, axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cdrp.store import Store
from helpers import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SOUTH = ["E07000118", "E07000126", "E07000127"]


def test_the_assessment_page_draws_interactive_charts_and_maps(
    page, partnership, member, reference_store, settings
):
    from cdrp.intelligence.assessments import build
    from cdrp.partnerships.models import Area

    settings.INCIDENT_STORE = reference_store[0]
    for code, name in zip(SOUTH, ["Chorley", "South Ribble", "West Lancashire"], strict=True):
        partnership.districts.add(Area.objects.create(code=code, name=name, level="district"))
    record = build(partnership=partnership, end="2022-11", store=Store(reference_store[0]))
    sign_in(page, "member")
    page.goto(f"/intelligence/assessments/lancashire-south/{record.pk}/")
    expect(page.get_by_role("heading", name="7. Priorities")).to_be_visible()
    charts = page.locator(".cdrp-chart")
    # vega-embed replaces each placeholder with a drawn SVG (served from /static/vendor/vega/).
    expect(charts.first.locator("svg.marks")).to_be_visible(timeout=20000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.cdrp-chart')].every(c => c.querySelector('svg'))"
    )
    assert charts.count() >= 5
    assert page.locator("svg.cdrp-map path").count() > 200
    # An evidence link jumps to the row it cites.
    page.locator("#section-levels .cdrp-findings a").first.click()
    assert page.evaluate("location.hash").startswith("#t-levels-districts--")
    screenshot(page, "assessment-page")
    violations = axe_violations(page)
    assert not violations, [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations
    ]
