"""Text of an uploaded document, for the search index: PDF (pypdf), Word (python-docx) and CSV.

Papers are checked when uploaded (`cdrp.meetings.papers`: no scripts in a PDF, no zip bomb in a
Word file); here the text is read with limits all the same (pages, characters), and a file that
cannot be read gives no text rather than an error: the record is still found by its title.
"""

from __future__ import annotations

import io
import logging
import re

__all__ = ["MAX_CHARS", "MAX_PAGES", "text_of", "extract"]

log = logging.getLogger(__name__)

#: The most text kept from one file, and the most PDF pages read.
MAX_CHARS = 500_000
MAX_PAGES = 500
# Characters the index uses to mark matches in snippets never come from a document.
_MARKERS = re.compile("[\ue000\ue001]")


def clean(text: str) -> str:
    """Whitespace folded, NULs and the snippet markers removed, cut at MAX_CHARS."""
    text = _MARKERS.sub("", text.replace("\x00", " "))
    return re.sub(r"\s+", " ", text).strip()[:MAX_CHARS]


def extract(name: str, data: bytes) -> str:
    """The text of a document named `name` (its extension says its type), or "" when its type
    has no text to index or it cannot be read."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        if ext == "pdf":
            return clean(_pdf(data))
        if ext == "docx":
            return clean(_docx(data))
        if ext == "csv":
            return clean(data[: MAX_CHARS * 2].decode("utf-8", errors="replace"))
    except Exception:  # any malformed file: the record is still found by its title
        log.warning("search: no text from %s", name, exc_info=True)
    return ""


def text_of(field_file) -> str:
    """The text of a stored file (a Django FieldFile), or ""."""
    if not field_file:
        return ""
    try:
        with field_file.open("rb") as f:
            data = f.read()
    except OSError:
        log.warning("search: cannot open %s", field_file.name)
        return ""
    return extract(field_file.name, data)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts: list[str] = []
    size = 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PAGES or size >= MAX_CHARS:
            break
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
    return "\n".join(parts)


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)
