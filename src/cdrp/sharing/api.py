"""JSON API of restricted information: the agreements register (the public list's fields for
anyone; bases, datasets, retention and status for the partnership's members too), the cohort's
and the case lists' aggregates for members (suppressed for every reader, as the issue asks of
member outputs),
and the person-level records for the current members of their restricted group only.

A person-level answer is a read: it needs a `reason` (the API's form of the question the pages
ask once per session) and every record in it is one audit event, however many times it is
listed (`cdrp.sharing.cohorts.read`). A record the reader may not read is a 404, as on the pages;
a list shows only the records the reader may read, under an agreement covering the register for
them (`may_see_dataset`).
"""

# No `from __future__ import annotations`: django-ninja reads the annotations at import.
import datetime as dt
from collections import Counter

from ninja import Router, Schema
from ninja.errors import HttpError

from cdrp.accounts.api_auth import AUTH, allow, api_user
from cdrp.accounts.policy import (
    SUPPRESSED,
    Permission,
    allows,
    may_read_restricted_record,
    may_see_dataset,
    suppress_below,
)
from cdrp.sharing import cohorts
from cdrp.sharing.agreements import public_agreements
from cdrp.sharing.models import Agreement, Case, CohortMember, Dataset

router = Router(tags=["sharing"])

__all__ = ["router", "case_counts"]


def _anyone(request):
    return request.user


class AgreementOut(Schema):
    id: int
    title: str
    purpose: str
    parties: list[str]
    signed_on: dt.date | None
    starts: dt.date
    ends: dt.date | None
    review_date: dt.date
    # For the partnership's members only (null for everyone else):
    status: str | None = None
    legal_basis: str | None = None
    protection_basis: str | None = None
    datasets: list[str] | None = None
    personal: str | None = None
    retention: str | None = None


class BinaryOut(Schema):
    rate: float | None
    low: float | None
    high: float | None


class CohortSummaryOut(Schema):
    start: dt.date
    end: dt.date
    members: int | str
    reoffenders: int | str
    offences: int | str
    binary: BinaryOut | None
    frequency: BinaryOut | None
    suppressed_below: int


class CaseCountsOut(Schema):
    kind: str
    open: int | str
    review_overdue: int | str
    closed_in_year: int | str


class OffenceOut(Schema):
    id: int
    offence_date: dt.date
    category: str
    reference: str
    supplied_by: str | None


class CohortMemberOut(Schema):
    id: int
    group: str
    name: str
    date_of_birth: dt.date | None
    references: str
    strand: str
    entered: dt.date
    left: dt.date | None
    lead_officer: str | None
    agencies: list[str]
    offences: list[OffenceOut] | None = None


class CaseActionOut(Schema):
    id: int
    text: str
    agency: str | None
    due: dt.date
    done: bool


class CaseOut(Schema):
    id: int
    group: str
    kind: str
    subject_name: str
    subject_date_of_birth: dt.date | None
    references: str
    summary: str
    opened: dt.date
    review_date: dt.date
    closed: dt.date | None
    actions: list[CaseActionOut] | None = None


def _agreement(a: Agreement, member: bool) -> dict:
    out = {
        "id": a.pk,
        "title": a.title,
        "purpose": a.purpose,
        "parties": sorted(o.name for o in a.parties.all()),
        "signed_on": a.signed_on,
        "starts": a.starts,
        "ends": a.ends,
        "review_date": a.review_date,
    }
    if member:
        out.update(
            status=a.status,
            legal_basis=a.get_legal_basis_display(),
            protection_basis=a.get_protection_basis_display(),
            datasets=list(a.datasets),
            personal=a.personal,
            retention=a.retention,
        )
    return out


@router.get(
    "/partnerships/{partnership}/agreements",
    response=list[AgreementOut],
    auth=[*AUTH, _anyone],
    summary="Information sharing agreements (the public list; more for members)",
)
@allow(Permission.VIEW_PUBLIC)
def agreement_list(request, partnership: str):
    p = request.partnership
    member = allows(api_user(request), Permission.VIEW_MEMBER, p)
    rows = Agreement.objects.filter(partnership=p) if member else public_agreements(p)
    return [_agreement(a, member) for a in rows.prefetch_related("parties")]


def _last_year(today: dt.date) -> tuple[dt.date, dt.date]:
    return today.replace(year=today.year - 1) + dt.timedelta(days=1), today


@router.get(
    "/partnerships/{partnership}/cohort/summary",
    response=CohortSummaryOut,
    auth=AUTH,
    summary="The offender cohort's re-offending in the last year: aggregates, suppressed",
)
@allow(Permission.VIEW_MEMBER)
def cohort_summary(request, partnership: str):
    p = request.partnership
    start, end = _last_year(dt.date.today())
    # Suppressed for every reader: the register's members read the records themselves.
    s = cohorts.cohort_summary(p, start, end, exact=False)

    def interval(x):
        return None if x is None else {"rate": x.rate, "low": x.low, "high": x.high}

    return {**s, "binary": interval(s["binary"]), "frequency": interval(s["frequency"])}


def case_counts(partnership, today: dt.date, exact: bool = False) -> list[dict]:
    """Per kind of case list: cases open, open past their review date, closed in the last year.
    Counts below the threshold are withheld unless `exact`. No field of a case is read but its
    kind and dates (no key needed)."""
    threshold = suppress_below()
    start, _ = _last_year(today)
    opened: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    rows = Case.objects.filter(partnership=partnership).values_list("kind", "review_date", "closed")
    for kind, review, shut in rows:
        if shut is None:
            opened[kind] += 1
            overdue[kind] += review < today
        elif start <= shut <= today:
            closed[kind] += 1

    def shown(n: int) -> int | str:
        return SUPPRESSED if not exact and 0 < n < threshold else n

    return [
        {
            "kind": kind,
            "open": shown(opened[kind]),
            "review_overdue": shown(overdue[kind]),
            "closed_in_year": shown(closed[kind]),
        }
        for kind in Case.Kind.values
    ]


@router.get(
    "/partnerships/{partnership}/cases/summary",
    response=list[CaseCountsOut],
    auth=AUTH,
    summary="The case lists (MARAC, MATAC, ASB case review): counts per kind, suppressed",
)
@allow(Permission.VIEW_MEMBER)
def case_summary(request, partnership: str):
    return case_counts(request.partnership, dt.date.today(), exact=False)


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())[:300]
    if len(reason) < 5:
        raise HttpError(400, "reason: say why you need to read these records (a few words)")
    return reason


def _member(m: CohortMember, offences=None) -> dict:
    out = {
        "id": m.pk,
        "group": m.group.slug,
        "name": m.name,
        "date_of_birth": m.date_of_birth,
        "references": m.references,
        "strand": m.strand,
        "entered": m.entered,
        "left": m.left,
        "lead_officer": m.lead_officer.name if m.lead_officer else None,
        "agencies": sorted(o.name for o in m.agencies.all()),
    }
    if offences is not None:
        out["offences"] = [
            {"id": o.pk, "offence_date": o.offence_date, "category": o.category,
             "reference": o.reference, "supplied_by": o.supplied_by.name if o.supplied_by else None}
            for o in offences
        ]  # fmt: skip
    return out


def _case(c: Case, actions=None) -> dict:
    out = {
        "id": c.pk,
        "group": c.group.slug,
        "kind": c.kind,
        "subject_name": c.subject_name,
        "subject_date_of_birth": c.subject_date_of_birth,
        "references": c.references,
        "summary": c.summary,
        "opened": c.opened,
        "review_date": c.review_date,
        "closed": c.closed,
    }
    if actions is not None:
        out["actions"] = [
            {"id": a.pk, "text": a.text, "agency": a.agency.name if a.agency else None,
             "due": a.due, "done": a.done}
            for a in actions
        ]  # fmt: skip
    return out


@router.get(
    "/partnerships/{partnership}/cohort/members",
    response=list[CohortMemberOut],
    auth=AUTH,
    summary="The cohort register: its group's members only; every record returned is audited",
)
@allow(Permission.VIEW_MEMBER)
def cohort_members(request, partnership: str, reason: str = ""):
    p, user = request.partnership, api_user(request)
    why = _reason(reason)
    if not may_see_dataset(user, p, Dataset.COHORT):
        return []
    rows = list(cohorts.visible_members(user, p).prefetch_related("agencies"))
    cohorts.read(rows, user, why)
    return [_member(m) for m in rows]


@router.get(
    "/partnerships/{partnership}/cohort/members/{cohort_member}",
    response=CohortMemberOut,
    auth=AUTH,
    summary="One cohort member with their offences: the group's members only; audited",
)
@allow(Permission.VIEW_MEMBER)
def cohort_member(request, partnership: str, cohort_member: int, reason: str = ""):
    p, user = request.partnership, api_user(request)
    record = CohortMember.objects.filter(partnership=p, pk=cohort_member).first()
    if (
        record is None
        or not may_read_restricted_record(user, record, p)
        or not may_see_dataset(user, p, Dataset.COHORT)
    ):
        raise HttpError(404, "No such record in this partnership")
    why = _reason(reason)  # after the record is found: a 400 says nothing of another's record
    offences = list(record.offences.select_related("supplied_by"))
    cohorts.read([record, *offences], user, why)
    return _member(record, offences)


@router.get(
    "/partnerships/{partnership}/cases",
    response=list[CaseOut],
    auth=AUTH,
    summary="The case lists: each case's group's members only; every record returned is audited",
)
@allow(Permission.VIEW_MEMBER)
def case_list(request, partnership: str, reason: str = ""):
    p, user = request.partnership, api_user(request)
    why = _reason(reason)
    if not may_see_dataset(user, p, Dataset.CASES):
        return []
    rows = list(cohorts.visible_cases(user, p).select_related("group"))
    cohorts.read(rows, user, why)
    return [_case(c) for c in rows]


@router.get(
    "/partnerships/{partnership}/cases/{case}",
    response=CaseOut,
    auth=AUTH,
    summary="One case with its actions: the case's group's members only; audited",
)
@allow(Permission.VIEW_MEMBER)
def case_detail(request, partnership: str, case: int, reason: str = ""):
    p, user = request.partnership, api_user(request)
    record = Case.objects.filter(partnership=p, pk=case).select_related("group").first()
    if (
        record is None
        or not may_read_restricted_record(user, record, p)
        or not may_see_dataset(user, p, Dataset.CASES)
    ):
        raise HttpError(404, "No such record in this partnership")
    why = _reason(reason)
    actions = list(record.actions.select_related("agency"))
    cohorts.read([record, *actions], user, why)
    return _case(record, actions)
