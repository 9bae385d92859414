"""JSON API for incident statistics: counts (public, protected), imports, coverage.

Public counts are protected by the policy's disclosure control (`cdrp.accounts.policy`): every
figure the public receives is a sum that the protected publication grid (month × area ×
category, each month's table with its totals, small counts and whatever would reveal them
withheld) determines exactly; any other figure is null. Partner members see exact counts.
"""

import functools

from django.conf import settings
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from cdrp.accounts.api_auth import AUTH, allow, api_user
from cdrp.accounts.policy import (
    Permission,
    public_counts_grid,
    sees_exact_figures,
    suppress_below,
)
from cdrp.analysis.disclosure import POOLED
from cdrp.core.cache import cached_value
from cdrp.intelligence.services import partner_data_filter
from cdrp.partnerships.models import Partnership
from cdrp.store import LEVELS, Store, counts, coverage, imports
from cdrp.store.query import files_digest

router = Router(tags=["statistics"])

# The grid's rows: an area as (district, ONS partnership, force); its columns: categories.
_GRID_ROW = ("district", "partnership", "force")
# Finer than the grid: no public figure at these levels could be worked out from it.
_FINER = ("lsoa", "ward")


def _anyone(request):
    """Lets the public in while a token or session, when given, still identifies the user."""
    return request.user


class CountsQuery(Schema):
    by: str = "district"
    start: str | None = Field(None, alias="from", description="first month, YYYY-MM")
    end: str | None = Field(None, alias="to", description="last month, YYYY-MM")
    category: list[str] | None = None
    district: list[str] | None = None
    partnership: str | None = Field(None, description="registry partnership slug: its districts")
    distinct: bool = False
    names: bool = False


class CountsOut(Schema):
    by: list[str]
    start: str | None
    end: str | None
    distinct: bool
    suppressed_below: int | None
    rows: list[dict]


def _store() -> Store:
    return Store(settings.INCIDENT_STORE)


@router.get("/counts", response=CountsOut, auth=[*AUTH, _anyone])
@allow(Permission.VIEW_PUBLIC, partnership_arg=None)
def incident_counts(request, query: CountsQuery = Query(...)):  # noqa: B008 (ninja idiom)
    """Counts of police.uk records by any of month, category, lsoa, ward, district, partnership
    (ONS CSP), force; optional period, category and area filters. Partner members see exact
    counts. Everyone else sees protected counts: null where a count is small or could reveal a
    small count (see `suppressed_below`); counts by lsoa or ward are for members."""
    by = [b.strip() for b in query.by.split(",") if b.strip()]
    bad = [b for b in by if b not in LEVELS]
    if bad:
        raise HttpError(400, f"by: unknown level {bad[0]!r}; choose from {', '.join(LEVELS)}")
    areas = {}
    if query.district:
        areas["district"] = query.district
    if query.partnership:
        found = Partnership.objects.filter(slug=query.partnership).first()
        if found is None:
            raise HttpError(404, f"No partnership {query.partnership!r}")
        areas.setdefault("district", [])
        codes = list(found.districts.values_list("code", flat=True))
        areas["district"] = [c for c in codes if not query.district or c in query.district]
    exact = sees_exact_figures(api_user(request))
    if not exact:
        finer = [b for b in by if b in _FINER]
        if finer:
            raise HttpError(
                403,
                f"by: counts by {finer[0]} are for partner members; public counts are by "
                "month, category, district, partnership, force and source",
            )

    def answer() -> list[dict]:
        try:
            table = counts(
                _store(),
                by,
                start=query.start,
                end=query.end,
                categories=query.category,
                areas=areas or None,
                distinct=query.distinct,
                names=query.names,
            )
        except ValueError as exc:
            raise HttpError(400, str(exc)) from exc
        rows = table.to_pylist()
        if not exact:
            _protect(rows, by, query, areas.get("district"))
        return rows

    # Once per version of the data (an import or a registry change makes a new one).
    asked = [by, query.start, query.end, query.category, areas, query.distinct, query.names]
    rows = cached_value("api-counts", [*asked, exact, suppress_below()], answer)
    return {
        "by": by,
        "start": query.start,
        "end": query.end,
        "distinct": query.distinct,
        "suppressed_below": None if exact else suppress_below(),
        "rows": rows,
    }


def _protect(rows: list[dict], by: list[str], query: CountsQuery, districts) -> None:
    """Replace each count the protected grid cannot work out exactly by None."""
    store = _store()
    grid = _grid(store.root, files_digest(store.state()), suppress_below())
    periods = [
        p
        for p in sorted(grid.tables)
        if (not query.start or p >= query.start[:7]) and (not query.end or p <= query.end[:7])
    ]
    levels = [b for b in by if b in _GRID_ROW]
    wanted = None if districts is None else set(districts)
    # The grid's rows under each combination of the area levels asked for.
    under: dict[tuple, list] = {}
    for key in grid.rows:
        if key != POOLED and (wanted is None or key[0] in wanted):
            under.setdefault(tuple(key[_GRID_ROW.index(b)] for b in levels), []).append(key)
    for row in rows:
        areas = None
        if levels or wanted is not None:
            areas = under.get(tuple(row[b] for b in levels), [])
        categories: list[str] | None
        if "category" in by:
            categories = [row["category"]]
        else:
            categories = query.category or None
        value = grid.box(
            [row["month"]] if "month" in by else periods,
            areas,
            categories,
            layer=1 if query.distinct else 0,
        )
        # The grid answers for the store as it was when it was built: a count read since
        # (an import in between) is withheld rather than trusted.
        if value is None or value != row["count"]:
            row["count"] = None


@functools.lru_cache(maxsize=4)
def _grid(root: str, digest: str, threshold: int):
    """The publication grid of the store in the state `digest` names, with its layers: all
    records, and distinct Crime IDs (never more)."""
    store = Store(root)
    levels = ["month", *_GRID_ROW, "category"]
    every = counts(store, levels, output="pandas")
    distinct = counts(store, levels, distinct=True, output="pandas")
    merged = every.merge(distinct, on=levels, how="left", suffixes=("", "_distinct"))
    merged["count_distinct"] = merged["count_distinct"].fillna(0).astype(int)
    cells = [
        (r.month, (r.district, r.partnership, r.force), r.category, (r.count, r.count_distinct))
        for r in merged.itertuples(index=False)
    ]
    return public_counts_grid(cells)


class ImportOut(Schema):
    file: str
    kind: str
    status: str
    sha256: str
    source: str
    forces: list[str]
    months: list[str]
    read: int
    imported: int
    quarantined: int
    repeated_ids: int | None = None
    distinct_rows: int | None = None
    replaced: list[str]
    seconds: float
    timestamp: str
    ingest_id: str


@router.get("/imports", response=list[ImportOut], auth=AUTH)
@allow(Permission.ANALYSE, partnership_arg=None)
def list_imports(request):
    """The manifest of imports into the incident store, newest first (a partner agency's imports
    only for partner members of the partnerships whose area they cover)."""
    seen = partner_data_filter(api_user(request))
    return [r for r in imports(_store()) if seen(r.get("source"), r.get("forces") or ())]


class CoverageOut(Schema):
    source: str
    force: str
    month: str
    rows: int
    missing: bool


@router.get("/coverage", response=list[CoverageOut], auth=None)
@allow(Permission.VIEW_PUBLIC, partnership_arg=None)
def incident_coverage(request):
    """Force × month: rows held, and months missing between the first and the last (a partner
    agency's data only for partner members of the partnerships whose area it covers)."""
    seen = partner_data_filter(api_user(request))
    return [r for r in coverage(_store()).to_dict("records") if seen(r["source"], [r["force"]])]
