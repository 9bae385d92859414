"""The assessment PDF, rendered with WeasyPrint and read back with poppler (pdftotext, pdftoppm)."""

from __future__ import annotations

import subprocess

import pytest
from PIL import Image

from cdrp.store import Store
from conftest import OUTPUT

SOUTH = ["E07000118", "E07000126", "E07000127"]
HEADINGS = [
    "Contents",
    "Executive summary",
    "1. Levels and patterns",
    "2. Changes since the last assessment",
    "3. Why: what drove the change",
    "4. Effectiveness of last year's plan",
    "5. Community views",
    "6. Comparison with similar areas",
    "7. Priorities",
    "Data sources and licence",
]


@pytest.fixture(scope="module")
def pdf(reference_store):
    from cdrp.intelligence.assessments import build
    from cdrp.intelligence.documents import render_pdf

    root, _ = reference_store
    record = build(districts=SOUTH, end="2022-11", store=Store(root), save=False)
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / "assessment-lancashire-south.pdf"
    path.write_bytes(render_pdf(record))
    return path


def _pages(path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def test_the_pdf_has_a_cover_contents_and_every_numbered_section(pdf):
    pages = _pages(pdf)
    assert "Strategic assessment" in pages[0] and "December 2021 to November 2022" in pages[0]
    assert "Page" not in pages[0]  # no page number on the cover
    assert "Contents" in pages[1]
    body = "\n".join(pages)
    for heading in HEADINGS:
        assert heading in body, heading
    # Each section starts a page, and the contents give that page's number.
    for heading in HEADINGS[2:]:
        number = next(i for i, p in enumerate(pages, start=1) if heading in p and i > 2)
        line = next(x for x in pages[1].splitlines() if heading in x)
        assert line.rstrip().endswith(str(number)), (heading, line, number)


def test_every_page_after_the_cover_is_numbered(pdf):
    pages = [p for p in _pages(pdf) if p.strip()]
    total = len(pages)
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in page


def test_long_tables_repeat_their_header_on_each_page(pdf):
    pages = _pages(pdf)
    with_rows = [p for p in pages if "Data loaded" in p]
    assert len(with_rows) >= 2  # the families table runs over more than one page
    assert all("Family member" in p for p in with_rows)


def test_figures_have_captions_and_the_licence_is_stated(pdf):
    body = "\n".join(_pages(pdf))
    assert "Figure 1: Records per month by category" in body
    assert "Table 1.1: Records, rates per 1,000 residents and harm by district" in body
    assert "Open Government Licence v3.0" in body
    assert "11,007" in body and "10,236" in body and "8,418" in body


def test_the_pages_convert_to_png_with_content_on_them(pdf):
    prefix = OUTPUT / "assessment-page"
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "6", str(pdf), str(prefix)], check=True
    )
    images = sorted(OUTPUT.glob("assessment-page-*.png"))
    assert len(images) == 6
    cover = Image.open(images[0]).convert("RGB")
    # The cover's blue band (GOV.UK blue #1d70b8) across the top of the page.
    r, g, b = cover.getpixel((cover.width // 2, 10))
    assert (abs(r - 0x1D), abs(g - 0x70), abs(b - 0xB8)) < (12, 12, 12)
    for image in images[2:]:
        gray = Image.open(image).convert("L")
        assert gray.getextrema()[0] < 100  # text or figures, not a blank page
