"""The document's parts as types: a finding, a table, a figure, and the section that holds them.

Every section has ``notices`` by construction (the field has no default): a section with nothing
to say says why there, as does one that left something out (hot-spots not analysed, no survey,
no plan recorded). The stored document is plain JSON: :meth:`Section.to_dict` writes a section as
the document holds it.

>>> s = Section.nothing("community", "Community views", "No survey results were given.")
>>> s.to_dict()["notices"], s.findings
(['No survey results were given.'], [])
>>> Section("levels", "Levels", text=[], tables=[], figures=[], findings=[], notices=[])
Traceback (most recent call last):
...
ValueError: section 'levels' has nothing to say and no notice saying why
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

__all__ = ["Column", "Figure", "Finding", "Section", "Table"]


class Finding(TypedDict):
    """One sentence of the document, with the table rows it rests on (``"<table id>#<key>"``)."""

    text: str
    evidence: list[str]
    reading: NotRequired[str]  # the finding in plain English, for members (cdrp.analysis.readings)


class Column(TypedDict):
    key: str
    label: str
    format: str


class Table(TypedDict):
    """A document table: rows keyed by ``_key`` for evidence links (the priorities' rows also
    carry ``_refs``, criterion → the row each score came from)."""

    id: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str


#: A figure: ``id``, ``kind`` (stacked-area, harm-bars, choropleth, trend, ratio-dots, funnel),
#: ``title``, ``caption`` and the data its kind draws; kinds differ in their data keys.
Figure = dict[str, Any]


@dataclass
class Section:
    """One numbered section of the document.

    ``notices_early`` only places the ``notices`` key in the stored JSON: right after ``text``
    for the sections that always wrote notices (why, and every "nothing to say" section), last
    for the others, as documents already stored have them, so a rebuild is byte for byte the
    same. ``extra`` holds a section's own keys after ``findings`` (the priorities'
    ``recommended``). ``missing`` names each input the section lacked (no boundaries, no
    population, one force only): the builder adds each to the section's ``notices`` (if not there
    already) and to the document's ``warnings``; it is not stored in the section itself.
    """

    id: str
    title: str
    text: list[str]
    tables: list[Table]
    figures: list[Figure]
    findings: list[Finding]
    notices: list[str]
    extra: dict[str, Any] = field(default_factory=dict)
    notices_early: bool = False
    number: int | None = None
    missing: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for notice in self.missing:
            if notice not in self.notices:
                self.notices.append(notice)
        if not (self.findings or self.tables or self.notices):
            raise ValueError(f"section {self.id!r} has nothing to say and no notice saying why")

    @classmethod
    def nothing(
        cls, id: str, title: str, notice: str, findings: list[Finding] | None = None
    ) -> Section:
        """A section with nothing to show: ``notice`` says why."""
        return cls(
            id,
            title,
            text=[],
            tables=[],
            figures=[],
            findings=findings or [],
            notices=[notice],
            notices_early=True,
        )

    def to_dict(self) -> dict[str, Any]:
        """The section as the stored document holds it."""
        out: dict[str, Any] = {"id": self.id, "title": self.title, "text": self.text}
        if self.notices_early:
            out["notices"] = self.notices
        out |= {"tables": self.tables, "figures": self.figures, "findings": self.findings}
        out |= self.extra
        if self.number is not None:
            out["number"] = self.number
        if not self.notices_early:
            out["notices"] = self.notices
        return out
