"""Tactical assessment (tasking pack) pages: the page with its map, the PDF and the JSON."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from cdrp.accounts.policy import Permission, requires
from cdrp.analysis.months import MonthError, read_month
from cdrp.analysis.months import label as month_label
from cdrp.core import documents as stored
from cdrp.intelligence.assessments import latest_month
from cdrp.intelligence.documents import tactical_pdf
from cdrp.intelligence.services import incident_store
from cdrp.intelligence.tactical import TacticalError, open_actions, tactical_assessment


def _month(request) -> str | None:
    """?month= as typed ("November 2022", "11 2022" or "2022-11"), as YYYY-MM."""
    value = (request.GET.get("month") or "").strip()
    if not value:
        return None
    try:
        return read_month(value)
    except MonthError:
        return value  # the pack refuses it with its own message


def _pack(request):
    """The pack for ?month= (default the latest month), or the error message."""
    try:
        pack = tactical_assessment(request.partnership, _month(request), reader=request.user)
        return pack, None
    except TacticalError as exc:
        return None, str(exc)


def _context(request, pack, error):
    month = pack["month"] if pack else (_month(request) or "")
    return {
        "partnership": request.partnership,
        "pack": pack,
        "error": error,
        "month": month,
        "query": f"?month={month}" if month else "",
        "tile_url": getattr(settings, "MAP_TILE_URL", "") or "",
        "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", "") or "",
        "page_title": f"Tactical assessment: {request.partnership.name}"
        + (f", {month_label(month)}" if month else ""),
    }


@requires(Permission.VIEW_MEMBER)
def tactical_page(request, partnership):
    """The tasking pack with its interactive map."""
    pack, error = _pack(request)
    ctx = _context(request, pack, error)
    if pack:
        ctx["map_data"] = {
            **pack["map"],
            "legend": pack.get("map_legend", []),
            "tile_url": ctx["tile_url"],
            "tile_attribution": ctx["tile_attribution"],
        }
    return render(request, "intelligence/tactical/page.html", ctx, status=400 if error else 200)


@requires(Permission.VIEW_MEMBER)
def tactical_download(request, partnership, fmt):
    """The pack as PDF or JSON. The PDF is stored per version of its inputs (the store's
    state, the month, the districts, the open actions this reader may see) and served with an
    ETag; the pack is built only when that version has no PDF yet."""
    if fmt == "pdf":
        return _tactical_pdf(request)
    pack, error = _pack(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain")
    name = f"tactical-{request.partnership.slug}-{pack['month']}"
    if fmt == "json":
        response = HttpResponse(json.dumps(pack, indent=1), content_type="application/json")
    else:
        return HttpResponse(
            f"unknown format {fmt!r}: pdf or json", status=404, content_type="text/plain"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _tactical_pdf(request):
    partnership = request.partnership
    store = incident_store()
    month = _month(request) or latest_month(store) or ""
    actions = open_actions(partnership, request.user)  # audited as read, as the pack does
    version = [
        store.state().get("version"),
        month,
        sorted(d.code for d in partnership.districts.all()),
        actions,
    ]
    try:
        doc = tactical_pdf(
            partnership,
            month,
            version,
            lambda: tactical_assessment(partnership, month or None, actions=actions),
        )
    except TacticalError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    return stored.response(request, doc, f"tactical-{partnership.slug}-{month}.pdf")
