"""The tactical assessment page in headless Chromium: Leaflet map layers toggle, PDF download."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from helpers import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SOUTH = ["E07000118", "E07000126", "E07000127"]


def test_the_tactical_page_toggles_a_map_layer_and_downloads_the_pdf(
    page, partnership, member, reference_store, settings
):
    from cdrp.partnerships.models import Area

    settings.INCIDENT_STORE = reference_store[0]
    for code, name in zip(SOUTH, ["Chorley", "South Ribble", "West Lancashire"], strict=True):
        partnership.districts.add(Area.objects.create(code=code, name=name, level="district"))
    sign_in(page, "member")
    page.goto("/intelligence/tactical/lancashire-south/?month=2022-11")
    expect(page.get_by_role("heading", name="Emerging hot spots")).to_be_visible()
    hot = page.locator("#tactical-map path.layer-hotspots")
    expect(hot.first).to_be_attached(timeout=20000)
    assert hot.count() > 0
    assert page.locator("#tactical-map path.layer-lsoas").count() > 200
    # No tile layer without a configured tile URL.
    assert page.locator("#tactical-map .leaflet-tile").count() == 0

    box = page.locator(".leaflet-control-layers label", has_text="Emerging hot spots")
    box.locator("input").uncheck()
    expect(hot).to_have_count(0)
    assert page.locator("#tactical-map path.layer-lsoas").count() > 200
    box.locator("input").check()
    expect(hot.first).to_be_attached()

    # An exceedance links to its evidence.
    page.locator("#exceedances ~ .cdrp-scroll table a", has_text="Evidence").first.click()
    assert page.evaluate("location.hash").startswith("#evidence-exceedance-")
    screenshot(page, "tactical-page")
    violations = axe_violations(page)
    assert not violations, [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations
    ]

    # The PDF draws the map too: the first render (WeasyPrint loading its fonts) may take a while.
    with page.expect_download(timeout=90000) as info:
        page.get_by_role("link", name="Download the PDF pack").click(timeout=90000)
    download = info.value
    assert download.suggested_filename == "tactical-lancashire-south-2022-11.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
