"""Searching the index: what a reader may see of one partnership's records, ranked, with snippets.

PostgreSQL: ``websearch_to_tsquery`` against the stored generated ``search_vector`` (GIN index),
the newest `RANK_TOP` matches (title matches first) ranked by ``ts_rank_cd``, snippets by
``ts_headline`` for the page's rows only. SQLite: the same query language turned into an
FTS5 query (`fts5_query`), ranked by ``bm25``, snippets by ``snippet``. Either way the words the
reader typed are bound as parameters, never written into the SQL.

Who sees what: a row with no restricting group is seen by every member of the partnership; a row
restricted to a group only by those `cdrp.accounts.policy.may_see_restricted` allows (the group's
current members). Each result shown is checked once more against its record as it is now (a
record changed by a bulk write, which sends no signal, is indexed again first), so a snippet of a
record the reader may not open is never shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cdrp.accounts.policy import may_see_restricted
from cdrp.search.index import index_record
from cdrp.search.models import SearchEntry
from cdrp.search.registry import indexer_for_kind, indexers

__all__ = ["Hit", "Results", "search", "fts5_query", "mark", "MAX_QUERY"]

START, STOP = "\ue000", "\ue001"
MAX_QUERY = 200  # characters of a query read
_HEADLINE = f"StartSel={START}, StopSel={STOP}"
_SNIPPET_CHARS = 20_000  # of a long text, the part PostgreSQL makes a snippet from


@dataclass
class Hit:
    kind: str
    label: str
    object_id: int
    title: SafeString
    snippet: SafeString
    url: str
    date: Any
    restricted: bool
    record: Any = None


@dataclass
class Results:
    query: str
    kind: str | None
    counts: dict[str, int] = field(default_factory=dict)  # kind → matches the reader may see
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    per_page: int = 20

    @property
    def total(self) -> int:
        return sum(self.counts.get(k, 0) for k in ([self.kind] if self.kind else self.counts))

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def groups(self) -> list[tuple[str, str, int, list[Hit]]]:
        """(kind, label, count, hits) per kind that has matches, in the indexers' order."""
        out = []
        for indexer in indexers():
            hits = [h for h in self.hits if h.kind == indexer.kind]
            count = self.counts.get(indexer.kind, 0)
            if hits:
                out.append((indexer.kind, indexer.label, count, hits))
        return out


def mark(text: str) -> SafeString:
    """`text` escaped for HTML, its matches (between the markers) as <mark>."""
    escaped = str(escape(text))
    marked = re.sub(f"{START}(.*?){STOP}", r'<mark class="cdrp-search-mark">\1</mark>', escaped)
    return mark_safe(marked.replace(START, "").replace(STOP, ""))  # noqa: S308  # nosec B308 B703: escaped above, only our own tags added


# The query language (as websearch_to_tsquery): words, "quoted phrases", or, -excluded ---------

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _phrase(text: str) -> str | None:
    words = re.findall(r"\w+", text)
    return '"' + " ".join(words) + '"' if words else None


def fts5_query(q: str) -> str | None:
    """The FTS5 query for a search as typed, or None when it asks for nothing.

    >>> fts5_query('burglary "night time" or theft -cycle')
    '("burglary") AND ("night time" OR "theft") NOT "cycle"'
    >>> fts5_query('"; DROP TABLE x; --') is None
    False
    >>> fts5_query('-only') is None
    True
    """
    groups: list[list[str]] = []
    excluded: list[str] = []
    joining = False
    for m in _TOKEN.finditer(q[:MAX_QUERY]):
        negated, quoted, bare = m.group(1), m.group(2), m.group(3)
        if bare is not None and bare.lower() == "or" and groups:
            joining = True
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, bare = "-", bare[1:]
        phrase = _phrase(quoted if quoted is not None else bare)
        if phrase is None:
            continue
        if negated:
            excluded.append(phrase)
        elif joining:
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
        joining = False
    if not groups:
        return None
    expr = " AND ".join("(" + " OR ".join(g) + ")" for g in groups)
    for phrase in excluded:
        expr = f"{expr} NOT {phrase}"
    return expr


# Searching --------------------------------------------------------------------------------------


def _visible_groups(user, partnership) -> list[int]:
    """The restricting groups of the partnership's rows whose records `user` may read."""
    groups = (
        SearchEntry.objects.filter(partnership=partnership, restricted_group__isnull=False)
        .values_list("restricted_group", flat=True)
        .distinct()
    )
    return [g for g in groups if g is not None and may_see_restricted(user, g)]


def _where(partnership, allowed: list[int], kind: str | None) -> tuple[str, list]:
    sql = " AND e.partnership_id = %s AND (e.restricted_group IS NULL"
    params: list = [partnership.pk]
    if allowed:
        sql += " OR e.restricted_group IN (" + ", ".join(["%s"] * len(allowed)) + ")"
        params += allowed
    sql += ")"
    if kind:
        sql += " AND e.kind = %s"
        params.append(kind)
    return sql, params


def _counts(match_from: str, match_params: list, where: str, params: list) -> dict[str, int]:
    sql = f"SELECT e.kind, COUNT(*) FROM {match_from}{where} GROUP BY e.kind"  # nosec B608: constant SQL; every value bound
    with connection.cursor() as cursor:
        cursor.execute(sql, [*match_params, *params])
        return {kind: n for kind, n in cursor.fetchall()}


def _rows(q: str, where: str, params: list, limit: int, offset: int) -> list[tuple]:
    """(id, title with marks, snippet with marks) of the best matches."""
    if connection.vendor != "postgresql":
        return _fts5_rows(q, where, params, limit, offset)
    with connection.cursor() as cursor:
        cursor.execute(_PG_ROWS.format(where=where), _pg_args(q, params, limit, offset))
        return cursor.fetchall()


#: Of a common word's matches, the most recent this many (those whose title matches first) are
#: ranked: ts_rank_cd reads each row's whole tsvector, so ranking every one of thousands of
#: matches took seconds. Fewer matches than this are all ranked, exactly; the rest follow,
#: title matches first, newest first.
RANK_TOP = 300

# PostgreSQL: the GIN index finds the matches (``search_vector @@ query``); the candidates are
# taken newest first, title matches before the rest (a title's tsvector is small), then only
# those are ranked by ts_rank_cd, and only the page's rows get snippets (ts_headline, on the
# first _SNIPPET_CHARS of the text).
_PG_ROWS = (
    "WITH candidates AS ("
    "SELECT e.id, row_number() OVER (ORDER BY to_tsvector('english', e.title) @@ query DESC, "
    "e.date DESC NULLS LAST, e.id DESC) AS rn "
    "FROM search_searchentry e, websearch_to_tsquery('english', %s) query "
    "WHERE e.search_vector @@ query{where} ORDER BY rn LIMIT %s), "
    "ranked AS ("
    "SELECT e.id, e.title, left(e.text || ' ' || e.extracted, %s) AS body, c.rn, "
    "CASE WHEN c.rn <= %s THEN ts_rank_cd(e.search_vector, query) END AS score "
    "FROM candidates c JOIN search_searchentry e ON e.id = c.id, "
    "websearch_to_tsquery('english', %s) query "
    "ORDER BY c.rn > %s, score DESC NULLS LAST, c.rn LIMIT %s OFFSET %s) "
    "SELECT r.id, ts_headline('english', r.title, query, %s), "
    "ts_headline('english', r.body, query, %s) "
    "FROM ranked r, websearch_to_tsquery('english', %s) query "
    "ORDER BY r.rn > %s, r.score DESC NULLS LAST, r.rn"
)  # nosec B608: constant SQL; `where` is built from constants, every value bound
# The query is written out in each part (not a shared CTE) so PostgreSQL folds it to a constant
# and a rare word is found through the GIN index. Beyond the ranked RANK_TOP, pages follow the
# candidates' order, so every page is cut from one order and no match is shown twice.


def _pg_args(q: str, params: list, limit: int, offset: int) -> list:
    body_options = f'{_HEADLINE}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
    top = RANK_TOP
    return [
        q,
        *params,
        max(top, offset + limit),
        _SNIPPET_CHARS,
        top,
        q,
        top,
        limit,
        offset,
        _HEADLINE + ", HighlightAll=true",
        body_options,
        q,
        top,
    ]


# FTS5 first (CROSS JOIN keeps SQLite from running the full-text query once per row of the
# partnership), ranked without snippets; then snippets of the page's rows only.
_FTS5_FROM = "search_fts CROSS JOIN search_searchentry e ON e.id = search_fts.rowid"


def _fts5_rows(q: str, where: str, params: list, limit: int, offset: int) -> list[tuple]:
    match = fts5_query(q)
    ranked = (
        f"SELECT e.id FROM {_FTS5_FROM} WHERE search_fts MATCH %s{where} "  # nosec B608: constant SQL; every value bound
        "ORDER BY bm25(search_fts, 10.0, 2.0, 1.0), e.id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(ranked, [match, *params, limit, offset])
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return []
        marked = (
            f"SELECT rowid, highlight(search_fts, 0, '{START}', '{STOP}'), "  # nosec B608: constant SQL (the markers are constants); every value bound
            f"snippet(search_fts, 1, '{START}', '{STOP}', ' … ', 24), "
            f"snippet(search_fts, 2, '{START}', '{STOP}', ' … ', 24) "
            "FROM search_fts WHERE search_fts MATCH %s AND rowid = %s"
        )
        found = {}
        for pk in ids:
            cursor.execute(marked, [match, pk])
            for row in cursor.fetchall():
                found[row[0]] = row
    rows = [found[pk] for pk in ids if pk in found]
    # The snippet of the record's own words when they match, else of its file's text.
    return [
        (i, title, text if START in text else (extracted or text))
        for i, title, text, extracted in rows
    ]


def _match(q: str) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return (
            "search_searchentry e, websearch_to_tsquery('english', %s) query "
            "WHERE e.search_vector @@ query",
            [q],
        )
    return (f"{_FTS5_FROM} WHERE search_fts MATCH %s", [fts5_query(q)])


def search(
    user, partnership, q: str, kind: str | None = None, page: int = 1, per_page: int = 20
) -> Results:
    """The matches of `q` among `partnership`'s records that `user` may read.

    With `kind`, one page (`page`, `per_page`) of that kind's matches; without, the best
    `per_page` of each kind (grouped on the page). `counts` has every kind's number of matches.
    """
    q = q.replace("\x00", " ").strip()[:MAX_QUERY]
    kind = kind if kind and indexer_for_kind(kind) else None
    results = Results(query=q, kind=kind, page=max(1, page), per_page=per_page)
    if not q or (connection.vendor != "postgresql" and fts5_query(q) is None):
        return results
    allowed = _visible_groups(user, partnership)
    match_from, match_params = _match(q)
    where, params = _where(partnership, allowed, None)
    results.counts = _counts(match_from, match_params, where, params)
    kinds = [kind] if kind else [k for k in results.counts]
    rows: list[tuple] = []
    for k in kinds:
        where, params = _where(partnership, allowed, k)
        if kind:
            rows += _rows(q, where, params, per_page, (results.page - 1) * per_page)
        else:
            rows += _rows(q, where, params, per_page, 0)
    entries = SearchEntry.objects.in_bulk([r[0] for r in rows])
    for object_pk, title, snippet in rows:
        entry = entries.get(object_pk)
        if entry is None:
            continue
        hit = _checked(user, partnership, entry)
        if hit is None:
            results.counts[entry.kind] = max(0, results.counts.get(entry.kind, 1) - 1)
            continue
        hit.title = mark(title or entry.title)
        hit.snippet = mark(snippet or entry.text[:200])
        results.hits.append(hit)
    return results


def _checked(user, partnership, entry: SearchEntry) -> Hit | None:
    """The hit for `entry` if its record, as it is now, belongs to the partnership and `user`
    may read it; the row is put right when the record has changed since it was indexed."""
    indexer = indexer_for_kind(entry.kind)
    if indexer is None:
        return None
    records = indexer.model_class._base_manager.filter(pk=entry.object_id)
    if indexer.access is not None and indexer.light:
        records = records.only(*indexer.light)
    record = records.first()
    if record is None:
        access = None
    elif indexer.access is not None:
        access = indexer.access(record)
    else:
        fresh = indexer.entry(record)
        access = (fresh.partnership_id, fresh.restricted_group) if fresh else None
    if access is None:
        entry.delete()
        return None
    partnership_id, group = access
    if (group, partnership_id) != (entry.restricted_group, entry.partnership_id):
        full = indexer.model_class._base_manager.get(pk=entry.object_id)
        index_record(full, indexer)
    if partnership_id != partnership.pk:
        return None
    if group is not None and not may_see_restricted(user, group):
        return None
    return Hit(
        kind=entry.kind,
        label=indexer.label,
        object_id=entry.object_id,
        title=mark(entry.title),
        snippet=mark(""),
        url=entry.url,
        date=entry.date,
        restricted=group is not None,
        record=record,
    )
