"""The meeting planner's solution, stored: solving a year takes seconds (CP-SAT), so the solved
schedule is kept (as JSON, in `cdrp.core.models.RenderedDocument`) under a fingerprint of
everything the solver reads (groups, members, venues, rules, pinned meetings). A page reads the
stored schedule and the solver runs again only when those inputs change, or when the
coordinator asks for a fresh solution (`resolve=True`). An infeasible year is stored too, with
its reasons, so it is not re-tried on every view either.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from cdrp.analysis.planner import PlanInfeasible, PlannedMeeting, Schedule, plan
from cdrp.core import documents
from cdrp.core.models import RenderedDocument
from cdrp.meetings.services import PlannerInputs, pinned, planner_inputs
from cdrp.partnerships.models import Partnership

__all__ = ["KIND", "solved_year", "inputs_fingerprint"]

KIND = "planner-solution"

#: The solver: a name the tests count calls through.
SOLVER = plan


def inputs_fingerprint(inputs: PlannerInputs, time_limit: float) -> list:
    return [json.dumps(dataclasses.asdict(inputs), sort_keys=True, default=str), time_limit]


def _encode(result: Schedule) -> bytes:
    data = dataclasses.asdict(result)
    for m in data["meetings"]:
        m["date"], m["start"], m["end"] = (
            m["date"].isoformat(),
            m["start"].isoformat(),
            m["end"].isoformat(),
        )
    return json.dumps({"schedule": data}).encode()


def _decode(body: bytes) -> Schedule:
    data = json.loads(bytes(body))
    if "infeasible" in data:
        raise PlanInfeasible(data["infeasible"])
    s = data["schedule"]
    s["meetings"] = [
        PlannedMeeting(
            **{
                **m,
                "date": dt.date.fromisoformat(m["date"]),
                "start": dt.time.fromisoformat(m["start"]),
                "end": dt.time.fromisoformat(m["end"]),
            }
        )
        for m in s["meetings"]
    ]
    return Schedule(**s)


def solved_year(
    partnership: Partnership, year: int, time_limit: float, resolve: bool = False
) -> tuple[Schedule, PlannerInputs, RenderedDocument]:
    """The stored solution for the year's current inputs (solved now if there is none, or if
    `resolve`). Raises PlanInfeasible (stored) or ValueError (no venues: nothing to store)."""
    inputs = planner_inputs(partnership, year)
    inputs.rules = dataclasses.replace(inputs.rules, pins=pinned(partnership, year))
    object_id = f"{partnership.pk}-{year}"
    parts = inputs_fingerprint(inputs, time_limit)
    if resolve:
        RenderedDocument.objects.filter(
            kind=KIND,
            object_id=object_id,
            fingerprint=documents.fingerprint(KIND, object_id, *parts),
        ).delete()

    def solve() -> bytes:
        try:
            result = SOLVER(
                inputs.groups,
                inputs.venues,
                inputs.start,
                inputs.end,
                inputs.rules,
                time_limit=time_limit,
            )
        except PlanInfeasible as err:
            return json.dumps({"infeasible": err.reasons}).encode()
        return _encode(result)

    doc = documents.cached(KIND, object_id, parts, solve, "application/json")
    return _decode(doc.content()), inputs, doc
