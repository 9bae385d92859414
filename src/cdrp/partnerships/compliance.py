"""The statutory compliance engine: a registry of rules from the 2007 regulations and Home Office
guidance, each with an id, a plain-English statement, its source, a severity and a check that
returns a finding with its evidence.

Structural rules read the registry (groups, seats, memberships). Rules about records kept by later
features (assessments, plans, public meetings, skills reviews, data-sharing agreements) read them
through `cdrp.partnerships.evidence`, and say "no evidence recorded" until a feature provides them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from cdrp.partnerships import evidence as ev
from cdrp.partnerships import law
from cdrp.partnerships.models import Group, Membership, Organisation, Partnership, Seat

__all__ = ["Status", "Severity", "Rule", "Finding", "RULES", "rule", "evaluate"]

REGULATIONS = "Crime and Disorder (Formulation and Implementation of Strategy) Regulations 2007"
GUIDANCE = (
    "Home Office, Delivering Safer Communities: a guide to effective partnership working (2007)"
)
YEAR = dt.timedelta(days=365)
HALF_YEAR = dt.timedelta(days=183)


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NO_EVIDENCE = "no_evidence"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return {
            "met": "Met",
            "not_met": "Not met",
            "no_evidence": "No evidence recorded",
            "not_applicable": "Not applicable",
        }[self.value]


class Severity(StrEnum):
    STATUTORY = "statutory"
    GUIDANCE = "guidance"

    @property
    def label(self) -> str:
        return "Statutory requirement" if self is Severity.STATUTORY else "Guidance"


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    statement: str
    source: str
    severity: Severity
    check: Callable[[Partnership, dt.date], Finding]


@dataclass
class Finding:
    """What a rule found: its status, one-line summary, and the records it rests on."""

    status: Status
    summary: str
    evidence: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rule: Rule | None = None
    #: The dated provisions of the law the finding applied (`cdrp.partnerships.law`).
    law: list[law.Provision] = field(default_factory=list)

    def as_data(self) -> dict:
        """The finding as plain data (the API and `cdrp compliance --json` give the same)."""
        if self.rule is None:
            raise ValueError("a finding is serialised once its rule has judged it")
        return {
            "rule": self.rule.id,
            "title": self.rule.title,
            "statement": self.rule.statement,
            "source": self.rule.source,
            "severity": self.rule.severity.value,
            "status": self.status.value,
            "summary": self.summary,
            "problems": self.problems,
            "evidence": self.evidence,
            "law": [
                {
                    "kind": x.kind,
                    "role": x.role.value,
                    "in_force_from": x.start.isoformat(),
                    "in_force_to": x.end.isoformat() if x.end else None,
                    "citation": x.citation,
                    "url": x.url,
                }
                for x in self.law
            ],
        }


RULES: dict[str, Rule] = {}


def rule(id: str, title: str, statement: str, source: str, severity: Severity = Severity.STATUTORY):
    """Register a check function as a rule."""

    def decorate(check):
        if id in RULES:
            raise ValueError(f"rule {id!r} is registered twice")
        RULES[id] = Rule(id, title, statement, source, severity, check)
        return check

    return decorate


def default_date(partnership: Partnership) -> dt.date:
    """Today, or a historical partnership's last day (it is judged as it stood then)."""
    today = dt.date.today()
    if partnership.valid_to and partnership.valid_to < today:
        return partnership.valid_to
    return today


def evaluate(partnership: Partnership, on: dt.date | None = None) -> list[Finding]:
    """Run every rule for the partnership on date `on` (default: see `default_date`)."""
    on = on or default_date(partnership)
    findings = []
    for r in RULES.values():
        finding = r.check(partnership, on)
        finding.rule = r
        findings.append(finding)
    return findings


# Helpers ---------------------------------------------------------------------------------------


def _strategy_group(p: Partnership) -> Group | None:
    return p.strategy_group()


def _no_group(p: Partnership) -> Finding:
    return Finding(
        Status.NOT_MET,
        f"{p.name} has no strategy group recorded.",
        problems=["Add the strategy group (for example the Responsible Authorities Group)."],
    )


def _current(group: Group, on: dt.date):
    return (
        Membership.objects.current(on)
        .filter(seat__group=group)
        .select_related("person", "seat", "seat__organisation", "seat__council_area")
    )


def _authority(o: Organisation) -> str:
    return f"{o.name} ({o.get_kind_display().lower()})"


def _fmt(d: dt.date) -> str:
    return f"{d:%-d %B %Y}"


def _seat_text(s: Seat) -> str:
    return f"{s.label}{'' if s.voting else ' (advisory)'}"


# Structural rules ------------------------------------------------------------------------------


def _country(p: Partnership) -> str:
    return law.country_of(p.districts.values_list("code", flat=True))


def _authorities_on(p: Partnership, on: dt.date):
    """The partnership's recorded responsible authorities split by the law in force on `on`:
    those that are responsible authorities then, and notes on the others (ended, not yet set
    up, or only co-operating bodies on that date)."""
    country = _country(p)
    authorities, notes = [], []
    for o in p.responsible_authorities.prefetch_related("successors").order_by("name"):
        if not o.exists_on(on):
            if o.valid_to and o.valid_to < on:
                after = ", ".join(s.name for s in o.successors.all())
                notes.append(
                    f"{o.name} ended on {_fmt(o.valid_to)}"
                    + (f"; succeeded by {after}." if after else ".")
                )
            continue
        role = law.role_of(o.kind, on, country)
        if role == law.Role.RESPONSIBLE:
            authorities.append(o)
        elif role == law.Role.CO_OPERATING:
            notes.append(
                f"{o.name} is a co-operating body on {_fmt(on)}, not a responsible authority."
            )
        else:
            notes.append(f"{o.name} has no statutory place on {_fmt(on)}.")
    return authorities, notes


def _required_kinds(p: Partnership, on: dt.date) -> list[law.Provision]:
    """The law's responsible-authority provisions the partnership must show a body for on `on`
    (councils are checked area by area instead)."""
    councils = {Organisation.Kind.DISTRICT_COUNCIL, Organisation.Kind.COUNTY_COUNCIL}
    return [
        x
        for x in law.in_force(on, _country(p))
        if x.role == law.Role.RESPONSIBLE and x.kind not in councils
    ]


@rule(
    "RA-SEATS",
    "Every responsible authority has a seat on the strategy group",
    "Each body that the law in force on the date makes a responsible authority (the councils, "
    "the chief officer of police and, as the Act has been amended, the police authority, the "
    "fire and rescue authority, the health body and the probation provider) must be represented "
    "on the strategy group, and no seat may still be held for a body that has ended.",
    f"{REGULATIONS}: membership of the strategy group; Crime and Disorder Act 1998, s.5(1) as in "
    "force on the date (see the provisions applied)",
)
def _ra_seats(p: Partnership, on: dt.date) -> Finding:
    group = _strategy_group(p)
    if group is None:
        return _no_group(p)
    authorities, notes = _authorities_on(p, on)
    required = _required_kinds(p, on)
    applied = list(required)
    problems, evidence = [], []
    kinds = {o.kind for o in authorities}
    for provision in required:
        if provision.kind not in kinds:
            label = Organisation.Kind(provision.kind).label.lower()
            problems.append(
                f"No {label} is listed among the responsible authorities, although the law in "
                f"force on {_fmt(on)} makes it one ({provision.citation})."
            )
    two_tier = p.level == Partnership.Level.COUNTY or (
        p.level == Partnership.Level.DISTRICT and p.county_id is not None
    )
    councils = [Organisation.Kind.DISTRICT_COUNCIL]
    if two_tier:
        councils.append(Organisation.Kind.COUNTY_COUNCIL)
    for kind in reversed(councils):
        council_law = law.provision_for(kind, on, _country(p))
        if council_law is not None:
            applied.insert(0, council_law)
    if two_tier:
        if Organisation.Kind.COUNTY_COUNCIL not in kinds:
            problems.append("No county council is listed among the responsible authorities.")
    for district in p.districts.all() if p.level == Partnership.Level.DISTRICT else []:
        if not any(
            o.kind == Organisation.Kind.DISTRICT_COUNCIL and o.area_id == district.pk
            for o in authorities
        ):
            problems.append(
                f"No district council for {district.name} is listed among the responsible "
                "authorities."
            )
    seats = list(group.seats.select_related("organisation", "council_area"))
    current = list(_current(group, on))
    held = {m.seat_id for m in current}
    for o in authorities:
        mine = [s for s in seats if s.organisation_id == o.pk and s.is_open(on)]
        if not mine:
            problems.append(f"{_authority(o)} has no seat on the {group.name}.")
        elif not any(s.pk in held for s in mine):
            problems.append(f"{_authority(o)} has a seat on the {group.name} but nobody holds it.")
        else:
            evidence.append(f"{o.name}: {', '.join(_seat_text(s) for s in mine)}")
    for m in current:
        flag = m.seat.ended_body_problem(on)
        if flag:
            problems.append(f"{flag} ({m.person} still holds it.)")
    evidence += notes
    if problems:
        return Finding(Status.NOT_MET, problems[0], evidence, problems, law=applied)
    return Finding(
        Status.MET,
        f"All {len(authorities)} responsible authorities in law on {_fmt(on)} have a seat on the "
        f"{group.name}.",
        evidence,
        law=applied,
    )


@rule(
    "RA-SENIOR",
    "Each responsible authority has a senior representative",
    "At least one of each responsible authority's representatives on the strategy group must hold "
    "a senior position in their organisation.",
    f"{REGULATIONS}: membership of the strategy group",
)
def _ra_senior(p: Partnership, on: dt.date) -> Finding:
    group = _strategy_group(p)
    if group is None:
        return _no_group(p)
    members = list(_current(group, on))
    authorities, _notes = _authorities_on(p, on)
    problems, evidence = [], []
    for o in authorities:
        senior = [m for m in members if m.seat.organisation_id == o.pk and m.senior]
        if senior:
            evidence.append(
                f"{o.name}: " + ", ".join(f"{m.person} ({m.seat.label})" for m in senior)
            )
        else:
            problems.append(f"{_authority(o)} has no senior representative on the {group.name}.")
    if problems:
        return Finding(Status.NOT_MET, problems[0], evidence, problems)
    return Finding(Status.MET, "Every responsible authority has a senior representative.", evidence)


@rule(
    "PORTFOLIO-MEMBER",
    "The community-safety portfolio holder sits on the strategy group",
    "Where a district council has an elected member with responsibility for community safety, that "
    "member must sit on the strategy group.",
    f"{REGULATIONS}: membership of the strategy group",
)
def _portfolio(p: Partnership, on: dt.date) -> Finding:
    group = _strategy_group(p)
    if group is None:
        return _no_group(p)
    members = list(_current(group, on))
    councils = [
        o
        for o in p.responsible_authorities.all()
        if o.kind in (Organisation.Kind.DISTRICT_COUNCIL, Organisation.Kind.COUNTY_COUNCIL)
        and (p.level == Partnership.Level.COUNTY or o.kind == Organisation.Kind.DISTRICT_COUNCIL)
    ]
    if not councils:
        return Finding(Status.NOT_MET, "No council is listed among the responsible authorities.")
    problems, evidence = [], []
    for o in councils:
        holders = [m for m in members if m.portfolio_holder and m.seat.organisation_id == o.pk]
        if holders:
            evidence.append(
                f"{o.name}: " + ", ".join(f"{m.person} ({m.seat.label})" for m in holders)
            )
        else:
            problems.append(
                f"No elected member of {o.name} holding the community-safety portfolio sits on the "
                f"{group.name}."
            )
    if problems:
        return Finding(Status.NOT_MET, problems[0], evidence, problems)
    return Finding(
        Status.MET, "The portfolio holder of each council sits on the strategy group.", evidence
    )


def _county_group(p: Partnership) -> Group | None:
    if p.county_id is None:
        return None
    return (
        Group.objects.filter(
            kind=Group.Kind.COUNTY_STRATEGY,
            partnership__county_id=p.county_id,
            partnership__status=Partnership.Status.CURRENT,
        )
        .select_related("partnership")
        .first()
    )


@rule(
    "COUNTY-CHAIRS",
    "The county strategy group includes each district group's chair",
    "In a two-tier area a county strategy group co-ordinates the district groups, and the chair "
    "of each district strategy group is a member of it.",
    f"{REGULATIONS}: county strategy groups",
)
def _county_chairs(p: Partnership, on: dt.date) -> Finding:
    if p.level == Partnership.Level.COUNTY:
        group = _strategy_group(p)
        if group is None:
            return _no_group(p)
        districts = list(
            Partnership.objects.filter(
                county_id=p.county_id,
                level=Partnership.Level.DISTRICT,
                status=Partnership.Status.CURRENT,
            )
        )
        pairs = [(d, group) for d in districts]
    else:
        if not p.is_two_tier:
            return Finding(Status.NOT_APPLICABLE, f"{p.name} is not in a two-tier area.")
        county = _county_group(p)
        if county is None:
            county_name = p.county.name if p.county is not None else "the county"
            return Finding(
                Status.NOT_MET,
                f"No current county strategy group is recorded for {county_name}.",
                problems=[f"Record {county_name}'s county strategy group and its members."],
            )
        pairs = [(p, county)]
    if not pairs:
        return Finding(
            Status.NOT_APPLICABLE, "No current district partnerships are recorded in this county."
        )
    # A joint strategy group serving several district partnerships (a joint Responsible
    # Authorities Group) has one chair: it is looked for once, on behalf of all of them.
    by_group: dict[int, tuple[Group, list[Partnership], Group]] = {}
    problems, evidence = [], []
    for district, county in pairs:
        sg = district.strategy_group()
        if sg is None:
            problems.append(f"{district.name} has no strategy group recorded.")
            continue
        by_group.setdefault(sg.pk, (sg, [], county))[1].append(district)
    for sg, districts, county in by_group.values():
        served = districts
        if len(districts) == 1 and sg.is_joint:  # judged for one of the partnerships it serves
            served = list(Partnership.objects.filter(pk__in=sg.partnership_ids()))
        names = " and ".join(sorted(d.name for d in served))
        joint = len(served) > 1
        whose = f"the {sg.name}, joint for {names}" if joint else f"{names}'s {sg.name}"
        chair = sg.chair(on)
        if chair is None:
            problems.append(f"{whose[0].upper()}{whose[1:]}: no chair recorded on {_fmt(on)}.")
            continue
        seat = _current(county, on).filter(person=chair).first()
        if seat is None:
            problems.append(f"{chair}, chair of {whose}, is not a member of the {county.name}.")
        else:
            evidence.append(
                f"{chair} (chair of {whose if joint else names}) sits on the {county.name} as "
                f"“{seat.seat.label}”."
            )
    if problems:
        return Finding(Status.NOT_MET, problems[0], evidence, problems)
    if p.level == Partnership.Level.COUNTY:
        n_groups, n_partnerships = len(by_group), len(pairs)
        each = "the" if n_groups == 1 else f"each of the {n_groups}"
        summary = (
            f"The county strategy group includes the chair of {each} district strategy "
            f"group{'s' if n_groups != 1 else ''}"
            + (f", serving {n_partnerships} partnerships." if n_groups != n_partnerships else ".")
        )
        return Finding(Status.MET, summary, evidence)
    return Finding(Status.MET, "The county strategy group includes the district chair.", evidence)


@rule(
    "MERGED-AREAS",
    "A merged partnership has each of its council areas represented",
    "Where partnerships have merged, each council area keeps a voting seat on the strategy group "
    "with someone holding it, so no district loses its voice.",
    "Crime and Disorder Act 1998, s.5(1A) (combined areas, as in force on the date); Home Office "
    "guidance on merging partnership areas (2005)",
)
def _merged_areas(p: Partnership, on: dt.date) -> Finding:
    districts = list(p.districts.all())
    if p.level == Partnership.Level.COUNTY:
        return Finding(
            Status.NOT_APPLICABLE,
            "A county strategy group is not a merger: districts take part through their chairs.",
        )
    if len(districts) < 2 and not p.merged_from.exists():
        return Finding(
            Status.NOT_APPLICABLE, f"{p.name} covers one council area and is not a merger."
        )
    group = _strategy_group(p)
    if group is None:
        return _no_group(p)
    members = [m for m in _current(group, on).filter(seat__voting=True) if m.seat.may_vote_on(on)]
    combined = law.combination(on, _country(p))
    applied = [combined] if combined else []
    problems, evidence = [], []
    for d in districts:
        here = [
            m
            for m in members
            if m.seat.council_area_id == d.pk
            or (m.seat.organisation and m.seat.organisation.area_id == d.pk)
        ]
        if here:
            evidence.append(
                f"{d.name}: {len(here)} representative{'s' if len(here) != 1 else ''}, one vote"
            )
        else:
            problems.append(
                f"{d.name} has no representative with a voting seat on the {group.name}."
            )
    if problems:
        return Finding(Status.NOT_MET, problems[0], evidence, problems, law=applied)
    return Finding(
        Status.MET,
        f"All {len(districts)} council areas are represented, one vote each.",
        evidence,
        law=applied,
    )


# Rules read through the evidence interface -----------------------------------------------------


def _no_evidence(kind: str) -> Finding:
    return Finding(
        Status.NO_EVIDENCE,
        f"No evidence recorded: nothing here records the {ev.KINDS[kind]} yet.",
    )


def _recent(p: Partnership, on: dt.date, kind: str, within: dt.timedelta, what: str) -> Finding:
    found = ev.records(p, kind)
    if found is None:
        return _no_evidence(kind)
    past = [e for e in found if e.date <= on]
    if not past:
        return Finding(
            Status.NOT_MET, f"No {what} is recorded.", problems=[f"No {what} is recorded."]
        )
    latest = past[0]
    text = f"{latest.title}, {_fmt(latest.date)}"
    if on - latest.date > within:
        months = within.days // 30
        problem = f"The latest {what} was on {_fmt(latest.date)}, more than {months} months ago."
        return Finding(Status.NOT_MET, problem, [text], [problem])
    return Finding(Status.MET, f"Latest {what}: {_fmt(latest.date)}.", [text])


@rule(
    "ASSESSMENT-ANNUAL",
    "A strategic assessment was approved in the last 12 months",
    "The strategy group must prepare a strategic assessment every year: levels and patterns of "
    "crime, disorder and substance misuse, changes since the last one and why, how well the plan "
    "worked, and community views.",
    f"{REGULATIONS}: strategic assessment",
)
def _assessment(p: Partnership, on: dt.date) -> Finding:
    return _recent(p, on, ev.STRATEGIC_ASSESSMENT, YEAR, "approved strategic assessment")


@rule(
    "ASSESSMENT-REFRESH",
    "The strategic assessment was refreshed at six months",
    "The strategic assessment is refreshed six months after it is approved.",
    f"{GUIDANCE}: intelligence-led business processes",
    Severity.GUIDANCE,
)
def _refresh(p: Partnership, on: dt.date) -> Finding:
    assessments = ev.records(p, ev.STRATEGIC_ASSESSMENT)
    refreshes = ev.records(p, ev.ASSESSMENT_REFRESH)
    if assessments is None or refreshes is None:
        return _no_evidence(
            ev.ASSESSMENT_REFRESH if assessments is not None else ev.STRATEGIC_ASSESSMENT
        )
    latest = next((a for a in assessments if a.date <= on), None)
    if latest is None:
        return Finding(Status.NOT_MET, "No approved strategic assessment is recorded to refresh.")
    due = latest.date + HALF_YEAR
    refresh = next((r for r in refreshes if latest.date < r.date <= on), None)
    if refresh is not None:
        return Finding(
            Status.MET,
            f"Refreshed on {_fmt(refresh.date)}.",
            [f"{latest.title}, {_fmt(latest.date)}", f"{refresh.title}, {_fmt(refresh.date)}"],
        )
    if on <= due:
        return Finding(
            Status.MET,
            f"The refresh of the {_fmt(latest.date)} assessment is not due until {_fmt(due)}.",
            [f"{latest.title}, {_fmt(latest.date)}"],
        )
    problem = f"The refresh of the {_fmt(latest.date)} assessment was due by {_fmt(due)}."
    return Finding(Status.NOT_MET, problem, [f"{latest.title}, {_fmt(latest.date)}"], [problem])


@rule(
    "PLAN-CURRENT",
    "A three-year partnership plan is current and was revised in the last 12 months",
    "The strategy group keeps a three-year partnership plan, revised every year, setting out the "
    "priorities, each partner's role and resources, performance management and community "
    "engagement.",
    f"{REGULATIONS}: partnership plan",
)
def _plan(p: Partnership, on: dt.date) -> Finding:
    plans = ev.records(p, ev.PARTNERSHIP_PLAN)
    if plans is None:
        return _no_evidence(ev.PARTNERSHIP_PLAN)
    current = [x for x in plans if x.in_force(on) and x.date <= on]
    if not current:
        return Finding(
            Status.NOT_MET,
            f"No partnership plan covers {_fmt(on)}.",
            problems=["No current partnership plan is recorded."],
        )
    plan = current[0]
    text = f"{plan.title}, revised {_fmt(plan.date)}"
    if on - plan.date > YEAR:
        problem = f"The plan was last revised on {_fmt(plan.date)}, more than 12 months ago."
        return Finding(Status.NOT_MET, problem, [text], [problem])
    return Finding(Status.MET, f"{plan.title} is current, revised {_fmt(plan.date)}.", [text])


@rule(
    "PUBLIC-MEETING",
    "At least one public meeting in the last 12 months",
    "The strategy group holds at least one meeting open to the public each year.",
    f"{REGULATIONS}: public meetings",
)
def _public_meeting(p: Partnership, on: dt.date) -> Finding:
    public = ev.records(p, ev.PUBLIC_MEETING)
    if public is None:
        return _no_evidence(ev.PUBLIC_MEETING)
    group = _strategy_group(p)

    def its(e: ev.Evidence) -> bool:
        # Records that name no group count for the partnership's strategy group.
        return e.date <= on and (group is None or e.group_id in (None, group.pk))

    held = [e for e in (ev.records(p, ev.MEETING) or []) if its(e)]
    public = [e for e in public if its(e)]
    which = f"the {group.name}" if group else p.name
    if not held and not public:
        # Nothing recorded of the group's meetings at all: a gap in the records, not a failure.
        return Finding(
            Status.NO_EVIDENCE,
            f"No evidence recorded: no meetings of {which} are recorded here.",
        )
    if not public:
        n = len(held)
        problem = (
            f"{n} meeting{'s' if n != 1 else ''} of {which} {'are' if n != 1 else 'is'} "
            "recorded, none of them public."
        )
        return Finding(
            Status.NOT_MET, problem, [f"{e.title}, {_fmt(e.date)}" for e in held[:3]], [problem]
        )
    latest = public[0]
    text = f"{latest.title}, {_fmt(latest.date)}"
    if on - latest.date > YEAR:
        problem = f"The latest public meeting was on {_fmt(latest.date)}, more than 12 months ago."
        return Finding(Status.NOT_MET, problem, [text], [problem])
    return Finding(Status.MET, f"Latest public meeting: {_fmt(latest.date)}.", [text])


@rule(
    "SKILLS-REVIEW",
    "Members' skills and knowledge were reviewed in the last 12 months",
    "At least once a year the strategy group reviews whether the partnership has the skills and "
    "knowledge it needs to meet its duties.",
    f"{REGULATIONS}; {GUIDANCE}: appropriate skills and knowledge",
)
def _skills(p: Partnership, on: dt.date) -> Finding:
    return _recent(p, on, ev.SKILLS_REVIEW, YEAR, "skills and knowledge review")


@rule(
    "DATA-SHARING",
    "A data-sharing agreement is in force",
    "The responsible authorities share the information the partnership needs under an agreed "
    "information-sharing protocol.",
    "Crime and Disorder Act 1998, s.17A (sharing of information)",
)
def _data_sharing(p: Partnership, on: dt.date) -> Finding:
    agreements = ev.records(p, ev.DATA_SHARING_AGREEMENT)
    if agreements is None:
        return _no_evidence(ev.DATA_SHARING_AGREEMENT)
    live = [a for a in agreements if a.date <= on and a.in_force(on)]
    if not live:
        return Finding(
            Status.NOT_MET,
            "No data-sharing agreement is in force.",
            problems=["No data-sharing agreement is in force."],
        )
    return Finding(
        Status.MET,
        f"{live[0].title} is in force.",
        [f"{a.title}, signed {_fmt(a.date)}" for a in live],
    )


@rule(
    "PRESCRIBED-INFORMATION",
    "The responsible authorities supplied last quarter's prescribed information on time",
    "Each responsible authority discloses the depersonalised information the regulations "
    "prescribe for each three-month period by the end of the following period.",
    "Crime and Disorder Act 1998, s.17A; Crime and Disorder (Prescribed Information) "
    "Regulations 2007 (SI 2007/1831), regs 2 and 3 and the Schedule",
)
def _prescribed_information(p: Partnership, on: dt.date) -> Finding:
    returns = ev.records(p, ev.PRESCRIBED_INFORMATION)
    if returns is None:
        return _no_evidence(ev.PRESCRIBED_INFORMATION)
    due = [r for r in returns if r.period_end is not None and r.period_end < on]
    if not due:
        return Finding(
            Status.NOT_MET,
            "No prescribed information is tracked for a quarter now due.",
            problems=["No return of prescribed information is recorded as expected."],
        )
    latest = max(r.period_end for r in due if r.period_end is not None)
    quarter = [r for r in due if r.period_end == latest]
    flagged = [r.title for r in quarter if r.status != "received"]
    if flagged:
        return Finding(
            Status.NOT_MET,
            f"{len(flagged)} of {len(quarter)} returns due by {_fmt(latest)} were late or missing.",
            [r.title for r in quarter],
            problems=flagged,
        )
    return Finding(
        Status.MET,
        f"All {len(quarter)} returns due by {_fmt(latest)} were received on time.",
        [r.title for r in quarter],
    )
