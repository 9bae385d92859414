"""Closer-working options appraisal for two or more partnerships: status quo, consecutive
meetings, shared groups, joint arrangements, full merger, shared services.

For each option the meetings a year and the person-hours come from the meeting planner: the
planner's inputs for each partnership (`cdrp.meetings.services.planner_inputs`, the same inputs
`plan_year` solves), reshaped by the option (groups of a kind merged into one, with the people
of all of them, each person once), and counted the planner's way (`cdrp.analysis.planner.
periods`: one meeting per period of the group's frequency, for the group's length, with
everyone in the group). `schedule_figures` counts a solved schedule the same way, so the two
agree for any calendar the planner finds.

Beside them: the people and organisations who sit in several of the partnerships, the
priorities they share (approved plans and strategic assessments), crime that crosses their
shared borders (Getis-Ord Gi* hot-spots on the LSOAs of all their districts, those touching
another partnership's LSOAs, and the weighted displacement quotient of each partnership's
border band, `cdrp.health.border`), and their combined funding. The merger option's timetable
is the registry's six-stage merger workflow (`cdrp.partnerships.models.MergerProposal`), with
its dates when a proposal exists.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from cdrp.analysis.planner import Frequency, GroupSpec, Schedule, periods
from cdrp.meetings.services import PlannerInputs, municipal_year, planner_inputs
from cdrp.partnerships.models import Group, Membership, MergerProposal, Partnership

__all__ = [
    "Figures",
    "Option",
    "OPTIONS",
    "inputs_figures",
    "schedule_figures",
    "appraise",
    "as_at_of",
]

STRATEGIC = (Group.Kind.STRATEGY,)
SUPPORT = (Group.Kind.OFFICER, Group.Kind.THEMATIC)
LOCAL = (Group.Kind.TASKING, Group.Kind.PPO, Group.Kind.DOMESTIC_ABUSE, Group.Kind.ENGAGEMENT)
_RANK = {f: i for i, f in enumerate(Frequency)}  # weekly first: the most frequent


@dataclass(frozen=True)
class Figures:
    meetings: int
    person_hours: float
    groups: int


def _spec_figures(specs: list[GroupSpec], start: dt.date, end: dt.date) -> Figures:
    meetings, hours = 0, 0.0
    for g in specs:
        n = len(periods(g.frequency, start, end))
        meetings += n
        hours += n * g.duration / 60 * g.attendance
    return Figures(meetings, round(hours, 1), len(specs))


def inputs_figures(inputs: PlannerInputs) -> Figures:
    """Meetings and person-hours of a year as the planner schedules it."""
    return _spec_figures(inputs.groups, inputs.start, inputs.end)


def schedule_figures(schedule: Schedule, inputs: PlannerInputs) -> Figures:
    """Meetings and person-hours of a solved schedule (`plan_year`'s result)."""
    size = {g.id: g.attendance for g in inputs.groups}
    hours = 0.0
    for m in schedule.meetings:
        minutes = (
            dt.datetime.combine(m.date, m.end) - dt.datetime.combine(m.date, m.start)
        ).seconds / 60
        hours += minutes / 60 * size[m.group]
    return Figures(
        len(schedule.meetings), round(hours, 1), len({m.group for m in schedule.meetings})
    )


@dataclass
class Option:
    key: str
    title: str
    description: str
    pros: list[str]
    cons: list[str]
    merged_kinds: tuple[str, ...] = ()
    figures: Figures | None = None
    saving_meetings: int = 0
    saving_hours: float = 0.0
    documents_saved: int = 0  # statutory assessments and plans a year no longer written
    notes: list[str] = field(default_factory=list)


def _options() -> list[Option]:
    return [
        Option(
            "status_quo",
            "Status quo",
            "Each partnership keeps its own groups and meetings.",
            ["No change or transition cost", "Local accountability unchanged"],
            [
                "The same meetings repeated in each area, often with the same people",
                "Crime crossing the borders is tackled by each partnership alone",
            ],
        ),
        Option(
            "consecutive",
            "Consecutive meetings",
            "Each partnership keeps its groups, but their strategy groups meet on the same day "
            "at the same venue, one straight after the other.",
            ["People who sit on several groups make one journey", "No change to the law"],
            ["No fewer meetings and no fewer hours in the room", "Agendas still repeated"],
            ("consecutive",),
        ),
        Option(
            "shared_groups",
            "Shared groups",
            "Officer working and thematic groups are shared; strategy groups, local delivery "
            "and community engagement stay with each partnership.",
            ["Fewer support meetings", "Officers pool expertise across the areas"],
            ["Each strategy group still meets on its own", "Shared groups answer to several"],
            SUPPORT,
        ),
        Option(
            "joint",
            "Joint arrangements",
            "A joint strategy group serves every partnership, with shared support groups; each "
            "partnership remains in law and keeps its local delivery groups.",
            ["One strategic conversation", "Local tasking stays local", "Reversible"],
            ["Each partnership still needs its own assessment and plan", "Joint chairing to agree"],
            STRATEGIC + SUPPORT,
        ),
        Option(
            "merger",
            "Full merger",
            "One partnership (an order of the Secretary of State): one strategy group, shared "
            "support groups, one assessment and one plan; local tasking, offender management "
            "and community engagement continue in each district.",
            [
                "Fewest strategic meetings",
                "Pooled resources and funding",
                "One assessment and one plan a year instead of several",
                "Displacement across the old borders managed in one place",
            ],
            [
                "Local accountability must be kept deliberately (each area a voting seat)",
                "Transition effort: the six-stage merger process",
                "A larger strategy group",
            ],
            STRATEGIC + SUPPORT,
        ),
        Option(
            "shared_services",
            "Shared services",
            "Each partnership keeps its groups; one analyst and officer team serves them all "
            "(assessments, tasking packs, performance reports).",
            ["Analysis done once for the whole area", "No change to meetings or to the law"],
            ["No fewer meetings", "Hosting and cost-sharing to agree"],
        ),
    ]


OPTIONS = [o.key for o in _options()]


def as_at_of(partnerships: list[Partnership]) -> dt.date:
    """The day the appraisal describes: the day before a merger of exactly these partnerships
    began its pilot (or was agreed), else the last day all of them existed, else today."""
    ids = {p.pk for p in partnerships}
    for proposal in MergerProposal.objects.prefetch_related("predecessors"):
        if {p.pk for p in proposal.predecessors.all()} == ids:
            day = proposal.pilot_from or proposal.agreed_on
            if day is not None:
                return day - dt.timedelta(days=1)
    ends = [p.valid_to for p in partnerships if p.valid_to]
    return min([dt.date.today(), *ends])


def _usual(frequencies: list[Frequency]) -> Frequency:
    """The frequency most of the merged groups meet at (a tie: the more frequent)."""
    return min(set(frequencies), key=lambda f: (-frequencies.count(f), _RANK[f]))


def _merge(specs: list[GroupSpec], key: str, name: str) -> GroupSpec:
    members = tuple(sorted({m for g in specs for m in g.members}))
    return GroupSpec(
        id=key,
        name=name,
        frequency=_usual([g.frequency for g in specs]),
        members=members,
        venues=tuple(sorted({v for g in specs for v in g.venues})),
        duration=max(g.duration for g in specs),
        times=specs[0].times,
        tasking=any(g.tasking for g in specs),
        size=max(len(members), 2),
    )


def option_specs(
    option: Option, inputs: list[PlannerInputs], kinds: dict[str, str]
) -> list[GroupSpec]:
    """The groups the option would plan (its planner inputs, before solving)."""
    specs = [g for i in inputs for g in i.groups]
    merged = [k for k in option.merged_kinds if k != "consecutive"]
    if not merged:
        return specs
    keep = [g for g in specs if kinds[g.id] not in merged]
    by_kind: dict[str, list[GroupSpec]] = defaultdict(list)
    for g in specs:
        if kinds[g.id] in merged:
            by_kind[kinds[g.id]].append(g)
    for kind, group in by_kind.items():
        keep.append(_merge(group, f"merged:{kind}", f"Shared {Group.Kind(kind).label.lower()}"))
    return keep


def _people(partnerships: list[Partnership], on: dt.date) -> tuple[list[dict], list[dict]]:
    where: dict[int, dict] = {}
    orgs: dict[int, dict] = {}
    for p in partnerships:
        for m in (
            Membership.objects.current(on)
            .filter(seat__group__in=p.all_groups())
            .select_related("person", "seat__organisation", "seat__group")
        ):
            entry = where.setdefault(
                m.person_id, {"person": m.person, "partnerships": {}, "groups": set()}
            )
            entry["partnerships"][p.pk] = p
            entry["groups"].add((p.pk, m.seat.group_id))
            if m.seat.organisation is not None:
                o = orgs.setdefault(
                    m.seat.organisation_id,
                    {"organisation": m.seat.organisation, "partnerships": {}},
                )
                o["partnerships"][p.pk] = p
    people = [
        {
            "person": e["person"],
            "partnerships": sorted(x.name for x in e["partnerships"].values()),
            "groups": len(e["groups"]),
        }
        for e in where.values()
        if len(e["partnerships"]) > 1
    ]
    organisations = [
        {
            "organisation": o["organisation"],
            "partnerships": sorted(x.name for x in o["partnerships"].values()),
        }
        for o in orgs.values()
        if len(o["partnerships"]) > 1
    ]
    people.sort(key=lambda e: (-e["groups"], e["person"].name))
    organisations.sort(key=lambda e: e["organisation"].name)
    return people, organisations


def _assessment_priorities(assessment) -> list[str]:
    """The priorities an assessment recommends (its priorities section), as named there."""
    section: dict = next(
        (s for s in (assessment.document or {}).get("sections", []) if s.get("id") == "priorities"),
        {},
    )
    return [str(x) for x in section.get("recommended") or [] if str(x).strip()]


def _priorities(partnerships: list[Partnership], on: dt.date) -> dict:
    """The priorities of each partnership's latest approved plan and of its latest approved
    strategic assessment (its recommended priorities), and those shared by two or more of the
    partnerships: by name, or by police.uk crime category. Each shared one names where it came
    from (which partnership, plan or assessment)."""
    from django.urls import reverse

    from cdrp.intelligence.models import Assessment
    from cdrp.plans.models import Plan
    from cdrp.store.schema import CATEGORIES, CATEGORY_NAMES

    by_name: dict[str, dict] = {}
    by_category: dict[str, dict] = {}
    sources = []

    def note(table: dict, key: str, label: str, p: Partnership, source: str) -> None:
        entry = table.setdefault(key, {"name": label, "partnerships": set(), "sources": []})
        entry["partnerships"].add(p.pk)
        text = f"{p.name} ({source})"
        if text not in entry["sources"]:
            entry["sources"].append(text)

    for p in partnerships:
        plan = (
            Plan.objects.filter(
                partnership=p, status__in=[Plan.Status.APPROVED, Plan.Status.SUPERSEDED]
            )
            .order_by("-revision")
            .first()
        )
        assessment = (
            Assessment.objects.filter(
                partnership=p,
                kind=Assessment.Kind.STRATEGIC,
                status__in=[Assessment.Status.APPROVED, Assessment.Status.PUBLISHED],
            )
            .order_by("-period_end", "-built_at")
            .first()
        )
        if plan is None and assessment is None:
            continue
        row: dict = {"partnership": p, "plan": None, "assessment": None}
        if plan is not None:
            row["plan"] = {
                "title": plan.title,
                "url": reverse(
                    "plans:plan-detail", kwargs={"partnership": p.slug, "revision": plan.revision}
                ),
                "priorities": [pr.name for pr in plan.priorities.all()],
            }
            for pr in plan.priorities.all():
                note(by_name, pr.name.strip().lower(), pr.name.strip(), p, "plan")
                for c in pr.categories or []:
                    note(by_category, c, CATEGORY_NAMES.get(c, c), p, "plan")
        if assessment is not None:
            named = _assessment_priorities(assessment)
            row["assessment"] = {
                "title": assessment.title,
                "url": reverse(
                    "intelligence:assessment-detail",
                    kwargs={"partnership": p.slug, "pk": assessment.pk},
                ),
                "priorities": named,
            }
            for name in named:
                note(by_name, name.strip().lower(), name.strip(), p, "assessment")
                if name in CATEGORIES:
                    note(by_category, CATEGORIES[name], name, p, "assessment")
        sources.append(row)

    def shared(table: dict) -> list[dict]:
        return sorted(
            (
                {"name": e["name"], "sources": e["sources"]}
                for e in table.values()
                if len(e["partnerships"]) > 1
            ),
            key=lambda e: e["name"].lower(),
        )

    return {
        "recorded": [r["partnership"].name for r in sources],
        "sources": sources,
        "shared_names": shared(by_name),
        "shared_categories": shared(by_category),
    }


def _funding(partnerships: list[Partnership]) -> dict:
    from cdrp.funding.models import Allocation, FundingStream

    rows = []
    for p in partnerships:
        held = (
            FundingStream.objects.filter(partnership=p).aggregate(s=Sum("amount_pence"))["s"] or 0
        )
        allocated = (
            Allocation.objects.filter(partnership=p).aggregate(s=Sum("amount_pence"))["s"] or 0
        )
        rows.append({"partnership": p, "pounds": (held + allocated) / 100})
    return {"rows": rows, "total": sum(r["pounds"] for r in rows)}


def _border_end(store, as_at: dt.date | None, end: str | None, held: list[str]) -> str | None:
    """The last month of the appraisal's twelve: `end` when given, else the last whole month
    to `as_at` when the store holds it, else the latest month it holds."""
    from cdrp.analysis import months as mo
    from cdrp.intelligence.assessments import latest_month

    if end is not None:
        return mo.read_month(end, "border_to")
    if as_at is not None:
        last = as_at if (as_at + dt.timedelta(days=1)).day == 1 else as_at.replace(day=1)
        month = mo.shift(f"{last.year:04d}-{last.month:02d}", 0 if last == as_at else -1)
        if month in held:
            return month
    return latest_month(store)


def border_hotspots(
    partnerships: list[Partnership],
    store,
    as_at: dt.date | None = None,
    end: str | None = None,
) -> dict:
    """Gi* hot-spots over the LSOAs of all the partnerships' districts in the appraisal's 12
    months (ending `end`; by default at `as_at` when the store holds it, else the latest 12
    months held), those that touch an LSOA of another of the partnerships, and the WDQ of each
    partnership's border band against the 12 months before (`cdrp.health.border`)."""
    import numpy as np
    import shapely

    from cdrp.analysis import months as mo
    from cdrp.analysis.hotspots import gi_star
    from cdrp.analysis.weights import polygon_queen, to_bng
    from cdrp.intelligence.assessments import covered_months, latest_month
    from cdrp.store.geography import read_table
    from cdrp.store.query import counts

    if isinstance(store, str):
        from cdrp.store.files import Store

        store = Store(store)
    owner: dict[str, str] = {}
    for p in partnerships:
        for code in p.districts.values_list("code", flat=True):
            owner.setdefault(code, p.name)
    held = covered_months(store, list(owner)) if store is not None and owner else []
    asked = end
    end = _border_end(store, as_at, end, held) if store is not None and owner else None
    if not owner or end is None:
        return {"done": False, "reason": "No incident data or no districts recorded."}
    if end not in held:
        return {"done": False, "reason": f"The store holds no records for {mo.label(end)}."}
    if asked is not None:
        basis = "the 12 months asked for"
    elif end == latest_month(store):
        basis = "the latest 12 months held"
    else:
        basis = "the 12 months to the date appraised"
    start = mo.shift(end, -11)
    lsoa = read_table(store, "lsoa")
    lsoa = lsoa[lsoa["district_code"].isin(list(owner))]
    shapes_t = read_table(store, "lsoa_shapes")
    shapes = dict(zip(shapes_t["lsoa_code"], shapes_t["geometry"], strict=True))
    lsoa = lsoa[lsoa["lsoa_code"].isin(list(shapes))].reset_index(drop=True)
    if len(lsoa) < 3:
        return {
            "done": False,
            "reason": "Fewer than 3 LSOA boundaries are held for these districts.",
        }

    def project(coords):
        x, y = to_bng(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    geoms = [shapely.transform(shapely.from_wkb(shapes[c]), project) for c in lsoa["lsoa_code"]]
    adj = polygon_queen(geoms)
    by = counts(
        store, ["lsoa"], start=start, end=end, areas={"district": list(owner)}, output="pandas"
    )
    y = lsoa["lsoa_code"].map(by.set_index("lsoa")["count"]).fillna(0).to_numpy(dtype=float)
    result = gi_star(y, adj, permutations=0, basis="normal")
    whose = lsoa["district_code"].map(owner).to_numpy(dtype=object)
    on_border = [
        i
        for i in range(len(lsoa))
        if any(whose[j] != whose[i] for j in adj.indices[adj.indptr[i] : adj.indptr[i + 1]])
    ]
    rows = []
    for i in np.flatnonzero(result["cls"].astype(str).str.startswith("hot").to_numpy()):
        neighbours = adj.indices[adj.indptr[i] : adj.indptr[i + 1]]
        across = sorted({whose[j] for j in neighbours if whose[j] != whose[i]})
        if across:
            rows.append(
                {
                    "lsoa": lsoa.at[i, "lsoa_code"],
                    "name": lsoa.at[i, "lsoa_name"]
                    if "lsoa_name" in lsoa
                    else lsoa.at[i, "lsoa_code"],
                    "partnership": whose[i],
                    "touches": across,
                    "records": int(y[i]),
                    "class": str(result["cls"].iloc[i]),
                }
            )
    rows.sort(key=lambda r: -r["records"])
    hot = int(result["cls"].astype(str).str.startswith("hot").sum())
    return {
        "done": True,
        "basis": basis,
        "wdq": _wdq_section(store, lsoa, adj, whose, y, start, end, held, list(owner)),
        "start": mo.label(start),
        "end": mo.label(end),
        "lsoas": len(lsoa),
        "hotspots": hot,
        "border": rows,
        "border_records": sum(r["records"] for r in rows),
        "border_lsoas": len(on_border),
        "border_lsoa_records": int(y[on_border].sum()) if on_border else 0,
        "records": int(y.sum()),
    }


def _wdq_section(store, lsoa, adj, whose, after, start: str, end: str, held, districts) -> dict:
    """The WDQ of each partnership's border band, the appraisal's 12 months against the 12
    before (both wholly held: a missing month would read as a fall)."""
    from cdrp.analysis import months as mo
    from cdrp.health.border import border_wdq
    from cdrp.store.query import counts

    b_start, b_end = mo.shift(start, -12), mo.shift(start, -1)
    missing = [m for m in mo.month_range(b_start, end) if m not in set(held)]
    periods_ = {
        "before": mo.span_label(b_start, b_end),
        "after": mo.span_label(start, end),
    }
    if missing:
        return {
            "done": False,
            **periods_,
            "reason": f"{len(missing)} of the 24 months are not held "
            f"({', '.join(mo.label(m) for m in missing[:3])}{'…' if len(missing) > 3 else ''}).",
        }
    by = counts(
        store, ["lsoa"], start=b_start, end=b_end, areas={"district": districts}, output="pandas"
    )
    before = lsoa["lsoa_code"].map(by.set_index("lsoa")["count"]).fillna(0).to_numpy(dtype=float)
    rows = border_wdq(adj, list(whose), before, after)
    displaced = [r for r in rows if r["quotient"] is not None and r["quotient"] < 0]
    return {
        "displaced": displaced,
        "done": bool(rows),
        **periods_,
        "rows": rows,
        "reason": "" if rows else "No shared border.",
    }


def appraise(
    partnerships: list[Partnership],
    store=None,
    as_at: dt.date | None = None,
    border_to: str | None = None,
) -> dict:
    """The appraisal of closer working between `partnerships` (at least two); `border_to`
    (YYYY-MM) ends the 12 months of the border analysis (default: see `border_hotspots`)."""
    if len(partnerships) < 2:
        raise ValueError("an appraisal needs at least two partnerships")
    on = as_at or as_at_of(partnerships)
    year = on.year if on.month >= 4 else on.year - 1
    start, end = municipal_year(year)
    inputs, unplanned = [], []
    for p in partnerships:
        try:
            inputs.append(planner_inputs(p, year))
        except ValueError as exc:  # no venues: the planner cannot place its meetings
            unplanned.append(f"{p.name}: {exc}")
    kinds = {str(g.pk): g.kind for p in partnerships for g in p.all_groups()}
    options = _options()
    base = _spec_figures([g for i in inputs for g in i.groups], start, end)
    strategy_members = [
        set(g.members) for i in inputs for g in i.groups if kinds[g.id] in STRATEGIC
    ]
    for o in options:
        o.figures = _spec_figures(option_specs(o, inputs, kinds), start, end)
        o.saving_meetings = base.meetings - o.figures.meetings
        o.saving_hours = round(base.person_hours - o.figures.person_hours, 1)
        if o.key == "consecutive":
            # Each person on k of the strategy groups makes one journey instead of k on each
            # day they meet back to back (as often as the least frequent of them meets).
            seats = [m for members in strategy_members for m in members]
            shared_people = {m for m in seats if seats.count(m) > 1}
            per_day = sum(seats.count(m) - 1 for m in shared_people)
            days = min(
                (
                    len(periods(g.frequency, start, end))
                    for i in inputs
                    for g in i.groups
                    if kinds[g.id] in STRATEGIC
                ),
                default=0,
            )
            o.notes.append(
                f"About {per_day * days} journeys a year saved: {len(shared_people)} people sit "
                f"on more than one of the strategy groups, which would meet back to back on "
                f"{days} days."
            )
        if o.key in ("merger",):
            o.documents_saved = 2 * (len(partnerships) - 1)
            o.notes.append(f"{len(partnerships) - 1} fewer strategic assessments and plans a year.")
        if o.key == "shared_services":
            o.notes.append(
                f"One team writes the {len(partnerships)} assessments, plans and tasking packs."
            )
    people, organisations = _people(partnerships, on)
    proposal = None
    ids = {p.pk for p in partnerships}
    for pr in MergerProposal.objects.prefetch_related("predecessors").select_related("merged"):
        if {p.pk for p in pr.predecessors.all()} == ids:
            proposal = pr
    timetable = [
        {"stage": label, "date": proposal.stage_date(value) if proposal else None}
        for value, label in MergerProposal.Stage.choices
        if value
    ]
    hotspots = (
        border_hotspots(partnerships, store, on, border_to)
        if store is not None
        else {"done": False, "reason": "No incident store is configured."}
    )
    recommended = _recommend(options, people, hotspots)
    return {
        "partnerships": partnerships,
        "as_at": on,
        "year": f"{year}/{(year + 1) % 100:02d}",
        "planner_start": start,
        "planner_end": end - dt.timedelta(days=1),
        "unplanned": unplanned,
        "options": options,
        "base": base,
        "people": people,
        "organisations": organisations,
        "priorities": _priorities(partnerships, on),
        "funding": _funding(partnerships),
        "hotspots": hotspots,
        "proposal": proposal,
        "timetable": timetable,
        "recommended": recommended,
        "risks": _risks(partnerships, people),
    }


def _recommend(options: list[Option], people: list, hotspots: dict) -> Option:
    """The option saving most person-hours (a tie: the one that also saves assessments and
    plans, then the first listed), unless the saving is small (under a tenth of the
    status quo) and little crime crosses the borders: then the status quo."""
    by = {o.key: o for o in options}
    best = max(options, key=lambda o: (o.saving_hours, o.documents_saved, -OPTIONS.index(o.key)))
    base = by["status_quo"].figures
    small = base is None or base.person_hours == 0 or best.saving_hours < base.person_hours / 10
    crossing = hotspots.get("done") and (
        hotspots.get("border") or (hotspots.get("wdq") or {}).get("displaced")
    )
    if small and not crossing and len(people) < 3:
        return by["status_quo"]
    return best


def _risks(partnerships: list[Partnership], people: list) -> list[dict]:
    names = ", ".join(p.name for p in partnerships)
    return [
        {
            "risk": "Local accountability is diluted",
            "mitigation": f"Each council area ({names}) keeps a voting seat on the strategy group "
            "(compliance rule MERGED-AREAS) and its own local tasking.",
        },
        {
            "risk": "Issues that cross the borders are ignored while arrangements change",
            "mitigation": "The analyst reports border hot-spots and the displacement quotient "
            "around the borders to every tasking group from the start.",
        },
        {
            "risk": "Transition effort and lost momentum",
            "mitigation": "A pilot period with a review before the application (stage 3 of "
            "the merger).",
        },
        {
            "risk": "A few people carry several roles",
            "mitigation": f"{len(people)} people already sit in several partnerships: plan "
            "substitutes.",
        },
    ]


def figures_dict(f: Figures | None) -> dict:
    return dataclasses.asdict(f) if f else {}
