"""The pages on a phone (375 px wide) in headless Chromium: no page scrolls sideways, the grouped
section menu and breadcrumbs are on every partnership page, and axe-core finds no serious or
critical issue and no content outside landmarks."""

from __future__ import annotations

import pytest

from conftest import user_with_role, watch_csp
from helpers import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/partnerships/lancashire-south/",
    "/partnerships/lancashire-south/structure/",
    "/partnerships/lancashire-south/compliance/",
    "/meetings/lancashire-south/calendar/",
    "/meetings/lancashire-south/actions/",
    "/meetings/lancashire-south/public/",
    "/intelligence/assessments/lancashire-south/",
    "/intelligence/tactical/lancashire-south/?month=2022-11",
    "/plans/lancashire-south/",
    "/plans/performance/lancashire-south/",
    "/plans/funding/lancashire-south/",
    "/plans/funding/lancashire-south/transparency/",
    "/glossary/",
]

# Parts of the page wider than the viewport that do not scroll inside their own region.
_WIDE = """() => {
  const width = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) continue;
    if (el.closest('.cdrp-scroll, .leaflet-container')) continue;
    out.push(el.tagName.toLowerCase() + '.' + String(el.className).split(' ')[0]);
  }
  return out.slice(0, 5);
}"""


@pytest.fixture
def phone(chromium, live_server):
    from django.urls import get_resolver

    get_resolver().url_patterns
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 812}, is_mobile=True
    )
    context.set_default_timeout(30000)
    violations = watch_csp(context)
    page = context.new_page()
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def test_no_page_is_wider_than_a_phone_and_axe_finds_nothing_serious(
    phone, south_with_incidents, record_property
):
    user_with_role("w-coordinator", south_with_incidents, "coordinator")
    sign_in(phone, "w-coordinator")
    problems, widest = {}, 0
    for path in PAGES:
        response = phone.goto(path)
        assert response.status < 400, (path, response.status)
        phone.wait_for_load_state("load")
        scroll = phone.evaluate("() => document.documentElement.scrollWidth")
        widest = max(widest, scroll)
        wide = phone.evaluate(_WIDE)
        if scroll > 375 or wide:
            problems[path] = (scroll, wide)
        # Breadcrumbs on every page but home; the grouped section menu on partnership pages.
        assert phone.locator("nav.govuk-breadcrumbs").count() == 1, path
        if "lancashire-south" in path:
            # The menu is folded on a phone, so the page's heading is on the first screen;
            # opening it shows the four groups.
            heading_top = phone.evaluate(
                "() => document.querySelector('main h1').getBoundingClientRect().top"
            )
            assert heading_top < 812, (path, heading_top)
            nav = phone.get_by_role("navigation", name="Partnership sections")
            assert nav.get_by_role("heading", name="Governance").count() == 0, path
            nav.get_by_text("Sections of this partnership").click()
            for group in ("Governance", "Evidence", "Delivery", "Public"):
                assert nav.get_by_role("heading", name=group).count() == 1, (path, group)
        violations = axe_violations(phone, impacts=("serious", "critical"))
        regions = [
            v
            for v in phone.evaluate("async () => (await axe.run(document)).violations")
            if v["id"] == "region"
        ]
        assert not violations and not regions, (
            path,
            [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations],
            [[n["target"] for n in v["nodes"]][:3] for v in regions],
        )
    screenshot(phone, "phone-glossary")
    record_property(
        "summary", f"phone crawl: {len(PAGES)} pages at 375 px, widest document {widest} px"
    )
    assert not problems, problems


def test_the_section_menu_marks_the_current_page(phone, south_with_incidents):
    user_with_role("w-member", south_with_incidents, "member")
    sign_in(phone, "w-member")
    phone.goto("/meetings/lancashire-south/actions/")
    nav = phone.get_by_role("navigation", name="Partnership sections")
    nav.get_by_text("Sections of this partnership").click()
    current = nav.locator('[aria-current="page"]')
    assert current.count() == 1 and current.inner_text() == "Actions"
    crumbs = phone.locator("nav.govuk-breadcrumbs").inner_text()
    assert "Lancashire South Strategic CDRP" in crumbs
    # A visitor who is not signed in sees the public groups only.
    phone.context.clear_cookies()
    phone.goto("/meetings/lancashire-south/public/")
    nav = phone.get_by_role("navigation", name="Partnership sections")
    nav.get_by_text("Sections of this partnership").click()
    headings = nav.get_by_role("heading").all_inner_texts()
    assert headings == ["Governance", "Public"]
