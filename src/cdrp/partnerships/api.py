"""JSON API for the partnership registry: structure, compliance, Popolo export, people, and
(coordinators) adding members. Decisions are recorded through `cdrp.meetings.api`.

Contact details (email, phone) are returned only to partner members of a partnership where the
person sits; public callers get names and roles only.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from cdrp.accounts.api_auth import AUTH, allow, anyone, api_user
from cdrp.accounts.policy import Permission, allows, may_edit_shared, may_see_contacts
from cdrp.partnerships import compliance, services
from cdrp.partnerships.exports import popolo_export
from cdrp.partnerships.models import Group, Membership, Partnership, Person, Seat

router = Router(tags=["registry"])


class PartnershipOut(Schema):
    slug: str
    name: str
    code: str
    status: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    force: str | None = None  # the police force area's ONS code
    force_name: str | None = None
    region: str | None = None  # the force area's region (or country) code
    region_name: str | None = None

    @staticmethod
    def resolve_force(p: Partnership) -> str | None:
        return p.force_area.code if p.force_area else None

    @staticmethod
    def resolve_force_name(p: Partnership) -> str | None:
        return p.force_area.name if p.force_area else None

    @staticmethod
    def resolve_region(p: Partnership) -> str | None:
        force = p.force_area
        return force.parent.code if force and force.parent else None

    @staticmethod
    def resolve_region_name(p: Partnership) -> str | None:
        force = p.force_area
        return force.parent.name if force and force.parent else None


@router.get(
    "/partnerships",
    response=list[PartnershipOut],
    auth=None,
    tags=["partnerships"],
    # The operation id it had when cdrp.api served it: unchanged for clients.
    operation_id="cdrp_api_list_partnerships",
)
@allow(Permission.VIEW_PUBLIC)
def list_partnerships(request):
    return list(
        Partnership.objects.select_related("force__parent").prefetch_related(
            "districts__parent__parent"
        )
    )


class MemberOut(Schema):
    person: str
    name: str
    role: str
    start: dt.date | None
    end: dt.date | None
    senior: bool
    portfolio_holder: bool


class SeatOut(Schema):
    id: int
    label: str
    organisation: str | None
    council_area: str | None
    body: str
    voting: bool
    statutory: bool
    members: list[MemberOut]


class GroupOut(Schema):
    slug: str
    name: str
    short_name: str
    kind: str
    reports_to: str | None
    meeting_frequency: str
    meeting_hours: float
    quorum: int
    chair_casting_vote: bool
    terms_of_reference: str
    seats: list[SeatOut]


class StructureOut(Schema):
    partnership: str
    name: str
    status: str
    on: dt.date
    groups: list[GroupOut]


def _partnership(request) -> Partnership:
    return request.partnership


def _reference(g: Group, partnership_id: int) -> str:
    """A group as the structure file names it: its slug, or `partnership/slug` for another
    partnership's group (a joint group, the county strategy group)."""
    return g.slug if g.partnership_id == partnership_id else f"{g.partnership.slug}/{g.slug}"


def _group_out(g: Group, on: dt.date) -> dict:
    current: dict[int, list[Membership]] = {}
    for m in Membership.objects.current(on).filter(seat__group=g).select_related("person"):
        current.setdefault(m.seat_id, []).append(m)
    seats = []
    for s in g.seats.select_related("organisation", "council_area").order_by("position", "pk"):
        if not s.is_open(on):
            continue  # the structure on that date: a seat closed or not yet opened is not in it
        seats.append(
            {
                "id": s.pk,
                "label": s.label,
                "organisation": s.organisation.slug if s.organisation is not None else None,
                "council_area": s.council_area.code if s.council_area is not None else None,
                "body": s.body_label,
                "voting": s.voting,
                "statutory": s.statutory,
                "members": [
                    {
                        "person": m.person.slug,
                        "name": m.person.name,
                        "role": m.role,
                        "start": m.start,
                        "end": m.end,
                        "senior": m.senior,
                        "portfolio_holder": m.portfolio_holder,
                    }
                    for m in current.get(s.pk, [])
                ],
            }
        )
    return {
        "slug": g.slug,
        "name": g.name,
        "short_name": g.short_name,
        "kind": g.kind,
        "reports_to": _reference(g.reports_to, g.partnership_id) if g.reports_to else None,
        "meeting_frequency": g.meeting_frequency,
        "meeting_hours": float(g.meeting_hours),
        "quorum": g.required_quorum(on),
        "chair_casting_vote": g.chair_casting_vote,
        "terms_of_reference": g.terms_of_reference,
        "seats": seats,
    }


@router.get("/partnerships/{partnership}/structure", response=StructureOut, auth=None)
@allow(Permission.VIEW_PUBLIC)
def structure(request, partnership: str, on: dt.date | None = None):
    """The partnership's groups (with the joint groups serving it), reporting lines, seats and
    members on a date (default today)."""
    p = _partnership(request)
    on = on or dt.date.today()
    groups = (
        p.all_groups()
        .select_related("partnership", "reports_to__partnership")
        .order_by("position", "name")
    )
    return {
        "partnership": p.slug,
        "name": p.name,
        "status": p.status,
        "on": on,
        "groups": [_group_out(g, on) for g in groups],
    }


class LawOut(Schema):
    """A dated provision of the law a finding applied, with its citation."""

    kind: str
    role: str
    in_force_from: str
    in_force_to: str | None
    citation: str
    url: str


class FindingOut(Schema):
    rule: str
    title: str
    statement: str
    source: str
    severity: str
    status: str
    summary: str
    problems: list[str]
    evidence: list[str]
    law: list[LawOut]


@router.get("/partnerships/{partnership}/compliance", response=list[FindingOut], auth=None)
@allow(Permission.VIEW_PUBLIC)
def compliance_findings(request, partnership: str, on: dt.date | None = None):
    """Each statutory rule's finding with its evidence ("no_evidence" is not a pass)."""
    return [f.as_data() for f in compliance.evaluate(_partnership(request), on)]


@router.get("/partnerships/{partnership}/popolo", response=dict, auth=[*AUTH, anyone])
@allow(Permission.VIEW_PUBLIC)
def popolo(request, partnership: str):
    """Persons, organizations, posts and memberships as Popolo JSON; contact details for partner
    members only."""
    p = _partnership(request)
    return popolo_export(p, include_contacts=allows(api_user(request), Permission.VIEW_MEMBER, p))


class PersonSeatOut(Schema):
    partnership: str
    group: str
    group_name: str
    seat: str
    role: str
    start: dt.date | None
    meetings_per_year: int
    hours_per_year: float


class PersonOut(Schema):
    slug: str
    name: str
    job_title: str
    organisation: str | None
    email: str | None = None
    phone: str | None = None
    seats: list[PersonSeatOut]
    meetings_per_year: int
    hours_per_year: float


@router.get("/people/{person}", response=PersonOut, auth=[*AUTH, anyone])
@allow(Permission.VIEW_PUBLIC, partnership_arg=None)
def person_detail(request, person: str):
    """A person's current seats and meeting load; email and phone for partner members only."""
    x = get_object_or_404(Person.objects.select_related("organisation"), slug=person)
    on = dt.date.today()
    memberships = (
        Membership.objects.current(on)
        .filter(person=x)
        .exclude(seat__group__partnership__status=Partnership.Status.HISTORICAL)
        .select_related("seat", "seat__organisation", "seat__group", "seat__group__partnership")
    )
    seats, seen = [], set()
    for m in memberships:
        g = m.seat.group
        first = g.pk not in seen
        seen.add(g.pk)
        meetings = g.meetings_per_year if first else 0
        seats.append(
            {
                "partnership": g.partnership.slug,
                "group": g.slug,
                "group_name": g.name,
                "seat": str(m.seat),
                "role": m.role,
                "start": m.start,
                "meetings_per_year": meetings,
                "hours_per_year": float(meetings * g.meeting_hours),
            }
        )
    contacts = may_see_contacts(api_user(request), x)
    return {
        "slug": x.slug,
        "name": x.name,
        "job_title": x.job_title,
        "organisation": x.organisation.slug if x.organisation is not None else None,
        "email": x.email if contacts else None,
        "phone": x.phone if contacts else None,
        "seats": seats,
        "meetings_per_year": sum(s["meetings_per_year"] for s in seats),
        "hours_per_year": sum(s["hours_per_year"] for s in seats),
    }


class MembershipIn(Schema):
    seat: int
    person: str
    role: str = "member"
    start: dt.date | None = None
    end: dt.date | None = None
    senior: bool = False
    portfolio_holder: bool = False


def _refuse(exc: ValidationError):
    raise HttpError(400, " ".join(exc.messages)) from None


@router.post(
    "/partnerships/{partnership}/groups/{group}/memberships",
    response={201: MemberOut},
    auth=AUTH,
)
@allow(Permission.EDIT)
def add_membership(request, partnership: str, group: str, body: MembershipIn):
    """Put a person in one of the group's seats (coordinators)."""
    g = get_object_or_404(Group, partnership=_partnership(request), slug=group)
    if g.is_joint and not may_edit_shared(api_user(request), g):
        # A joint group changes for every partnership it serves: a coordinator of all of them.
        raise HttpError(
            403,
            f"group: {g.name} serves several partnerships; only someone who edits for all "
            "of them may change it",
        )
    seat = Seat.objects.filter(group=g, pk=body.seat).first()
    if seat is None:
        raise HttpError(400, f"seat: {g.name} has no seat {body.seat}")
    person = Person.objects.filter(slug=body.person).first()
    if person is None:
        raise HttpError(400, f"person: no person {body.person!r}")
    if body.role not in Membership.Role.values:
        raise HttpError(
            400, f"role: {body.role!r} is not one of {', '.join(Membership.Role.values)}"
        )
    try:
        m = services.add_membership(
            seat,
            person,
            role=body.role,
            start=body.start,
            end=body.end,
            senior=body.senior,
            portfolio_holder=body.portfolio_holder,
        )
    except ValidationError as exc:
        _refuse(exc)
    return Status(
        201,
        {
            "person": person.slug,
            "name": person.name,
            "role": m.role,
            "start": m.start,
            "end": m.end,
            "senior": m.senior,
            "portfolio_holder": m.portfolio_holder,
        },
    )
