"""Benchmark: search query time as the demo's member of Lancashire South, on the index as the
demo leaves it and (with --papers N) with N synthetic papers of about 2,000 words each added in
one transaction that is rolled back afterwards. Prints JSON: median and worst of each query,
for the search service alone and for the whole page; on PostgreSQL also the service's median
before (every match ranked, long snippets) and after (the newest RANK_TOP ranked), interleaved.

    CDRP_DATA_DIR=/tmp/searchdemo .venv/bin/python bench/search.py --papers 20000
    DATABASE_URL=postgres://… .venv/bin/python bench/search.py --papers 20000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time

QUERIES = [
    "burglary",
    "anti-social behaviour",
    '"strategic assessment"',
    "violence or knife",
    "zzqx",
]
WORDS = (
    "crime burglary theft vehicle violence robbery drugs shoplifting criminal damage arson "
    "partnership police council fire probation health youth offending victim offender town "
    "centre night economy licensing alcohol patrol hotspot ward district cohort review plan "
    "priority objective funding project evaluation survey community residents meeting"
).split()


def timed(fn, runs: int) -> dict:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - started)
    return {
        "median_ms": round(statistics.median(seconds) * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1),
    }


def add_papers(partnership, n: int) -> None:
    import datetime as dt

    from cdrp.accounts.audit import acting_as
    from cdrp.meetings.models import AgendaItem, Meeting, Paper
    from cdrp.partnerships.models import Group
    from cdrp.search.models import SearchEntry

    rng = random.Random(1)
    group = Group.objects.filter(partnership=partnership, restricted=False).first()
    with acting_as(None, "bench"):
        meeting = Meeting.objects.create(group=group, date=dt.date(2026, 1, 5))
        item = AgendaItem.objects.create(meeting=meeting, position=99, title="Bench papers")
    papers = Paper.objects.bulk_create(
        [
            Paper(item=item, title=f"Paper {i}", file=f"papers/b{i}.pdf", kind="pdf", size=1)
            for i in range(n)
        ],
        batch_size=2000,
    )
    SearchEntry.objects.bulk_create(
        [
            SearchEntry(
                partnership=partnership,
                kind="paper",
                object_id=p.pk,
                title=f"Paper {i}: {' '.join(rng.choices(WORDS, k=6))}",
                extracted=" ".join(rng.choices(WORDS, k=2000)),
                extracted_from=p.file.name,
                url="/",
            )
            for i, p in enumerate(papers)
        ],
        batch_size=500,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=0)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdrp.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client

    from cdrp.partnerships.models import Partnership
    from cdrp.search.models import SearchEntry
    from cdrp.search.query import search

    partnership = Partnership.objects.get(slug="lancashire-south")
    member = get_user_model().objects.get(username="member")
    out: dict = {"database": connection.vendor, "papers_added": args.papers}
    with transaction.atomic():
        if args.papers:
            started = time.perf_counter()
            add_papers(partnership, args.papers)
            out["add_seconds"] = round(time.perf_counter() - started, 1)
        out["rows"] = SearchEntry.objects.filter(partnership=partnership).count()
        client = Client(HTTP_HOST="localhost")
        client.force_login(member)
        response = client.get(
            "/partnerships/lancashire-south/search/", {"q": "burglary"}, secure=True
        )
        assert response.status_code == 200, response.status_code
        for q in QUERIES:
            found = search(member, partnership, q)
            out[q] = {
                "matches": found.total,
                "service": timed(lambda q=q: search(member, partnership, q), args.runs),
                "service_one_kind": timed(
                    lambda q=q: search(member, partnership, q, kind="paper", page=2), args.runs
                ),
                "page": timed(
                    lambda q=q: client.get(
                        "/partnerships/lancashire-south/search/", {"q": q}, secure=True
                    ),
                    args.runs,
                ),
            }
        if connection.vendor == "postgresql":
            out["postgresql_ranking_before_after"] = ranking_before_after(
                member, partnership, args.runs
            )
        transaction.set_rollback(True)
    print(json.dumps(out, indent=1))


def ranking_before_after(member, partnership, runs: int) -> dict:
    """The search service on PostgreSQL, runs interleaved in one transaction: before, every
    match ranked and snippets made from 100,000 characters; after, the newest RANK_TOP matches
    ranked (title matches first) and snippets from _SNIPPET_CHARS."""
    from cdrp.search import query

    after = (query.RANK_TOP, query._SNIPPET_CHARS)
    out = {}
    for q in ("burglary", "violence or knife", "anti-social behaviour"):
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(runs):
            for name, setting in (("before", (10**9, 100_000)), ("after", after)):
                query.RANK_TOP, query._SNIPPET_CHARS = setting
                started = time.perf_counter()
                query.search(member, partnership, q)
                times[name].append(time.perf_counter() - started)
        query.RANK_TOP, query._SNIPPET_CHARS = after
        out[q] = {k: round(statistics.median(v) * 1000, 1) for k, v in times.items()}
    return out


if __name__ == "__main__":
    main()
