"""Search ranking on both databases: on PostgreSQL only the newest `RANK_TOP` matches (title
matches first) are ranked, so a common word stays quick; the counts still cover every match,
a title match still comes first, and paging by kind past the ranked set still reaches every
match once. The same test runs on SQLite (FTS5, every match ranked) by DATABASE_URL."""

from __future__ import annotations

import datetime as dt

import pytest

from cdrp.accounts.audit import acting_as
from cdrp.scrutiny.models import Review
from cdrp.search import query
from cdrp.search.query import search

pytestmark = pytest.mark.django_db


def test_a_common_word_ranks_a_few_yet_counts_and_pages_every_match(
    partnership, member, monkeypatch
):
    monkeypatch.setattr(query, "RANK_TOP", 3)
    start = dt.date(2025, 1, 1)
    with acting_as(None, "test"):
        titled = Review.objects.create(
            partnership=partnership,
            title="Zzkestrel patrols reviewed",
            committee="Committee",
            started_on=start,  # the oldest: outside the newest three
            summary="A review of patrols.",
        )
        for i in range(1, 8):
            Review.objects.create(
                partnership=partnership,
                title=f"Review number {i}",
                committee="Committee",
                started_on=start + dt.timedelta(days=30 * i),
                summary=f"The zzkestrel scheme was discussed at length, session {i}.",
            )
    found = search(member, partnership, "zzkestrel")
    assert found.counts == {"scrutiny-review": 8}
    assert found.hits[0].object_id == titled.pk
    assert "<mark" in found.hits[0].title  # the title's match is marked
    assert all("<mark" in h.snippet for h in found.hits[1:])
    seen = []
    for page in (1, 2, 3):
        one = search(
            member, partnership, "zzkestrel", kind="scrutiny-review", page=page, per_page=3
        )
        seen += [h.object_id for h in one.hits]
    assert len(seen) == 8 and len(set(seen)) == 8
    assert search(member, partnership, "zzkestrel -scheme").counts == {"scrutiny-review": 1}
