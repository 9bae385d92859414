"""Markup built in Python escapes quotes as well as <, > and &: a name typed into the registry can
never leave the attribute or text it is drawn into (issue 13, finding 3). The whole site is tried
with a payload set in the real browser by test_xss_browser.py; these are the fast checks of each
builder."""

from __future__ import annotations

import datetime as dt
import subprocess
import xml.etree.ElementTree as ET

import pytest

from cdrp.analysis.performance import sparkline
from cdrp.intelligence.documents import choropleth_svg

# A quote breakout of each kind, an element, an event handler and a script end tag.
NAME = """X" onmouseover="alert(1)" x=" ' onfocus='alert(2)' <script>alert(3)</script>"""


def _parsed(svg: str) -> ET.Element:
    """The SVG as XML: it must parse, and no element or attribute may come from the name."""
    root = ET.fromstring(svg)
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        assert tag != "script", svg
        bad = [name for name in element.attrib if name.lower().startswith("on")]
        assert not bad, (tag, bad)
    return root


def _texts(root: ET.Element) -> list[str]:
    return [t for e in root.iter() for t in [e.text, *e.attrib.values()] if t]


@pytest.mark.django_db
def test_a_group_name_with_quotes_stays_inside_the_structure_charts_attributes_and_text(
    client, partnership
):
    from cdrp.partnerships.models import Group

    Group.objects.create(partnership=partnership, slug="x", name=NAME, kind="strategy")
    svg = client.get(f"/partnerships/{partnership.slug}/structure.svg").content.decode()
    root = _parsed(svg)
    link = root.find(".//{http://www.w3.org/2000/svg}a")
    assert link.attrib["aria-label"] == NAME
    page = client.get(f"/partnerships/{partnership.slug}/structure/").content.decode()
    assert 'onmouseover="alert(1)"' not in page
    assert "X&quot; onmouseover=&quot;alert(1)&quot;" in page


def test_a_sparkline_label_with_quotes_is_one_attribute_and_one_title():
    root = _parsed(sparkline([3, None, 5, 4], label=NAME, target=4))
    assert root.attrib["aria-label"] == NAME
    assert NAME in _texts(root)


def test_a_map_title_and_area_names_with_quotes_stay_text():
    figure = {
        "title": NAME,
        "width": 100,
        "height": 50,
        "features": [{"name": NAME, "count": 3, "rate": 1.5, "path": "M0 0 L10 0 L10 10 Z"}],
    }
    root = _parsed(choropleth_svg(figure))
    assert root.attrib["aria-label"] == NAME
    assert f"{NAME}: 3 records, 1.5 per 1,000" in _texts(root)


def test_a_chart_drawn_by_vl_convert_keeps_titles_and_labels_as_text():
    """The assessment's PDF inserts vl-convert's SVG as is: Vega must escape what it draws."""
    from cdrp.intelligence.documents import chart_svg

    spec = {
        "title": NAME,
        "data": {"values": [{"area": NAME, "count": 3}]},
        "mark": "bar",
        "encoding": {
            "x": {"field": "count", "type": "quantitative"},
            "y": {"field": "area", "type": "nominal"},
        },
    }
    root = _parsed(chart_svg(spec))
    texts = " ".join(_texts(root))
    assert NAME in texts


@pytest.mark.django_db
def test_an_unknown_tactical_pack_format_is_answered_as_plain_text_not_html(
    client, partnership, member, monkeypatch
):
    from cdrp.intelligence import tactical_views

    monkeypatch.setattr(tactical_views, "_pack", lambda request: ({"month": "2022-11"}, None))
    client.force_login(member)
    response = client.get(f"/intelligence/tactical/{partnership.slug}/pack.<svg onload=alert(1)>")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_the_minutes_running_header_shows_the_partnership_name_as_written(
    client, demo_registry, tmp_path
):
    """The header takes the name from the page (string-set), so no registry text is ever pasted
    into the stylesheet, and an apostrophe prints as one (escapejs once printed u0027)."""
    from cdrp.meetings.models import Meeting
    from cdrp.partnerships.models import Group

    demo_registry.name = """Women's "Safe" Partnership </style><p>"""
    demo_registry.save()
    rag = Group.objects.get(partnership=demo_registry, slug="rag")
    meeting = Meeting.objects.create(group=rag, date=dt.date(2026, 5, 12))
    from cdrp.meetings.minutes import minutes_html, minutes_pdf

    html = minutes_html(meeting)
    style = html.split("<style", 1)[1].split("</style>", 1)[0]
    assert "Women" not in style
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(minutes_pdf(meeting))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # Once in the caption, and once in the running header of each page.
    assert text.count("""Women's "Safe" Partnership </style><p>""") >= 2, text
