"""What one person's working day needs, gathered for their home page: their next meetings with
the papers, their own open actions, what waits for their approval, the statutory deadlines
coming, and how fresh the police.uk data is.

Everything is read for one user and filtered as the policy says: only partnerships where they
hold a role, and a restricted group's records only for its members.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse

from cdrp.accounts.policy import Permission, Role, allows, may_see_restricted
from cdrp.analysis.months import Month, label, month_range, shift, span_label
from cdrp.intelligence.models import Assessment
from cdrp.meetings import restricted
from cdrp.meetings.models import Action, Meeting, Minutes, Paper
from cdrp.partnerships import compliance
from cdrp.partnerships import evidence as ev
from cdrp.partnerships.models import Group, Membership, Partnership, Person
from cdrp.plans.models import Plan

__all__ = [
    "MeetingRow",
    "Approval",
    "Deadline",
    "Freshness",
    "my_partnerships",
    "person_of",
    "next_meetings",
    "my_actions",
    "approvals",
    "deadlines",
    "freshness",
    "DUE_SOON_DAYS",
]

#: A deadline this close is flagged as coming soon.
DUE_SOON_DAYS = 60
#: police.uk publishes a month's data some weeks after it ends: the latest month a partnership
#: can expect to hold is this many months before the current one.
PUBLICATION_LAG_MONTHS = 2


def person_of(user) -> Person | None:
    """The registry person whose sign-in account `user` is (None if none is linked)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return None
    return Person.objects.filter(account=user).first()


def my_partnerships(user) -> list[tuple[Partnership, list[str]]]:
    """The partnerships where `user` holds a role, with the roles' names (a site administrator's
    superuser status gives every role everywhere, so it lists none of them here)."""
    if not getattr(user, "is_authenticated", False):
        return []
    ids = set(user.cdrp_roles.values_list("partnership_id", flat=True))
    out = []
    for p in Partnership.objects.filter(pk__in=ids).order_by("name"):
        roles = sorted(
            Role(r).label
            for r in user.cdrp_roles.filter(partnership=p).values_list("role", flat=True)
        )
        out.append((p, roles))
    return out


def _my_groups(user, person: Person | None, on: dt.date) -> list[Group]:
    """The groups the person sits on today; without a person, the strategy groups of the
    partnerships where the user holds a role."""
    if person is not None:
        ids = set(
            Membership.objects.current(on)
            .filter(person=person)
            .values_list("seat__group_id", flat=True)
        )
        if ids:
            return list(Group.objects.filter(pk__in=ids).select_related("partnership"))
    partnership_ids = [p.pk for p, _ in my_partnerships(user)]
    return list(
        Group.objects.filter(
            partnership_id__in=partnership_ids, kind=Group.Kind.STRATEGY
        ).select_related("partnership")
    )


@dataclass
class MeetingRow:
    meeting: Meeting
    start: dt.time | None
    venue: str
    papers: list[Paper]
    papers_withheld: int

    @property
    def url(self) -> str:
        return reverse(
            "meetings:meeting",
            kwargs={
                "partnership": self.meeting.group.partnership.slug,
                "meeting_id": self.meeting.pk,
            },
        )


def next_meetings(user, person: Person | None, today: dt.date, limit: int = 5) -> list[MeetingRow]:
    """The next meetings of the groups the person sits on (from today), with their papers; a
    restricted item's papers only for those who may read them."""
    groups = _my_groups(user, person, today)
    meetings = (
        Meeting.objects.filter(group__in=groups, date__gte=today)
        .select_related("group__partnership")
        .order_by("date", "pk")[:limit]
    )
    rows = []
    for meeting in meetings:
        booking = getattr(meeting, "booking", None)  # None when the meeting has no booking
        papers = list(
            Paper.objects.filter(item__meeting=meeting)
            .select_related("item__meeting__group")
            .order_by("item__position", "pk")
        )
        shown = [p for p in papers if restricted.may_read(user, p)]
        rows.append(
            MeetingRow(
                meeting,
                booking.start if booking else None,
                str(booking.venue) if booking and booking.venue else "",
                shown,
                len(papers) - len(shown),
            )
        )
    restricted.audit_reads([p for row in rows for p in row.papers], reader=user)
    return rows


def my_actions(user, person: Person | None) -> list[Action]:
    """The person's own open actions, in partnerships where the user is a partner member, the
    soonest due first (a restricted group's only while they may read it; each read audited)."""
    if person is None:
        return []
    partnership_ids = [
        p.pk for p, _ in my_partnerships(user) if allows(user, Permission.VIEW_MEMBER, p)
    ]
    items = [
        a
        for a in Action.objects.filter(
            owner=person, status=Action.Status.OPEN, partnership_id__in=partnership_ids
        )
        .select_related("group", "meeting", "partnership", "owner")
        .order_by("due", "pk")
        if restricted.may_read(user, a)
    ]
    restricted.audit_reads(items, reader=user)
    return items


@dataclass
class Approval:
    partnership: Partnership
    what: str
    title: str
    url: str
    waiting: str


def approvals(user, person: Person | None, today: dt.date) -> list[Approval]:
    """Drafts that await a decision of a group the user sits on (or, for those who approve in a
    partnership, of its strategy group): assessments and plan revisions not yet approved by the
    strategy group, and minutes of past meetings not yet approved."""
    out: list[Approval] = []
    sits = {g.pk: g for g in _my_groups(user, person, today)} if person is not None else {}
    for p, _ in my_partnerships(user):
        approver = allows(user, Permission.APPROVE, p)
        on_strategy = any(
            g.partnership_id == p.pk and g.kind == Group.Kind.STRATEGY for g in sits.values()
        )
        if approver or on_strategy:
            for a in Assessment.objects.filter(
                partnership=p,
                status__in=[Assessment.Status.DRAFT, Assessment.Status.REVIEWED],
            ).order_by("-built_at"):
                waiting = (
                    "Reviewed by the officer working group: awaits the strategy group's approval"
                    if a.status == Assessment.Status.REVIEWED
                    else "Draft: awaits review, then the strategy group's approval"
                )
                out.append(
                    Approval(
                        p,
                        a.get_kind_display(),
                        a.title,
                        reverse(
                            "intelligence:assessment-detail",
                            kwargs={"partnership": p.slug, "pk": a.pk},
                        ),
                        waiting,
                    )
                )
            for plan in Plan.objects.filter(partnership=p, status=Plan.Status.DRAFT).order_by(
                "-revision"
            ):
                out.append(
                    Approval(
                        p,
                        "Partnership plan",
                        f"{plan.title} (revision {plan.revision})",
                        reverse(
                            "plans:plan-detail",
                            kwargs={"partnership": p.slug, "revision": plan.revision},
                        ),
                        "Draft: awaits the strategy group's approval",
                    )
                )
        groups = [g for g in sits.values() if g.partnership_id == p.pk]
        if approver:
            groups += [
                g
                for g in p.groups.all()
                if g.pk not in sits and (not g.restricted or may_see_restricted(user, g))
            ]
        for minutes in (
            Minutes.objects.filter(
                meeting__group__in=groups, meeting__date__lt=today, approved=False
            )
            .exclude(text="")
            .select_related("meeting__group")
            .order_by("-meeting__date")[:10]
        ):
            meeting = minutes.meeting
            out.append(
                Approval(
                    p,
                    "Minutes",
                    f"{meeting.group.name}, {meeting.date:%-d %B %Y}",
                    reverse(
                        "meetings:minutes",
                        kwargs={"partnership": p.slug, "meeting_id": meeting.pk},
                    ),
                    "Written: await approval at the group's next meeting",
                )
            )
    return out


@dataclass
class Deadline:
    partnership: Partnership
    what: str
    due: dt.date | None
    last: str
    today: dt.date = field(repr=False, default_factory=dt.date.today)

    @property
    def days(self) -> int | None:
        return None if self.due is None else (self.due - self.today).days

    @property
    def state(self) -> str:
        """overdue, soon (within DUE_SOON_DAYS), ok, or unknown (nothing recorded here)."""
        if self.due is None:
            return "unknown"
        if self.due < self.today:
            return "overdue"
        return "soon" if self.days is not None and self.days <= DUE_SOON_DAYS else "ok"


def _latest(p: Partnership, kind: str, on: dt.date) -> tuple[bool, ev.Evidence | None]:
    """(whether any feature records `kind`, the newest record of it on or before `on`)."""
    found = ev.records(p, kind)
    if found is None:
        return False, None
    return True, next((e for e in found if e.date <= on), None)


def deadlines(p: Partnership, today: dt.date) -> list[Deadline]:
    """The statutory cycle's next dates, by the rules of `cdrp.partnerships.compliance`: the
    annual strategic assessment (12 months after the last approved), its six-month refresh,
    the annual revision of the partnership plan, and the yearly review of members' skills. A
    cycle with nothing recorded yet is due now (its date is today)."""
    out = []
    known, assessment = _latest(p, ev.STRATEGIC_ASSESSMENT, today)
    if not known:
        out.append(Deadline(p, "Annual strategic assessment", None, "Not recorded here", today))
    elif assessment is None:
        out.append(Deadline(p, "Annual strategic assessment", today, "None approved yet", today))
    else:
        out.append(
            Deadline(
                p,
                "Annual strategic assessment",
                assessment.date + compliance.YEAR,
                f"Last approved {assessment.date:%-d %B %Y}",
                today,
            )
        )
    refreshes = ev.records(p, ev.ASSESSMENT_REFRESH)
    if assessment is not None and refreshes is not None:
        done = next((r for r in refreshes if assessment.date < r.date <= today), None)
        if done is None:
            out.append(
                Deadline(
                    p,
                    "Six-month refresh of the assessment",
                    assessment.date + compliance.HALF_YEAR,
                    f"Assessment approved {assessment.date:%-d %B %Y}",
                    today,
                )
            )
    known, plan = _latest(p, ev.PARTNERSHIP_PLAN, today)
    if known:
        out.append(
            Deadline(
                p,
                "Annual revision of the partnership plan",
                plan.date + compliance.YEAR if plan else today,
                f"Last revised {plan.date:%-d %B %Y}" if plan else "No plan approved yet",
                today,
            )
        )
    known, skills = _latest(p, ev.SKILLS_REVIEW, today)
    out.append(
        Deadline(
            p,
            "Review of members' skills and knowledge",
            (skills.date + compliance.YEAR if skills else today) if known else None,
            (f"Last reviewed {skills.date:%-d %B %Y}" if skills else "None recorded yet")
            if known
            else "Not recorded here",
            today,
        )
    )
    return sorted(out, key=lambda d: (d.due is None, d.due or today))


@dataclass
class Freshness:
    force: str
    latest: str | None
    expected: str
    gaps: list[str]

    @property
    def latest_label(self) -> str:
        return label(self.latest) if self.latest else "None loaded"

    @property
    def behind(self) -> list[str]:
        """Months after the latest loaded up to the latest police.uk should have published."""
        if self.latest is None or Month.parse(self.latest) >= Month.parse(self.expected):
            return []
        return month_range(shift(self.latest, 1), self.expected)

    @property
    def missing(self) -> list[str]:
        return self.gaps + self.behind

    @property
    def gap_labels(self) -> list[str]:
        return [label(m) for m in self.gaps]

    @property
    def behind_label(self) -> str:
        """The months published since the latest loaded, as a span ("" when none)."""
        behind = self.behind
        return span_label(behind[0], behind[-1]) if behind else ""


def expected_month(today: dt.date) -> str:
    """The latest month police.uk can be expected to have published by `today`."""
    return shift(f"{today:%Y-%m}", -PUBLICATION_LAG_MONTHS)


def freshness(partnerships: list[Partnership], today: dt.date) -> list[Freshness]:
    """For each police force whose area holds the partnerships' districts: the latest police.uk
    month loaded, and the months missing (gaps between the first and latest loaded, and those
    published since the latest)."""
    from cdrp.intelligence.services import incident_store, partnership_forces
    from cdrp.store import coverage

    forces = set().union(*partnership_forces(partnerships).values()) if partnerships else set()
    if not forces:
        return []
    frame = coverage(incident_store())
    if len(frame):
        frame = frame[frame["source"] == "police-uk"]
    expected = expected_month(today)
    out = []
    for force in sorted(forces):
        rows = frame[frame["force"] == force] if len(frame) else frame
        held = rows[~rows["missing"]] if len(rows) else rows
        latest = str(held["month"].max()) if len(held) else None
        gaps = sorted(str(m) for m in rows[rows["missing"]]["month"]) if len(rows) else []
        out.append(Freshness(force.replace("-", " ").title(), latest, expected, gaps))
    return out
