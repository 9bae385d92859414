"""JSON API for incident statistics: counts (public, small numbers withheld), imports, coverage."""

from django.conf import settings
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from cdrp.accounts.policy import Action, allows
from cdrp.api import AUTH, _user, allow
from cdrp.store import LEVELS, Store, counts, coverage, imports

router = Router(tags=["statistics"])

# Public figures: counts from 1 to SUPPRESS_BELOW - 1 are withheld (shown as null).
SUPPRESS_BELOW = 5


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
@allow(Action.VIEW_PUBLIC, partnership_arg=None)
def incident_counts(request, query: CountsQuery = Query(...)):  # noqa: B008 (ninja idiom)
    """Counts of police.uk (and partner) records by any of month, category, lsoa, ward, district,
    partnership (ONS CSP), force; optional period, category and area filters. Analysts see exact
    small numbers; everyone else sees counts below 5 withheld."""
    by = [b.strip() for b in query.by.split(",") if b.strip()]
    bad = [b for b in by if b not in LEVELS]
    if bad:
        raise HttpError(400, f"by: unknown level {bad[0]!r}; choose from {', '.join(LEVELS)}")
    areas = {}
    if query.district:
        areas["district"] = query.district
    if query.partnership:
        from cdrp.partnerships.models import Partnership

        found = Partnership.objects.filter(slug=query.partnership).first()
        if found is None:
            raise HttpError(404, f"No partnership {query.partnership!r}")
        areas.setdefault("district", [])
        codes = list(found.districts.values_list("code", flat=True))
        areas["district"] = [c for c in codes if not query.district or c in query.district]
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
    exact = allows(_user(request), Action.ANALYSE)
    rows = table.to_pylist()
    if not exact:
        for row in rows:
            if 0 < row["count"] < SUPPRESS_BELOW:
                row["count"] = None
    return {
        "by": by,
        "start": query.start,
        "end": query.end,
        "distinct": query.distinct,
        "suppressed_below": None if exact else SUPPRESS_BELOW,
        "rows": rows,
    }


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
@allow(Action.ANALYSE, partnership_arg=None)
def list_imports(request):
    """The manifest of imports into the incident store, newest first (a partner agency's imports
    only for partner members of the partnerships whose area they cover)."""
    from cdrp.intelligence.services import partner_data_filter

    seen = partner_data_filter(_user(request))
    return [r for r in imports(_store()) if seen(r.get("source"), r.get("forces") or ())]


class CoverageOut(Schema):
    source: str
    force: str
    month: str
    rows: int
    missing: bool


@router.get("/coverage", response=list[CoverageOut], auth=None)
@allow(Action.VIEW_PUBLIC, partnership_arg=None)
def incident_coverage(request):
    """Force × month: rows held, and months missing between the first and the last (a partner
    agency's data only for partner members of the partnerships whose area it covers)."""
    from cdrp.intelligence.services import partner_data_filter

    seen = partner_data_filter(_user(request))
    return [r for r in coverage(_store()).to_dict("records") if seen(r["source"], [r["force"]])]
