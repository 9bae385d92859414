"""A crawl at a phone's width (375 px) over the pages of a partnership as the demo fills it
(registry, meetings, incidents, funding), signed in as its coordinator and then anonymously: no
page is wider than the screen, and axe-core finds no serious or critical issue and no content
outside landmarks (its "region" rule).

The crawl follows links breadth first from the partnership's overview, one page per kind of
address (numbers in the path and the query left out), so the cap covers many different pages
rather than many meetings; downloads are not pages."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from conftest import watch_csp
from helpers import AXE, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 375
#: Pages per visitor: the whole test stays near a minute on the shared 2-core machine.
CAP = {"coordinator": 22, "anonymous": 10}
DOWNLOAD = re.compile(r"\.(pdf|xlsx|csv|ics|json|yaml|geojson|zip)$|/(download|export)/")
NEVER = re.compile(r"^/(admin|api|static|media|accounts/(sign-out|two-factor))/")

# (An SVG link's `href` is an object: the attribute, resolved against the page, for both kinds.)
_LINKS = """() => [...document.querySelectorAll('a[href]')].map(a => [
  new URL(a.getAttribute('href'), document.baseURI).href, !!a.closest('.cdrp-section-nav')])"""
# The widest element that sticks out of the screen and is not inside a region that scrolls on
# its own (a wide table's scrolling wrapper, a map), for the message.
_WIDE = """() => {
  const width = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) continue;
    if (el.closest('.cdrp-scroll, .leaflet-container')) continue;
    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' +
             String(el.className).split(' ')[0] + ' ' + Math.round(r.right) + 'px');
  }
  return out.slice(0, 4);
}"""
_AXE_RUN = """async () => (await axe.run(document)).violations
  .filter(v => v.id === 'region' || v.impact === 'serious' || v.impact === 'critical')
  .map(v => [v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target.join(' '))])"""


@pytest.fixture
def funded(south_with_incidents):
    import io

    from cdrp.funding import demo as funding_demo

    funding_demo.load(io.StringIO())
    return south_with_incidents


@pytest.fixture
def phone(chromium, live_server):
    from django.urls import get_resolver

    get_resolver().url_patterns
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": WIDTH, "height": 812}, is_mobile=True
    )
    context.set_default_timeout(30000)
    violations = watch_csp(context)
    page = context.new_page()
    page.live_url = live_server.url
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


_RECORD = re.compile(
    r"/(groups|people|meeting|meetings|projects|streams|areas|wards|surveys|reviews|sessions"
    r"|calls|indicators|revisions|agreements|organisations)/[^/]+"
)


def _shape(path: str) -> str:
    """The kind of page: numbers and a record's slug (after /groups/, /people/, …) left out."""
    return _RECORD.sub(r"/\1/X", re.sub(r"/\d+(?=/|$)", "/N", path))


def _crawl(page, cap: int, problems: dict) -> list[str]:
    """Two queues: the section menu's pages and the pages the content links to (a group, a
    meeting, a project, a person), taken one to two, so the cap reaches below the menu."""
    start = "/partnerships/lancashire-south/"
    sections, content = deque(), deque([start])
    seen, visited = {_shape(start)}, []
    while (sections or content) and len(visited) < cap:
        first, second = (sections, content) if len(visited) % 3 == 1 else (content, sections)
        path = (first or second).popleft()
        response = page.goto(path)
        # 403 is a page too (editing an organisation other partnerships share is refused with
        # an explanation); a broken link or a server error fails.
        assert response is not None and response.status in (200, 403), (path, response.status)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(path)
        # The layout viewport's width (clientWidth), not innerWidth: on an emulated phone the
        # browser zooms out to fit wide content, and innerWidth grows with it.
        scroll, inner = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert inner == WIDTH, inner
        if scroll > inner:
            problems.setdefault(path, {})["wider than the screen"] = (scroll, page.evaluate(_WIDE))
        if not page.evaluate("() => !!window.axe"):
            page.evaluate(AXE.read_text())  # not a <script>: the CSP refuses inline scripts
        found = page.evaluate(_AXE_RUN)
        if found:
            problems.setdefault(path, {})["axe"] = found
        for href, in_menu in page.evaluate(_LINKS):
            url = urldefrag(href)[0]
            if not url.startswith(page.live_url):
                continue
            bare = urlsplit(url).path
            if "lancashire-south" not in bare and not bare.startswith("/partnerships/people/"):
                continue
            if DOWNLOAD.search(bare) or NEVER.match(bare) or _shape(bare) in seen:
                continue
            seen.add(_shape(bare))
            (sections if in_menu else content).append(bare)
    return visited


def test_no_page_is_wider_than_a_phone_and_axe_finds_nothing_serious_or_outside_landmarks(
    phone, funded, record_property
):
    from conftest import user_with_role

    user_with_role("narrow-coordinator", funded, "coordinator")
    problems: dict = {}
    sign_in(phone, "narrow-coordinator")
    signed_in = _crawl(phone, CAP["coordinator"], problems)
    screenshot(phone, "narrow-crawl-coordinator-last")
    phone.context.clear_cookies()
    anonymous = _crawl(phone, CAP["anonymous"], problems)
    record_property(
        "summary",
        f"375 px crawl: {len(signed_in)} pages as coordinator, {len(anonymous)} anonymously",
    )
    # The crawl reached well beyond the overview, for both visitors.
    assert len(signed_in) == CAP["coordinator"] and len(anonymous) >= 6, (signed_in, anonymous)
    assert not problems, problems
