"""Pages for analysts: data sources, coverage calendar, quarantine browser, counts with CSV.

Raw rows belong to the partnerships whose area they cover: the quarantine browser sits under a
partnership's address and shows only imports from its police force's area (site administrators
see every import at the site-wide address), and a partner agency's import is listed only to the
partnerships it covers.
"""

from __future__ import annotations

import pandas as pd
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cdrp import store
from cdrp.accounts.policy import (
    Permission,
    allows,
    is_site_administrator,
    may_see_raw_rows,
    requires,
)
from cdrp.analysis.months import MonthError, parse_month, read_month, shift
from cdrp.core import tables
from cdrp.intelligence.services import (
    import_partnerships,
    incident_store,
    partner_data_filter,
    partnership_forces,
)
from cdrp.partnerships.models import Partnership
from cdrp.store.schema import CATEGORY_NAMES

OTHER_SHARE = 0.005  # districts with less than this share of records are listed apart


def _coverage_frame() -> pd.DataFrame:
    return store.coverage(incident_store())


def _imports_seen(user) -> list[dict]:
    """The manifest rows `user` may see, newest first, each with `quarantine_url`: the page of
    its quarantined rows the user may open (None when they may not)."""
    partnerships = list(Partnership.objects.all())
    forces = partnership_forces(partnerships)
    seen = partner_data_filter(user)
    site = is_site_administrator(user)
    out = []
    for record in store.imports(incident_store()):
        if not seen(record.get("source"), record.get("forces") or ()):
            continue
        covered = import_partnerships(record, partnerships, forces)
        url = None
        if site:
            url = reverse("intelligence:quarantine") + f"?import={record['ingest_id']}"
        elif may_see_raw_rows(user, covered):
            own = next(p for p in covered if allows(user, Permission.ANALYSE, p))
            url = reverse("intelligence:partnership-quarantine", kwargs={"partnership": own.slug})
            url += f"?import={record['ingest_id']}"
        out.append({**record, "quarantine_url": url})
    return out


@requires(Permission.VIEW_MEMBER)
def sources(request):
    """Every import with its summary, newest first (a partner agency's imports only for the
    partnerships they cover)."""
    rows = _imports_seen(request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    totals = {k: sum(r.get(k) or 0 for r in rows) for k in ("read", "imported", "quarantined")}
    return render(
        request,
        "intelligence/sources.html",
        {"page": page, "totals": totals, "page_title": "Data sources"},
    )


@requires(Permission.VIEW_MEMBER)
def coverage(request):
    """Force × month calendar: which months are present, and which are missing (a partner
    agency's data only for the partnerships whose area it covers)."""
    frame = _coverage_frame()
    seen = partner_data_filter(request.user)
    if len(frame):
        keep = [seen(s, [f]) for s, f in zip(frame.source, frame.force, strict=True)]
        frame = frame[keep]
    calendars = []
    for (source, force), group in frame.groupby(["source", "force"], sort=True):
        years: dict[str, list] = {}
        for row in group.itertuples(index=False):
            year, month = row.month.split("-")
            years.setdefault(year, [None] * 12)[int(month) - 1] = row
        calendars.append(
            {
                "source": source,
                "force": force,
                "years": sorted(years.items()),
                "missing": [r.month for r in group.itertuples() if r.missing],
                "rows": int(group.rows.sum()),
            }
        )
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return render(
        request,
        "intelligence/coverage.html",
        {"calendars": calendars, "months": months, "page_title": "Coverage"},
    )


def _quarantine_page(request, imports: list[dict], partnership=None):
    """Quarantined rows of `imports` (or of the one ?import= names among them)."""
    ingest_id = request.GET.get("import") or None
    known = {r["ingest_id"]: r for r in imports}
    if ingest_id and ingest_id not in known:
        raise Http404("No such import")
    chosen = [ingest_id] if ingest_id else [r["ingest_id"] for r in imports]
    rows: list[dict] = []
    if partnership is None and ingest_id is None:  # a site administrator's view of them all
        chosen = []
        rows = store.quarantine(incident_store(), None, limit=5000).to_pylist()
    for each in chosen:
        if not known[each].get("quarantined"):
            continue
        rows += store.quarantine(incident_store(), each, limit=5000 - len(rows)).to_pylist()
        if len(rows) >= 5000:
            break
    rows.sort(key=lambda r: (r["source_file"], r["source_row"]))
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "intelligence/quarantine.html",
        {
            "page": page,
            "count": len(rows),
            "ingest": known.get(ingest_id),
            "partnership": partnership,
            "page_title": f"Quarantined rows: {partnership.name}"
            if partnership
            else "Quarantined rows",
        },
    )


@requires(Permission.ANALYSE)
def quarantine(request):
    """Site administrators: every import's quarantined rows. An analyst goes to the quarantine
    page of their partnership (choosing one, if they analyse for several)."""
    imports = store.imports(incident_store())
    if is_site_administrator(request.user):
        return _quarantine_page(request, imports)
    mine = [p for p in Partnership.objects.all() if allows(request.user, Permission.ANALYSE, p)]
    ingest_id = request.GET.get("import") or None
    if ingest_id:
        record = next((r for r in imports if r["ingest_id"] == ingest_id), None)
        if record is None:
            raise Http404("No such import")
        mine = import_partnerships(record, mine, partnership_forces(mine))
        if not mine:
            raise Http404("No such import")
    query = f"?import={ingest_id}" if ingest_id else ""
    if len(mine) == 1:
        return redirect(
            reverse("intelligence:partnership-quarantine", kwargs={"partnership": mine[0].slug})
            + query
        )
    return render(
        request,
        "intelligence/quarantine.html",
        {"choices": mine, "query": query, "page_title": "Quarantined rows"},
    )


@requires(Permission.ANALYSE)
def partnership_quarantine(request, partnership):
    """Rows that failed validation, with file, row, field and reason (raw values: analysts
    only), of the imports from this partnership's police force area."""
    p = request.partnership
    forces = partnership_forces([p])
    imports = [r for r in store.imports(incident_store()) if import_partnerships(r, [p], forces)]
    return _quarantine_page(request, imports, p)


def _default_period(frame: pd.DataFrame) -> tuple[str, str]:
    present = frame[~frame.missing].month if len(frame) else pd.Series([], dtype=str)
    if present.empty:
        return "", ""
    last = parse_month(present.max())
    return shift(last, -11), last


@requires(Permission.VIEW_MEMBER)
def counts(request):
    """Records by district × category for a period, with a CSV download."""
    default_from, default_to = _default_period(_coverage_frame())
    start = request.GET.get("from", default_from)
    end = request.GET.get("to", default_to)
    distinct = request.GET.get("distinct") == "1"
    errors = {}
    typed = {"from": start, "to": end}
    for name, value in typed.items():
        if not value:
            continue
        try:
            typed[name] = read_month(value, name)
        except MonthError:
            errors[name] = (
                f"Enter the {'first' if name == 'from' else 'last'} month as a month and year, "
                "for example December 2021"
            )
    start, end = typed["from"], typed["to"]
    if not errors and start and end and start > end:
        errors["to"] = "The last month must be the same as or after the first month"
    table, categories = pd.DataFrame(), []
    if not errors and start:
        frame = store.counts(
            incident_store(),
            by=["district", "category"],
            start=start,
            end=end,
            distinct=distinct,
            names=True,
            output="pandas",
        )
        if len(frame):
            frame["district_name"] = frame.district_name.fillna("No location or unknown area")
            frame["district"] = frame.district.fillna("")
            table = frame.pivot_table(
                index=["district", "district_name"],
                columns="category",
                values="count",
                aggfunc="sum",
                fill_value=0,
            )
            table["total"] = table.sum(axis=1)
            table = table.sort_values("total", ascending=False)
            categories = [c for c in table.columns if c != "total"]
    if request.GET.get("format") == "csv" and not errors:
        text = tables.csv_text(
            (
                [code, name, *[int(row[c]) for c in categories], int(row["total"])]
                for (code, name), row in table.iterrows()
            ),
            header=["district_code", "district", *categories, "total"],
            lineterminator="\r\n",
        )
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="counts-{start}-to-{end}.csv"'
        return response
    rows = [
        {
            "code": code,
            "name": name,
            "values": [int(row[c]) for c in categories],
            "total": int(row["total"]),
        }
        for (code, name), row in table.iterrows()
    ]
    grand = [int(table[c].sum()) for c in categories] if len(table) else []
    # Records that carry an LSOA in a far-away district are few; list them apart so the
    # partnership's own districts are not lost in a long tail.
    threshold = OTHER_SHARE * sum(r["total"] for r in rows)
    main = [r for r in rows if r["total"] >= threshold or not r["code"]]
    others = [r for r in rows if r not in main]
    return render(
        request,
        "intelligence/counts.html",
        {
            "rows": main,
            "others": others,
            "others_total": sum(r["total"] for r in others),
            "others_values": [sum(r["values"][i] for r in others) for i in range(len(categories))],
            "categories": [CATEGORY_NAMES.get(c, c) for c in categories],
            "grand": grand,
            "grand_total": int(table["total"].sum()) if len(table) else 0,
            "start": start,
            "end": end,
            "distinct": distinct,
            "errors": errors,
            "query": request.GET.urlencode(),
            "page_title": "Counts by district",
        },
        status=400 if errors else 200,
    )
