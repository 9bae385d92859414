"""JSON API for search: ``GET /api/partnerships/{partnership}/search?q=…`` (members), the same
results as the page, each restricted record shown audited as a read. Registered in `cdrp.api`."""

from __future__ import annotations

import datetime as dt
import re

from ninja import Router, Schema

from cdrp.accounts.api_auth import AUTH, allow, api_user
from cdrp.accounts.policy import Permission
from cdrp.meetings.restricted import audit_reads
from cdrp.search.query import search

router = Router(tags=["search"])


class HitOut(Schema):
    kind: str
    label: str
    title: str
    snippet: str
    snippet_html: str
    url: str
    date: dt.date | None
    restricted: bool


class SearchOut(Schema):
    query: str
    kind: str | None
    total: int
    counts: dict[str, int]
    page: int
    pages: int
    results: list[HitOut]


def _text(html: str) -> str:
    import html as html_lib

    return html_lib.unescape(re.sub(r"</?mark[^>]*>", "", html))


@router.get("/partnerships/{partnership}/search", response=SearchOut, auth=AUTH)
@allow(Permission.VIEW_MEMBER)
def search_records(request, partnership: str, q: str, kind: str | None = None, page: int = 1):
    """Records of the partnership matching `q` that the caller may read (words, "phrases",
    or, -excluded), best first: with `kind`, one page of 20 of that kind; without, the best 5
    of each kind. `snippet_html` is escaped HTML with the matched words in <mark>."""
    user = api_user(request)
    found = search(user, request.partnership, q, kind=kind, page=page, per_page=20 if kind else 5)
    audit_reads([h.record for h in found.hits if h.restricted], reader=user)
    return {
        "query": found.query,
        "kind": found.kind,
        "total": found.total,
        "counts": found.counts,
        "page": found.page,
        "pages": found.pages,
        "results": [
            {
                "kind": h.kind,
                "label": h.label,
                "title": _text(h.title),
                "snippet": _text(h.snippet),
                "snippet_html": str(h.snippet),
                "url": h.url,
                "date": h.date,
                "restricted": h.restricted,
            }
            for h in found.hits
        ],
    }
