"""The six hallmarks of effective partnerships (Home Office guidance, 2007), each with criteria
whose evidence is computed from the records, every item linked to the record it rests on.

Rules already in the registry's compliance engine (`cdrp.partnerships.compliance`) are not
repeated: a criterion that is a statutory rule runs that rule on the year's last day and cites
the records the evidence interface (`cdrp.partnerships.evidence`) gives for it. Records kept by
apps above this one's reach (consultations, Community Calls for Action) come through
`cdrp.health.providers`, and read "not recorded yet" until an app provides them.

A year is a financial year: `year` 2022 is 1 April 2022 to 31 March 2023, judged as at its last
day or today, whichever is sooner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from cdrp.accounts.models import AuditEvent
from cdrp.health import providers
from cdrp.meetings.agenda import quorum
from cdrp.meetings.models import Action, Attendance, Decision, Meeting, Minutes
from cdrp.partnerships import compliance
from cdrp.partnerships import evidence as ev
from cdrp.partnerships.models import Group, Partnership

__all__ = [
    "MET",
    "PARTLY",
    "NOT_MET",
    "NOT_RECORDED",
    "STATUS_LABELS",
    "Link",
    "Evidence",
    "Hallmark",
    "Criterion",
    "HALLMARKS",
    "CRITERIA",
    "Year",
    "evaluate",
    "MINUTES_DAYS",
]

MET, PARTLY, NOT_MET, NOT_RECORDED = "met", "partly", "not_met", "not_recorded"
STATUS_LABELS = {
    MET: "Met",
    PARTLY: "Partly met",
    NOT_MET: "Not met",
    NOT_RECORDED: "Not recorded yet",
}
TAGS = {
    MET: "govuk-tag--green",
    PARTLY: "govuk-tag--yellow",
    NOT_MET: "govuk-tag--red",
    NOT_RECORDED: "govuk-tag--grey",
}
#: Minutes are approved within this many days of the meeting.
MINUTES_DAYS = 60
#: A body that attends at least this share of the strategy group's meetings attends well.
ATTENDANCE_SHARE = 0.75


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    date: dt.date | None = None


@dataclass
class Evidence:
    status: str
    summary: str
    links: list[Link] = field(default_factory=list)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def tag(self) -> str:
        """The GOV.UK tag colour of the status."""
        return TAGS[self.status]


@dataclass(frozen=True)
class Year:
    start_year: int

    @property
    def first(self) -> dt.date:
        return dt.date(self.start_year, 4, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.start_year + 1, 3, 31)

    @property
    def as_at(self) -> dt.date:
        return min(self.last, dt.date.today())

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"


@dataclass(frozen=True)
class Hallmark:
    key: str
    title: str
    aim: str


@dataclass(frozen=True)
class Criterion:
    id: str
    hallmark: str
    title: str
    compute: Callable[[Partnership, Year], Evidence]


HALLMARKS = [
    Hallmark(
        "leadership",
        "Empowered and effective leadership",
        "The strategy group meets, is quorate, is attended by every responsible authority at a "
        "senior level and takes the partnership's decisions.",
    ),
    Hallmark(
        "intelligence",
        "Intelligence-led business processes",
        "An annual strategic assessment, refreshed at six months, and tasking that follows it.",
    ),
    Hallmark(
        "delivery",
        "Effective and responsive delivery structures",
        "A current plan, groups that meet as their terms of reference say, actions done on time.",
    ),
    Hallmark(
        "communities",
        "Engaged communities",
        "Public meetings, consultation, and the plan and assessment published for residents.",
    ),
    Hallmark(
        "accountability",
        "Visible and constructive accountability",
        "Minutes approved promptly, performance reported, calls for action answered on time.",
    ),
    Hallmark(
        "skills",
        "Appropriate skills and knowledge",
        "An annual review of members' skills and knowledge, with training for the gaps.",
    ),
]
HALLMARK_BY_KEY = {h.key: h for h in HALLMARKS}
CRITERIA: dict[str, Criterion] = {}


def criterion(id: str, hallmark: str, title: str):
    def decorate(fn):
        if id in CRITERIA:
            raise ValueError(f"criterion {id!r} is registered twice")
        CRITERIA[id] = Criterion(id, hallmark, title, fn)
        return fn

    return decorate


def evaluate(partnership: Partnership, year: Year) -> dict[str, Evidence]:
    """Every criterion's evidence for the year."""
    return {c.id: c.compute(partnership, year) for c in CRITERIA.values()}


# Helpers ---------------------------------------------------------------------------------------


def _fmt(d: dt.date) -> str:
    return f"{d:%-d %B %Y}"


def _clip(text: str, limit: int) -> str:
    """`text` cut to about `limit` characters at a word, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


def _meeting_url(p: Partnership, m: Meeting) -> str:
    return reverse("meetings:meeting", kwargs={"partnership": p.slug, "meeting_id": m.pk})


def _group_url(p: Partnership, g: Group) -> str:
    return reverse("partnerships:group", kwargs={"partnership": p.slug, "group": g.slug})


def _meetings(p: Partnership, year: Year, kinds=None):
    """Meetings held in the year by the partnership's own groups (and joint groups serving it)."""
    qs = Meeting.objects.filter(
        Q(group__partnership=p) | Q(group__serves=p),
        date__gte=year.first,
        date__lte=year.as_at,
    )
    if kinds is not None:
        qs = qs.filter(group__kind__in=kinds)
    return qs.select_related("group", "group__partnership").distinct().order_by("date", "pk")


def _meeting_link(p: Partnership, m: Meeting, note: str = "") -> Link:
    return Link(f"{m.group.name}, {_fmt(m.date)}{note}", _meeting_url(p, m), m.date)


def _rule(p: Partnership, year: Year, rule_id: str) -> compliance.Finding:
    return compliance.RULES[rule_id].check(p, year.as_at)


_FROM_RULE = {
    compliance.Status.MET: MET,
    compliance.Status.NOT_MET: NOT_MET,
    compliance.Status.NO_EVIDENCE: NOT_RECORDED,
    compliance.Status.NOT_APPLICABLE: MET,
}


def _records(p: Partnership, kind: str, year: Year, before: bool = True) -> list[Link]:
    """Records of `kind` dated in the year (and, with `before`, the latest one before it, which
    is what a rule judging the year's end may rest on)."""
    found = ev.records(p, kind) or []
    within = [e for e in found if year.first <= e.date <= year.as_at]
    if before and not within:
        within = [e for e in found if e.date < year.first][:1]
    return [Link(f"{e.title}, {_fmt(e.date)}", e.url, e.date) for e in within if e.url]


def _quorate_meetings(p: Partnership, year: Year, kinds) -> tuple[list[Meeting], list[Meeting]]:
    held = [m for m in _meetings(p, year, kinds) if m.date <= year.as_at]
    quorate = [m for m in held if quorum(m).quorate]
    return held, quorate


def _meetings_criterion(p: Partnership, year: Year, kinds, what: str) -> Evidence:
    groups = [g for g in p.all_groups() if g.kind in kinds]
    if not groups:
        return Evidence(NOT_MET, f"No {what} is recorded.")
    expected = sum(g.meetings_per_year for g in groups)
    share = (year.as_at - year.first).days / ((year.last - year.first).days or 1)
    expected = max(1, round(expected * share)) if expected else 0
    held, quorate = _quorate_meetings(p, year, kinds)
    links = [_meeting_link(p, m, " (quorate)" if m in quorate else " (not quorate)") for m in held]
    summary = (
        f"{len(held)} meeting{'s' if len(held) != 1 else ''} held in {year.label} "
        f"({expected} expected from the terms of reference), {len(quorate)} quorate."
    )
    if not held:
        return Evidence(NOT_MET, summary, links)
    status = MET if len(held) >= expected and len(quorate) == len(held) else PARTLY
    return Evidence(status, summary, links)


# Empowered and effective leadership -------------------------------------------------------------


@criterion("LEAD-MEETS", "leadership", "The strategy group met as planned and was quorate")
def _lead_meets(p: Partnership, year: Year) -> Evidence:
    return _meetings_criterion(
        p, year, [Group.Kind.STRATEGY, Group.Kind.COUNTY_STRATEGY], "strategy group"
    )


@criterion("LEAD-ATTEND", "leadership", "Every voting body attends the strategy group")
def _lead_attend(p: Partnership, year: Year) -> Evidence:
    group = p.strategy_group()
    if group is None:
        return Evidence(NOT_MET, f"{p.name} has no strategy group recorded.")
    held = [m for m in _meetings(p, year, [group.kind]) if m.group_id == group.pk]
    bodies = group.voting_bodies(year.as_at)
    if not held or not bodies:
        return Evidence(NOT_MET, "No meetings of the strategy group are recorded in the year.")
    present: dict[str, int] = {k: 0 for k in bodies}
    recorded = 0
    for m in held:
        keys = {
            a.seat.body_key
            for a in Attendance.objects.filter(
                meeting=m,
                status__in=[Attendance.Status.PRESENT, Attendance.Status.SUBSTITUTE],
            ).select_related("seat__organisation", "seat__council_area")
        }
        if keys:
            recorded += 1
        for k in keys & present.keys():
            present[k] += 1
    if not recorded:
        return Evidence(NOT_RECORDED, "No attendance is recorded at the year's meetings.")
    low = [bodies[k] for k, n in present.items() if n / recorded < ATTENDANCE_SHARE]
    links = [Link(f"{group.name}: members and seats", _group_url(p, group))] + [
        _meeting_link(p, m) for m in held
    ]
    text = "; ".join(f"{bodies[k]} {n} of {recorded}" for k, n in sorted(present.items()))
    summary = f"Attendance by body at the {recorded} meetings with attendance recorded: {text}."
    if not low:
        return Evidence(MET, summary, links)
    if len(low) == len(bodies):
        return Evidence(NOT_MET, summary, links)
    return Evidence(PARTLY, summary + f" Below {ATTENDANCE_SHARE:.0%}: {', '.join(low)}.", links)


@criterion("LEAD-PORTFOLIO", "leadership", "Senior members and the portfolio holder sit on it")
def _lead_portfolio(p: Partnership, year: Year) -> Evidence:
    senior = _rule(p, year, "RA-SENIOR")
    portfolio = _rule(p, year, "PORTFOLIO-MEMBER")
    statuses = {_FROM_RULE[senior.status], _FROM_RULE[portfolio.status]}
    status = MET if statuses == {MET} else NOT_MET if MET not in statuses else PARTLY
    group = p.strategy_group()
    links = [Link(f"{group.name}: members and seats", _group_url(p, group))] if group else []
    links.append(
        Link(
            "Statutory compliance (RA-SENIOR, PORTFOLIO-MEMBER)",
            reverse("partnerships:compliance", kwargs={"partnership": p.slug})
            + f"?as_at={year.as_at.isoformat()}",
        )
    )
    return Evidence(status, f"{senior.summary} {portfolio.summary}", links)


@criterion("LEAD-DECIDES", "leadership", "The strategy group takes the partnership's decisions")
def _lead_decides(p: Partnership, year: Year) -> Evidence:
    decisions = list(
        Decision.objects.filter(
            meeting__in=_meetings(p, year, [Group.Kind.STRATEGY, Group.Kind.COUNTY_STRATEGY])
        )
        .select_related("meeting", "meeting__group")
        .order_by("meeting__date", "pk")
    )
    carried = [d for d in decisions if d.result == Decision.Result.CARRIED]
    links = [
        Link(
            f"{_clip(d.motion, 90)} ({_fmt(d.meeting.date)})",
            _meeting_url(p, d.meeting),
            d.meeting.date,
        )
        for d in decisions
    ]
    summary = f"{len(carried)} of {len(decisions)} motions carried in {year.label}."
    return Evidence(MET if carried else NOT_MET, summary, links)


# Intelligence-led business processes -----------------------------------------------------------


@criterion("INTEL-ASSESS", "intelligence", "The strategic assessment was approved on time")
def _intel_assess(p: Partnership, year: Year) -> Evidence:
    finding = _rule(p, year, "ASSESSMENT-ANNUAL")
    return Evidence(
        _FROM_RULE[finding.status], finding.summary, _records(p, ev.STRATEGIC_ASSESSMENT, year)
    )


@criterion("INTEL-REFRESH", "intelligence", "The assessment was refreshed at six months")
def _intel_refresh(p: Partnership, year: Year) -> Evidence:
    finding = _rule(p, year, "ASSESSMENT-REFRESH")
    links = _records(p, ev.ASSESSMENT_REFRESH, year) + _records(p, ev.STRATEGIC_ASSESSMENT, year)
    return Evidence(_FROM_RULE[finding.status], finding.summary, links)


@criterion("INTEL-TASKING", "intelligence", "Tasking meetings were held and quorate")
def _intel_tasking(p: Partnership, year: Year) -> Evidence:
    return _meetings_criterion(p, year, [Group.Kind.TASKING], "tasking group")


@criterion("INTEL-PERFORMANCE", "intelligence", "Performance is reported against the plan")
def _intel_performance(p: Partnership, year: Year) -> Evidence:
    plans = [e for e in (ev.records(p, ev.PARTNERSHIP_PLAN) or []) if e.in_force(year.as_at)]
    if not plans:
        return Evidence(NOT_MET, f"No partnership plan was in force in {year.label} to report on.")
    links = [
        Link(
            "Plan performance report",
            reverse("plans:performance", kwargs={"partnership": p.slug}),
        ),
        Link(f"{plans[0].title}, {_fmt(plans[0].date)}", plans[0].url, plans[0].date),
    ]
    considered = [
        m
        for m in _meetings(p, year, [Group.Kind.STRATEGY, Group.Kind.OFFICER])
        if m.agenda.filter(title__icontains="performance").exists()
        or m.decisions.filter(motion__icontains="performance").exists()
    ]
    links += [_meeting_link(p, m) for m in considered]
    if considered:
        return Evidence(
            MET,
            f"Performance against {plans[0].title} was considered at {len(considered)} "
            f"meeting{'s' if len(considered) != 1 else ''}.",
            links,
        )
    return Evidence(
        PARTLY,
        "The plan's performance is computed here, but no meeting in the year has it on its agenda.",
        links,
    )


# Effective and responsive delivery structures ---------------------------------------------------


@criterion("DELIV-PLAN", "delivery", "The partnership plan is current and revised this year")
def _deliv_plan(p: Partnership, year: Year) -> Evidence:
    finding = _rule(p, year, "PLAN-CURRENT")
    return Evidence(
        _FROM_RULE[finding.status], finding.summary, _records(p, ev.PARTNERSHIP_PLAN, year)
    )


@criterion("DELIV-GROUPS", "delivery", "Groups have terms of reference and met as they say")
def _deliv_groups(p: Partnership, year: Year) -> Evidence:
    groups = [g for g in p.all_groups() if g.meetings_per_year]
    if not groups:
        return Evidence(NOT_MET, "No groups with a meeting frequency are recorded.")
    held: dict[int, int] = {}
    for m in _meetings(p, year):
        held[m.group_id] = held.get(m.group_id, 0) + 1
    share = (year.as_at - year.first).days / ((year.last - year.first).days or 1)
    short, no_terms, links = [], [], []
    for g in groups:
        expected = max(1, round(g.meetings_per_year * share))
        n = held.get(g.pk, 0)
        if n < expected:
            short.append(f"{g.name} ({n} of {expected})")
        if not g.terms_of_reference.strip():
            no_terms.append(g.name)
        links.append(Link(f"{g.name}: {n} meetings of {expected} expected", _group_url(p, g)))
    problems = []
    if short:
        problems.append("met less often than planned: " + ", ".join(short))
    if no_terms:
        problems.append("no terms of reference: " + ", ".join(no_terms))
    if not problems:
        return Evidence(MET, f"All {len(groups)} groups met as planned.", links)
    ok = len(groups) - len(set(short) | set(no_terms))
    status = NOT_MET if len(short) == len(groups) else PARTLY
    return Evidence(
        status, f"{ok} of {len(groups)} groups fine; " + "; ".join(problems) + ".", links
    )


@criterion("DELIV-ACTIONS", "delivery", "Actions are done by their due date")
def _deliv_actions(p: Partnership, year: Year) -> Evidence:
    due = list(
        Action.objects.filter(partnership=p, due__gte=year.first, due__lte=year.as_at)
        .select_related("meeting", "group")
        .order_by("due", "pk")
    )
    if not due:
        return Evidence(NOT_RECORDED, f"No actions fell due in {year.label}.")
    on_time = [
        a for a in due if a.status == Action.Status.DONE and a.closed_on and a.closed_on <= a.due
    ]
    links = [
        Link(
            "Actions of the partnership",
            reverse("meetings:actions", kwargs={"partnership": p.slug}),
        )
    ] + [
        Link(
            f"{_clip(a.description, 80)} (raised {_fmt(a.meeting.date)})",
            _meeting_url(p, a.meeting),
        )
        for a in due
        if a.meeting is not None
    ]
    summary = f"{len(on_time)} of {len(due)} actions due in {year.label} were done on time."
    rate = len(on_time) / len(due)
    return Evidence(MET if rate >= 0.8 else PARTLY if rate >= 0.5 else NOT_MET, summary, links)


# Engaged communities ----------------------------------------------------------------------------


@criterion("COMM-PUBLIC", "communities", "The strategy group held a public meeting")
def _comm_public(p: Partnership, year: Year) -> Evidence:
    finding = _rule(p, year, "PUBLIC-MEETING")
    public = [m for m in _meetings(p, year) if m.public and m.date <= year.as_at]
    links = [Link("Public meetings", reverse("meetings:public", kwargs={"partnership": p.slug}))]
    for m in public:
        has_minutes = Minutes.objects.filter(meeting=m, approved=True).exists()
        links.append(
            Link(
                f"Public meeting of the {m.group.name}, {_fmt(m.date)}"
                + (", minutes" if has_minutes else ""),
                reverse(
                    "meetings:public-minutes", kwargs={"partnership": p.slug, "meeting_id": m.pk}
                )
                if has_minutes
                else _meeting_url(p, m),
                m.date,
            )
        )
    return Evidence(_FROM_RULE[finding.status], finding.summary, links)


def _provided(p: Partnership, year: Year, kind: str, what: str, timed: bool) -> Evidence:
    found = providers.items(p, kind, year.first, year.as_at)
    if found is None:
        return Evidence(NOT_RECORDED, f"Not recorded yet: nothing here records {what}.")
    links = [Link(f"{i.title}, {_fmt(i.date)}", i.url, i.date) for i in found if i.url]
    if not found and timed:  # nothing was due: no call waited for an answer
        return Evidence(MET, f"No {what} were due in {year.label}.", links)
    if not found:
        return Evidence(NOT_MET, f"No {what} are recorded in {year.label}.", links)
    if not timed:
        return Evidence(MET, f"{len(found)} recorded in {year.label}.", links)
    late = [i for i in found if i.on_time is False]
    summary = f"{len(found) - len(late)} of {len(found)} {what} on time."
    return Evidence(MET if not late else PARTLY, summary, links)


@criterion("COMM-CONSULT", "communities", "The community was consulted on priorities")
def _comm_consult(p: Partnership, year: Year) -> Evidence:
    return _provided(p, year, providers.CONSULTATION, "consultations with the community", False)


@criterion("COMM-PUBLISHED", "communities", "The plan and assessment are published")
def _comm_published(p: Partnership, year: Year) -> Evidence:
    links = []
    plans = [e for e in (ev.records(p, ev.PARTNERSHIP_PLAN) or []) if e.in_force(year.as_at)]
    if plans:
        links.append(Link(f"Published: {plans[0].title}", plans[0].url, plans[0].date))
    assessments = [
        e for e in (ev.records(p, ev.STRATEGIC_ASSESSMENT) or []) if e.date <= year.as_at
    ]
    links.append(
        Link(
            "Published assessments",
            reverse("intelligence:assessment-published", kwargs={"partnership": p.slug}),
        )
    )
    links.append(
        Link(
            "Spending (transparency)", reverse("plans:transparency", kwargs={"partnership": p.slug})
        )
    )
    if plans and assessments:
        return Evidence(MET, "The current plan and the approved assessment are public.", links)
    if plans or assessments:
        return Evidence(PARTLY, "Only one of the plan and the assessment is public.", links)
    return Evidence(NOT_MET, "Neither a current plan nor an approved assessment is public.", links)


# Visible and constructive accountability --------------------------------------------------------


def _approved_on(minutes: list[Minutes]) -> dict[int, dt.date]:
    """The day each minutes record was approved, from the audit trail."""
    events = AuditEvent.objects.filter(
        model=Minutes._meta.label, object_id__in=[str(m.pk) for m in minutes]
    ).order_by("at")
    out: dict[int, dt.date] = {}
    for e in events:
        change = (e.changes or {}).get("approved")
        if change and change[-1] is True and int(e.object_id) not in out:
            out[int(e.object_id)] = e.at.date()
    return out


@criterion("ACCT-MINUTES", "accountability", f"Minutes are approved within {MINUTES_DAYS} days")
def _acct_minutes(p: Partnership, year: Year) -> Evidence:
    held = [m for m in _meetings(p, year) if m.status == Meeting.Status.HELD]
    if not held:
        return Evidence(NOT_MET, f"No meetings are recorded as held in {year.label}.")
    records = {r.meeting_id: r for r in Minutes.objects.filter(meeting__in=held)}
    approved = [records[m.pk] for m in held if m.pk in records and records[m.pk].approved]
    when = _approved_on(approved)
    links, prompt = [], 0
    for m in held:
        r = records.get(m.pk)
        if r is None or not r.approved:
            continue
        day = when.get(r.pk)
        lag = (day - m.date).days if day else None
        if lag is not None and lag <= MINUTES_DAYS:
            prompt += 1
        note = f", approved {lag} days later" if lag is not None else ", approved"
        links.append(
            Link(
                f"Minutes of the {m.group.name}, {_fmt(m.date)}{note}",
                reverse("meetings:minutes", kwargs={"partnership": p.slug, "meeting_id": m.pk}),
                m.date,
            )
        )
    summary = (
        f"{len(approved)} of {len(held)} held meetings have approved minutes; {prompt} within "
        f"{MINUTES_DAYS} days of the meeting."
    )
    if prompt == len(held):
        return Evidence(MET, summary, links)
    return Evidence(PARTLY if approved else NOT_MET, summary, links)


@criterion("ACCT-PERFORMANCE", "accountability", "Performance is reported to the public")
def _acct_performance(p: Partnership, year: Year) -> Evidence:
    plans = [e for e in (ev.records(p, ev.PARTNERSHIP_PLAN) or []) if e.in_force(year.as_at)]
    public = [m for m in _meetings(p, year) if m.public]
    links = [
        Link(
            "Plan performance report", reverse("plans:performance", kwargs={"partnership": p.slug})
        ),
        Link("Public meetings", reverse("meetings:public", kwargs={"partnership": p.slug})),
    ] + [_meeting_link(p, m) for m in public]
    if plans and public:
        return Evidence(
            MET,
            f"Performance against {plans[0].title} is published and {len(public)} public "
            f"meeting{'s' if len(public) != 1 else ''} held.",
            links,
        )
    if plans:
        return Evidence(PARTLY, "Performance is computed, but no public meeting heard it.", links)
    return Evidence(NOT_MET, "No plan in force: there is no performance to report.", links)


@criterion("ACCT-CCFA", "accountability", "Community Calls for Action are answered on time")
def _acct_ccfa(p: Partnership, year: Year) -> Evidence:
    return _provided(
        p, year, providers.CCFA_RESPONSE, "responses to Community Calls for Action", True
    )


@criterion("ACCT-SELF", "accountability", "Last year's self-assessment was reported")
def _acct_self(p: Partnership, year: Year) -> Evidence:
    from cdrp.health.models import SelfAssessment

    found = SelfAssessment.objects.filter(
        partnership=p, year__in=[year.start_year - 1, year.start_year]
    )
    links = [
        Link(
            f"{a} ({a.reported_to or 'not reported yet'})",
            reverse("health:hallmarks", kwargs={"partnership": p.slug}) + f"?year={a.year}",
        )
        for a in found
    ]
    reported = [a for a in found if a.reported_to.strip()]
    if reported:
        return Evidence(MET, f"Reported to {reported[0].reported_to}.", links)
    if found:
        return Evidence(PARTLY, "Self-assessed, but not yet reported.", links)
    return Evidence(NOT_MET, "No self-assessment is recorded for this year or the last.", links)


# Appropriate skills and knowledge ---------------------------------------------------------------


@criterion("SKILL-REVIEW", "skills", "Members' skills and knowledge were reviewed this year")
def _skill_review(p: Partnership, year: Year) -> Evidence:
    finding = _rule(p, year, "SKILLS-REVIEW")
    return Evidence(
        _FROM_RULE[finding.status], finding.summary, _records(p, ev.SKILLS_REVIEW, year)
    )


def _latest_review(p: Partnership, year: Year):
    from cdrp.health.models import SkillsReview

    return (
        SkillsReview.objects.filter(partnership=p, held_on__lte=year.as_at)
        .select_related("group", "partnership")
        .first()
    )


@criterion("SKILL-GAPS", "skills", "Every member rated their skills; gaps are known")
def _skill_gaps(p: Partnership, year: Year) -> Evidence:
    from cdrp.health.skills import matrix, review_url

    review = _latest_review(p, year)
    if review is None:
        return Evidence(NOT_MET, "No skills review is recorded.")
    m = matrix(review)
    links = [Link(f"{review}: skills matrix", review_url(review), review.held_on)] + [
        Link(f"{row['person']}", row["person"].get_absolute_url())
        for row in m["rows"]
        if row["gaps"]
    ]
    gaps = ", ".join(col["competence"].label.lower() for col in m["gaps"]) or "none"
    summary = f"{m['rated']} of {m['members']} members rated themselves; group gaps: {gaps}."
    status = (
        MET if m["members"] and m["rated"] == m["members"] else PARTLY if m["rated"] else NOT_MET
    )
    return Evidence(status, summary, links)


@criterion("SKILL-TRAINING", "skills", "Training is planned for every gap, and done")
def _skill_training(p: Partnership, year: Year) -> Evidence:
    from cdrp.health.skills import matrix, review_url

    review = _latest_review(p, year)
    if review is None:
        return Evidence(NOT_MET, "No skills review is recorded, so no training plan.")
    m = matrix(review)
    items = [item for col in m["columns"] for item in col["training"]]
    links = [Link(f"{review}: training plan", review_url(review) + "#training", review.held_on)]
    links += [
        Link(
            f"Action: {_clip(i.action.description, 80)} ({i.action.get_status_display().lower()})",
            _meeting_url(p, i.action.meeting) if i.action.meeting else review_url(review),
        )
        for i in items
    ]
    done = [i for i in items if i.action.status == Action.Status.DONE]
    untrained = m["untrained_gaps"]
    summary = (
        f"{len(items)} training action{'s' if len(items) != 1 else ''}, {len(done)} done; "
        f"{len(m['gaps']) - len(untrained)} of {len(m['gaps'])} gaps have training planned."
    )
    if not untrained and (not items or len(done) == len(items)):
        return Evidence(MET, summary, links)
    return Evidence(PARTLY if items else NOT_MET, summary, links)
