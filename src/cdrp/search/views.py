"""The search page of a partnership: /partnerships/<slug>/search/?q=…[&kind=…&page=…]."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render

from cdrp.accounts.policy import Permission, requires
from cdrp.meetings.restricted import audit_reads
from cdrp.search.query import MAX_QUERY, search
from cdrp.search.registry import indexer_for_kind, indexers

PER_PAGE = 20  # results on a page of one kind
PER_KIND = 5  # results of each kind when all kinds are shown


def _page(request) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


@requires(Permission.VIEW_MEMBER)
def search_page(request, partnership):
    p = request.partnership
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    kind = request.GET.get("kind", "")
    kind = kind if indexer_for_kind(kind) else ""
    results = None
    if q:
        results = search(
            request.user,
            p,
            q,
            kind=kind or None,
            page=_page(request),
            per_page=PER_PAGE if kind else PER_KIND,
        )
        # A restricted record whose words are shown is read: audited like its own page.
        audit_reads([h.record for h in results.hits if h.restricted])
    labels = {i.kind: i.label for i in indexers()}
    kinds = []
    if results is not None:
        kinds = [
            {
                "kind": k,
                "label": labels[k],
                "count": n,
                "url": "?" + urlencode({"q": q, "kind": k}),
            }
            for k, n in sorted(results.counts.items(), key=lambda kv: list(labels).index(kv[0]))
            if n and k in labels
        ]
    pages: list[dict] = []
    if results is not None and kind and results.pages > 1:
        # The first and last pages and two either side of this one, gaps as an ellipsis.
        shown = {1, results.pages, *range(results.page - 2, results.page + 3)}
        previous = 0
        for n in sorted(x for x in shown if 1 <= x <= results.pages):
            if n > previous + 1:
                pages.append({"number": None, "url": ""})
            pages.append({"number": n, "url": "?" + urlencode({"q": q, "kind": kind, "page": n})})
            previous = n
    return render(
        request,
        "search/search.html",
        {
            "partnership": p,
            "q": q,
            "kind": kind,
            "kind_label": labels.get(kind, ""),
            "results": results,
            "kinds": kinds,
            "pages": pages,
            "all_url": "?" + urlencode({"q": q}),
            "on_search_page": True,  # its own box, not the section menu's
        },
    )
