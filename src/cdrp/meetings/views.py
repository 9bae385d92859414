"""The meeting planner's page and calendar download."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.http import HttpResponse
from django.shortcuts import render

from cdrp.accounts.policy import Action, requires
from cdrp.analysis.planner import PlanInfeasible
from cdrp.meetings.services import calendar_ics, plan_year

WEB_SEARCH_SECONDS = 3.0  # a page waits for the first clash-free calendar and a short search


def _year(request) -> int:
    today = dt.date.today()
    default = today.year if today.month >= 4 else today.year - 1
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        year = default
    return min(max(year, 2000), 2100)


@requires(Action.VIEW_MEMBER)
def planner(request, partnership):
    """A clash-free calendar of the partnership's groups for a municipal year."""
    p = request.partnership
    year = _year(request)
    context = {"partnership": p, "year": year, "page_title": f"Meeting planner – {p.name}"}
    try:
        result, inputs = plan_year(p, year, time_limit=WEB_SEARCH_SECONDS)
    except PlanInfeasible as err:
        return render(
            request, "meetings/planner.html", context | {"reasons": err.reasons}, status=200
        )
    except ValueError as err:
        return render(request, "meetings/planner.html", context | {"problem": str(err)}, status=200)
    rows = [
        {
            "date": m.date,
            "start": m.start,
            "end": m.end,
            "group": inputs.names.get(m.group, m.group),
            "venue": inputs.names.get(m.venue, m.venue),
        }
        for m in result.meetings
    ]
    months = [
        (key, list(items))
        for key, items in groupby(rows, key=lambda r: r["date"].strftime("%B %Y"))
    ]
    return render(
        request,
        "meetings/planner.html",
        context | {"months": months, "result": result, "count": len(rows)},
    )


@requires(Action.VIEW_MEMBER)
def planner_ics(request, partnership):
    p = request.partnership
    year = _year(request)
    try:
        result, inputs = plan_year(p, year, time_limit=WEB_SEARCH_SECONDS)
    except ValueError as err:  # PlanInfeasible is a ValueError too
        return HttpResponse(str(err), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        calendar_ics(p, result, inputs), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{p.slug}-meetings-{year}.ics"'
    return response
