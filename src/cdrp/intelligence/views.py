"""Pages for analysts: data sources, coverage calendar, quarantine browser, counts with CSV."""

from __future__ import annotations

import re

import pandas as pd
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from cdrp import store
from cdrp.accounts.policy import Action, requires
from cdrp.core import tables
from cdrp.intelligence.services import incident_store
from cdrp.store.schema import CATEGORY_NAMES

OTHER_SHARE = 0.005  # districts with less than this share of records are listed apart
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _coverage_frame() -> pd.DataFrame:
    return store.coverage(incident_store())


@requires(Action.VIEW_MEMBER)
def sources(request):
    """Every import with its summary, newest first."""
    rows = store.imports(incident_store())
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    totals = {k: sum(r.get(k) or 0 for r in rows) for k in ("read", "imported", "quarantined")}
    return render(
        request,
        "intelligence/sources.html",
        {"page": page, "totals": totals, "page_title": "Data sources"},
    )


@requires(Action.VIEW_MEMBER)
def coverage(request):
    """Force × month calendar: which months are present, and which are missing."""
    frame = _coverage_frame()
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


@requires(Action.ANALYSE)
def quarantine(request):
    """Rows that failed validation, with file, row, field and reason (raw values: analysts only)."""
    ingest_id = request.GET.get("import") or None
    known = {r["ingest_id"]: r for r in store.imports(incident_store())}
    if ingest_id and ingest_id not in known:
        raise Http404("No such import")
    rows = store.quarantine(incident_store(), ingest_id, limit=5000).to_pylist()
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "intelligence/quarantine.html",
        {
            "page": page,
            "count": len(rows),
            "ingest": known.get(ingest_id),
            "page_title": "Quarantined rows",
        },
    )


def _default_period(frame: pd.DataFrame) -> tuple[str, str]:
    present = frame[~frame.missing].month if len(frame) else pd.Series([], dtype=str)
    if present.empty:
        return "", ""
    last = pd.Period(present.max(), freq="M")
    return str(last - 11), str(last)


@requires(Action.VIEW_MEMBER)
def counts(request):
    """Records by district × category for a period, with a CSV download."""
    default_from, default_to = _default_period(_coverage_frame())
    start = request.GET.get("from", default_from)
    end = request.GET.get("to", default_to)
    distinct = request.GET.get("distinct") == "1"
    errors = {}
    for name, value in (("from", start), ("to", end)):
        if value and not _MONTH.match(value):
            errors[name] = (
                f"Enter the {'first' if name == 'from' else 'last'} month as YYYY-MM, like 2021-12"
            )
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
