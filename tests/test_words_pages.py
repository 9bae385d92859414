"""Words and maps on the pages and documents: no ISO date or category slug in what a person reads
on a crawl of the demo partnership's pages, readings beside the tasking pack's statistics, the
glossary linked from its terms, and the tactical PDF carrying its map, legend and page numbers."""

import re
import subprocess
from collections import deque
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest

from conftest import user_with_role

pytestmark = pytest.mark.django_db

ISO = re.compile(r"\b(?:19|20)\d\d-(?:0[1-9]|1[0-2])(?:-\d\d)?\b")
SLUGS = (
    "criminal-damage-arson",
    "anti-social-behaviour",
    "violent-crime",
    "vehicle-crime",
    "other-theft",
    "public-order",
    "possession-of-weapons",
    "theft-from-the-person",
    "bicycle-theft",
    "other-crime",
)
SLUG = re.compile(r"(?<![\w/.-])(?:" + "|".join(SLUGS) + r")(?![\w-])")
# Downloads and machine outputs (ISO is right there), and pages that act rather than show.
SKIP = (
    ".pdf",
    ".json",
    ".ics",
    ".csv",
    ".xlsx",
    "format=",
    "/api/",
    "/admin/",
    "/static/",
    "sign-out",
    "/edit",
    "/papers/",
    "download",
)


class _Text(HTMLParser):
    """The text a person reads (no script, style or JSON data) and the page's links."""

    def __init__(self):
        super().__init__()
        self.links, self.text, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template", "code"):  # code: a file name as it is
            self._skip += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "code"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def crawl(client, start, cap):
    """Breadth-first over the site's own pages from `start`: {path: (status, text)}."""
    seen, queue, out = set(), deque(start), {}
    while queue and len(out) < cap:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if "html" not in response.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        out[path] = (response.status_code, " ".join(" ".join(parser.text).split()))
        for href in parser.links:
            url = urlparse(urljoin("http://testserver" + path, href))
            if url.netloc != "testserver" or any(s in href for s in SKIP):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if target not in seen:
                queue.append(target)
    return out


@pytest.fixture
def coordinator_client(client, south_with_incidents):
    user = user_with_role("w-coordinator", south_with_incidents, "coordinator")
    client.force_login(user)
    return client


def test_no_page_shows_an_iso_date_or_a_category_slug(coordinator_client, record_property):
    start = [
        "/partnerships/lancashire-south/",
        "/intelligence/tactical/lancashire-south/",
        "/meetings/lancashire-south/calendar/",
        "/meetings/lancashire-south/actions/",
        "/meetings/lancashire-south/public/",
        "/plans/lancashire-south/",
        "/intelligence/assessments/lancashire-south/",
        "/partnerships/lancashire-south/compliance/",
        "/glossary/",
    ]
    pages = crawl(coordinator_client, start, cap=70)
    assert len(pages) >= 40, sorted(pages)
    assert all(status < 500 for status, _ in pages.values())
    found = {}
    for path, (_, text) in pages.items():
        isos = sorted(set(ISO.findall(text)))
        slugs = sorted(set(SLUG.findall(text)))
        if isos or slugs:
            found[path] = (isos[:5], slugs[:5])
    record_property("summary", f"words crawl: {len(pages)} pages, none with an ISO date or slug")
    assert not found, found


def test_the_tasking_pack_reads_in_plain_english(coordinator_client):
    response = coordinator_client.get(
        "/intelligence/tactical/lancashire-south/?month=November 2022"
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    pack = response.context["pack"]
    assert pack["month"] == "2022-11"
    assert "Tactical assessment: November 2022" in html
    # Each statistic has its reading beside it.
    for item in pack["emerging"]:
        assert item["reading"].startswith(item["lsoa_name"] + " is a hot spot")
        assert item["reading"] in html
    for item in pack["exceedances"]:
        assert item["category_name"] in item["reading"]
        assert "in 99 months out of 100" in item["reading"]
        assert item["reading"] in html
    assert pack["near_repeat"]["reading"] in html
    assert pack["emerging_reading"] in html
    # Technical terms link to the glossary; no internal module name reaches the reader.
    for key in ("gi-star", "fdr", "knox", "upper-limit", "lsoa"):
        assert f'href="/glossary/#{key}"' in html
    assert "cdrp." not in re.sub(r"<(script|link)[^>]*>", "", html).replace("cdrp.css", "")
    # The map carries context layers and a legend naming each colour.
    data = response.context["map_data"]
    assert {f["properties"]["name"] for f in data["districts"]["features"]} == {
        "Chorley",
        "South Ribble",
        "West Lancashire",
    }
    assert len(data["wards"]["features"]) > 20
    assert all(f["properties"]["label_at"] for f in data["wards"]["features"])
    labels = [item["label"] for item in data["legend"]]
    assert labels[0] == "Emerging hot spot (neighbourhood)"
    for name in {e["category_name"] for e in pack["exceedances"]}:
        assert f"Exceedance: {name} (ward)" in labels
    assert 'id="map-key"' in html and "District boundary" in html


def test_the_tile_layer_is_off_unless_set_and_then_allowed_by_the_csp(coordinator_client):
    response = coordinator_client.get("/intelligence/tactical/lancashire-south/")
    assert response.context["map_data"]["tile_url"] == ""
    csp = response["Content-Security-Policy"]
    img = next(d for d in csp.split(";") if d.strip().startswith("img-src"))
    assert img.split() == ["img-src", "'self'", "data:"]


def test_the_tactical_pdf_carries_the_map_legend_and_page_numbers(coordinator_client, tmp_path):
    response = coordinator_client.get(
        "/intelligence/tactical/lancashire-south/pack.pdf?month=2022-11"
    )
    assert response.status_code == 200
    path = tmp_path / "pack.pdf"
    path.write_bytes(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    first = pages[0]
    assert "Tactical assessment: Lancashire South Strategic CDRP, November 2022" in first
    for words in ("Key", "Emerging hot spot (neighbourhood)", "District boundary", "Ward boundary"):
        assert words in first, words
    # District names label the map.
    assert "Chorley" in first and "West Lancashire" in first
    assert "Page 1 of" in first
    n = len([p for p in pages if p.strip()])
    assert f"Page {n} of {n}" in pages[n - 1]
    assert "cdrp.analysis" not in text
    assert "criminal-damage-arson" not in text and "2022-11" not in text
