"""My area: find a ward or district (by name, by the map, by postcode) and gather what its public
page shows — the partnership and its priorities, what is being done there, the crime and
anti-social behaviour trend in plain words, the next public meetings, and "You said, we did"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from cdrp.accounts.policy import suppress_below
from cdrp.analysis.months import label, shift
from cdrp.community.models import ActionPublication, PactPriority, Survey
from cdrp.meetings.models import Action, Meeting
from cdrp.partnerships.models import Area, Partnership

__all__ = [
    "AreaTrend",
    "area_by_code",
    "find_areas",
    "find_by_postcode",
    "next_public_meetings",
    "partnership_of",
    "trend",
    "ward_map",
]

ASB = "anti-social-behaviour"


def _live_partnerships():
    return Partnership.objects.exclude(status=Partnership.Status.HISTORICAL)


def partnership_of(area: Area) -> Partnership | None:
    """The current partnership whose districts hold `area` (a ward or a district)."""
    district = area.parent if area.level == Area.Level.WARD else area
    if district is None:
        return None
    return (
        _live_partnerships()
        .filter(districts=district, level=Partnership.Level.DISTRICT)
        .order_by("status", "pk")
        .first()
        or _live_partnerships().filter(districts=district).order_by("status", "pk").first()
    )


def _covered() -> Q:
    covered = Area.objects.filter(partnerships__in=_live_partnerships()).values("pk")
    return Q(level=Area.Level.DISTRICT, pk__in=covered) | Q(
        level=Area.Level.WARD, parent__in=covered
    )


def find_areas(query: str, limit: int = 30) -> list[Area]:
    """Wards and districts served by a partnership whose names contain `query` (exact names
    first, then districts, then wards, by name)."""
    text = " ".join(str(query or "").split())
    if len(text) < 2:
        return []
    found = list(
        Area.objects.filter(_covered(), name__icontains=text)
        .select_related("parent")
        .order_by("name")[: limit * 2]
    )
    found.sort(key=lambda a: (a.name.lower() != text.lower(), a.level != "district", a.name))
    return found[:limit]


def area_by_code(code: str) -> Area | None:
    return Area.objects.filter(_covered(), code=code).select_related("parent").first()


def find_by_postcode(text: str) -> Area | None:
    """The ward (else district) of a postcode, from the imported ONS Postcode Directory."""
    from cdrp.intelligence.services import incident_store
    from cdrp.store.postcodes import find_postcode

    found = find_postcode(incident_store(), text)
    if found is None:
        return None
    if found.get("ward_code") and (ward := area_by_code(found["ward_code"])):
        return ward
    if found.get("lsoa_code"):
        lsoa = Area.objects.filter(code=found["lsoa_code"], level=Area.Level.LSOA).first()
        if lsoa and lsoa.parent and (ward := area_by_code(lsoa.parent.code)):
            return ward
    if found.get("district_code"):
        return area_by_code(found["district_code"])
    return None


# The trend in plain words ------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaTrend:
    what: str
    latest: int
    before: int
    sentence: str


def _words(what: str, place: str, latest: int, before: int, end: str, threshold: int) -> str:
    months = f"the 12 months to {label(end)}"
    if 0 < latest < threshold:
        return f"{what} in {place}: fewer than {threshold} records in {months}."
    said = f"{what} in {place}: {latest:,} record{'s' if latest != 1 else ''} in {months}"
    if before == 0 or 0 < before < threshold:
        return said + "."
    change = (latest - before) / before
    if abs(change) < 0.05:
        return said + ", about the same as the 12 months before."
    direction = "more" if change > 0 else "fewer"
    return said + f", {abs(change):.0%} {direction} than the 12 months before."


def trend(area: Area) -> list[AreaTrend]:
    """Crime and anti-social behaviour recorded in the area (police.uk), the last 12 months
    against the 12 before, in plain words; counts under the policy's threshold are not given.
    Empty without records in the store."""
    from cdrp.intelligence.assessments import latest_month
    from cdrp.intelligence.services import incident_store
    from cdrp.store import counts

    store = incident_store()
    try:
        end = latest_month(store)
    except Exception:  # no store yet
        return []
    if end is None:
        return []
    start = shift(end, -23)
    level = "ward" if area.level == Area.Level.WARD else "district"
    try:
        frame = counts(
            store,
            by=["month", "category"],
            start=start,
            end=end,
            areas={level: [area.code]},
            output="pandas",
        )
    except Exception:
        return []
    if frame.empty:
        return []
    frame["recent"] = frame["month"].astype(str) > shift(end, -12)
    threshold = suppress_below()
    out = []
    for what, mask in (
        ("Crime recorded by the police", frame["category"] != ASB),
        ("Anti-social behaviour reported to the police", frame["category"] == ASB),
    ):
        part = frame[mask]
        latest = int(part.loc[part["recent"], "count"].sum())
        before = int(part.loc[~part["recent"], "count"].sum())
        out.append(
            AreaTrend(what, latest, before, _words(what, area.name, latest, before, end, threshold))
        )
    return out


# What is on, and what is being done -------------------------------------------------------------


def clock(t: dt.time | None) -> str:
    """A time in GOV.UK style: "6:30pm", "2pm", "midday" (empty for no time)."""
    if t is None:
        return ""
    if (t.hour, t.minute) == (12, 0):
        return "midday"
    hour = t.hour % 12 or 12
    minutes = f":{t.minute:02d}" if t.minute else ""
    return f"{hour}{minutes}{'am' if t.hour < 12 else 'pm'}"


def next_public_meetings(partnership: Partnership, today: dt.date, limit: int = 5) -> list[dict]:
    """The partnership's next public meetings (with time and venue where the meeting records
    them), PACT meetings included."""
    meetings = (
        Meeting.objects.filter(
            group__partnership=partnership, public=True, group__restricted=False, date__gte=today
        )
        .select_related("group", "booking", "booking__venue")
        .order_by("date", "pk")[:limit]
    )
    out = []
    for m in meetings:
        pact = getattr(m, "pact", None)
        booking = getattr(m, "booking", None)
        start = getattr(m, "start_time", None) or (booking.start if booking else None)
        venue = getattr(m, "venue", "") or (
            booking.venue.name if booking and booking.venue_id else ""
        )
        out.append(
            {
                "meeting": m,
                "title": f"PACT meeting: {pact.ward.name}" if pact else m.group.name,
                "date": m.date,
                "start_time": start,
                "starts": clock(start),
                "venue": venue,
                "agenda": [
                    i.title
                    for i in m.agenda.filter(restricted=False)
                    .exclude(kind="action")
                    .order_by("position")
                ],
            }
        )
    return out


def public_actions(partnership: Partnership, area: Area) -> list[dict]:
    """Actions marked public for this ward (or for the whole partnership)."""
    ward = area if area.level == Area.Level.WARD else None
    published = ActionPublication.objects.filter(
        action__partnership=partnership, action__group__restricted=False
    ).select_related("action", "ward")
    published = published.filter(Q(ward__isnull=True) | Q(ward=ward)) if ward else published
    return [
        {
            "text": p.public_text or p.action.description,
            "status": p.action.get_status_display(),
            "due": p.action.due,
            "outcome": p.action.outcome if p.action.status != Action.Status.OPEN else "",
            "ward": p.ward.name if p.ward is not None else "",
        }
        for p in published
    ]


def pact_priorities(area: Area):
    """The chosen PACT priorities of the ward (or of every ward of the district), newest
    meeting first, with their actions."""
    chosen = PactPriority.objects.filter(chosen=True).select_related(
        "pact__meeting", "pact__ward", "action"
    )
    if area.level == Area.Level.WARD:
        chosen = chosen.filter(pact__ward=area)
    else:
        chosen = chosen.filter(pact__ward__parent=area)
    return chosen.order_by("-pact__meeting__date", "-votes", "title")


def you_said_we_did(area: Area, partnership: Partnership) -> list[dict]:
    """What residents asked for (PACT priorities) beside what was done (the action's outcome),
    for priorities whose action is closed; and published survey results."""
    said = [
        {
            "said": p.title,
            "where": f"PACT meeting, {p.pact.ward.name}, {p.pact.meeting.date:%-d %B %Y}",
            "did": p.action.outcome or p.action.get_status_display(),
            "done_on": p.action.closed_on,
        }
        for p in pact_priorities(area)
        if p.action is not None and p.action.status != Action.Status.OPEN
    ]
    for survey in Survey.objects.filter(
        partnership=partnership, status=Survey.Status.PUBLISHED
    ).order_by("-published_on")[:3]:
        said.append(
            {
                "said": f"{(survey.results or {}).get('respondents', 0)} people answered "
                f"“{survey.title}”",
                "where": "Survey",
                "did": "Results published",
                "done_on": survey.published_on,
                "survey": survey,
            }
        )
    return said


def plan_priorities(partnership: Partnership) -> list[str]:
    """The priorities of the partnership's approved plan (the plans app's records, read by
    name through the ORM's app registry so community needs no plans import)."""
    from django.apps import apps

    try:
        plan_model = apps.get_model("plans", "Plan")
    except LookupError:
        return []
    plan = (
        plan_model.objects.filter(partnership=partnership, status="approved")
        .order_by("-revision")
        .first()
    )
    return [p.name for p in plan.priorities.all()] if plan else []


def projects(partnership: Partnership) -> list[Any]:
    from django.apps import apps

    try:
        project_model = apps.get_model("funding", "Project")
    except LookupError:
        return []
    return list(
        project_model.objects.filter(
            Q(partnership=partnership) | Q(joint_with=partnership),
            published=True,
            status__in=["approved", "active", "complete"],
        ).distinct()
    )


# The map -----------------------------------------------------------------------------------------


def ward_map(district_areas) -> dict | None:
    """An SVG map of the wards of `district_areas` (paths in British National Grid metres),
    each ward a link; None when no ward has a boundary."""
    import numpy as np
    import shapely
    from pyproj import Transformer

    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    items = []
    for ward in Area.objects.filter(level=Area.Level.WARD, parent__in=district_areas).exclude(
        geometry=""
    ):
        try:
            geom = shapely.from_geojson(ward.geometry)
        except (ValueError, shapely.errors.GEOSException):
            continue  # a boundary that does not parse is left off the map
        bng = shapely.transform(geom, lambda xy: np.column_stack(to_bng.transform(*xy.T)))
        items.append((ward, shapely.simplify(bng, 40, preserve_topology=True)))
    if not items:
        return None
    bounds = np.array([g.bounds for _, g in items])
    minx, maxy = bounds[:, 0].min(), bounds[:, 3].max()
    width = bounds[:, 2].max() - minx
    height = maxy - bounds[:, 1].min()
    features = []
    for ward, geom in items:
        parts = []
        for poly in getattr(geom, "geoms", [geom]):
            if not isinstance(poly, shapely.Polygon):
                continue
            for ring in [poly.exterior, *poly.interiors]:
                xy = np.asarray(ring.coords)
                parts.append(
                    "M" + " ".join(f"{x - minx:.0f} {maxy - y:.0f}" for x, y in xy[:-1]) + "Z"
                )
        label = geom.representative_point()  # inside the ward, whatever its shape
        features.append(
            {
                "code": ward.code,
                "name": ward.name,
                "path": "".join(parts),
                "label_x": round(label.x - minx),
                "label_y": round(maxy - label.y),
            }
        )
    # Each ward is named on the map (a phone shows no tooltip), in type sized to the map.
    font = max(1, round(max(width, height) / 30))
    return {
        "width": round(width),
        "height": round(height),
        "features": features,
        "font": font,
        "halo": max(1, font // 6),
    }
