"""JSON API for funding and commissioning: streams, allocations (with the figures behind each
share), projects (with budget, spend and outcome) and recording spend.

Members read everything of their partnership; everyone reads published streams and projects.
Coordinators (EDIT) record spend; a refusal (not approved, over budget, negative amount) is a
400 with the message naming the field. Money is integer pence, with pounds as text beside it.
"""

# No `from __future__ import annotations`: django-ninja reads the body schema's annotation
# through the policy decorator, which lives in another module.
import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from cdrp.accounts.api_auth import AUTH, allow, api_user
from cdrp.accounts.policy import Permission, allows
from cdrp.funding import queries as funding_queries
from cdrp.funding import services as funding
from cdrp.funding.checks import FundingError
from cdrp.funding.models import Allocation, Evaluation, Project
from cdrp.plans.money import MoneyError, format_pence, parse_pounds

router = Router(tags=["funding"])


def _anyone(request):
    return request.user


def _member(request) -> bool:
    return allows(api_user(request), Permission.VIEW_MEMBER, request.partnership)


class AllocationOut(Schema):
    partnership: str
    partnership_name: str
    amount_pence: int
    amount: str
    share: str | None
    basis: dict


class StreamOut(Schema):
    id: int
    name: str
    source: str
    financial_year: str
    held_by: str
    amount_pence: int
    amount: str
    conditions: str
    formula: dict
    published: bool
    allocated_pence: int
    allocations: list[AllocationOut]


class ProjectOut(Schema):
    id: int
    title: str
    description: str
    partnership: str
    joint_with: list[str]
    lead_organisation: str
    priority: str | None
    stream: str | None
    status: str
    start: dt.date | None
    end: dt.date | None
    approved_by: str | None
    budget_pence: int
    approved_variations_pence: int
    available_pence: int
    spent_pence: int
    remaining_pence: int
    budget: str
    available: str
    spent: str
    remaining: str
    verdict: str | None
    published: bool


class SpendOut(Schema):
    id: int
    project: int
    date: dt.date
    amount_pence: int
    amount: str
    description: str


class SpendIn(Schema):
    date: dt.date
    amount: str | None = None
    amount_pence: int | None = None
    description: str


def _allocation(a: Allocation) -> dict:
    return {
        "partnership": a.partnership.slug,
        "partnership_name": a.partnership.name,
        "amount_pence": a.amount_pence,
        "amount": format_pence(a.amount_pence),
        "share": str(a.share) if a.share is not None else None,
        "basis": a.basis or {},
    }


def _streams(request):
    return funding_queries.visible_streams(request.partnership, public=not _member(request))


def _stream(s) -> dict:
    allocations = list(s.allocations.select_related("partnership"))
    return {
        "id": s.pk,
        "name": s.name,
        "source": s.source,
        "financial_year": s.financial_year,
        "held_by": s.partnership.slug,
        "amount_pence": s.amount_pence,
        "amount": format_pence(s.amount_pence),
        "conditions": s.conditions,
        "formula": s.formula or {},
        "published": s.published,
        "allocated_pence": sum(a.amount_pence for a in allocations),
        "allocations": [_allocation(a) for a in allocations],
    }


def _project(p) -> dict:
    available = p.budget_pence + p.variations_pence
    evaluation = Evaluation.objects.filter(project=p).first()
    decision = p.approval_decision
    return {
        "id": p.pk,
        "title": p.title,
        "description": p.description,
        "partnership": p.partnership.slug,
        "joint_with": [j.slug for j in p.joint_with.all()],
        "lead_organisation": p.lead_organisation.name,
        "priority": p.priority.name if p.priority else None,
        "stream": f"{p.allocation.stream.name} {p.allocation.stream.financial_year}"
        if p.allocation
        else None,
        "status": p.status,
        "start": p.start,
        "end": p.end,
        "approved_by": f"{decision.meeting.group.name}, {decision.meeting.date:%Y-%m-%d}: "
        f"{decision.motion}"
        if decision
        else None,
        "budget_pence": p.budget_pence,
        "approved_variations_pence": p.variations_pence,
        "available_pence": available,
        "spent_pence": p.spent_pence,
        "remaining_pence": available - p.spent_pence,
        "budget": format_pence(p.budget_pence),
        "available": format_pence(available),
        "spent": format_pence(p.spent_pence),
        "remaining": format_pence(available - p.spent_pence),
        "verdict": evaluation.verdict if evaluation else None,
        "published": p.published,
    }


def _projects(request):
    return funding_queries.visible_projects(request.partnership, public=not _member(request))


@router.get(
    "/partnerships/{partnership}/funding/streams",
    response=list[StreamOut],
    auth=[*AUTH, _anyone],
)
@allow(Permission.VIEW_PUBLIC)
def stream_list(request, partnership: str):
    """Streams held by or allocated to the partnership, each with every allocation (published
    streams only for the public)."""
    return [_stream(s) for s in _streams(request)]


@router.get(
    "/partnerships/{partnership}/funding/streams/{pk}",
    response=StreamOut,
    auth=[*AUTH, _anyone],
)
@allow(Permission.VIEW_PUBLIC)
def stream_detail(request, partnership: str, pk: int):
    """One stream with its formula (data) and each allocation's basis: inputs, measure shares,
    exact share and quota, and the rounded amount."""
    return _stream(get_object_or_404(_streams(request), pk=pk))


@router.get(
    "/partnerships/{partnership}/funding/allocations",
    response=list[AllocationOut],
    auth=[*AUTH, _anyone],
)
@allow(Permission.VIEW_PUBLIC)
def allocation_list(request, partnership: str):
    """The partnership's own allocations from every (visible) stream."""
    queryset = Allocation.objects.filter(
        partnership=request.partnership, stream__in=_streams(request)
    ).select_related("partnership", "stream")
    return [_allocation(a) for a in queryset]


@router.get(
    "/partnerships/{partnership}/funding/projects",
    response=list[ProjectOut],
    auth=[*AUTH, _anyone],
)
@allow(Permission.VIEW_PUBLIC)
def project_list(request, partnership: str):
    """Projects the partnership commissions, alone or jointly, with budget, spend and outcome
    (published projects only for the public)."""
    return [_project(p) for p in _projects(request)]


@router.get(
    "/partnerships/{partnership}/funding/projects/{pk}",
    auth=[*AUTH, _anyone],
)
@allow(Permission.VIEW_PUBLIC)
def project_detail(request, partnership: str, pk: int):
    """One project: the figures, milestones, variations, evaluation and (members) spend lines."""
    member = _member(request)
    p = get_object_or_404(_projects(request), pk=pk)
    out = _project(p)
    out["milestones"] = [
        {"title": m.title, "due": m.due, "completed_on": m.completed_on} for m in p.milestones.all()
    ]
    out["variations"] = [
        {
            "amount_pence": v.amount_pence,
            "reason": v.reason,
            "approved": v.approved,
        }
        for v in p.variations.all()
    ]
    evaluation = Evaluation.objects.filter(project=p).first()
    out["evaluation"] = (
        {
            "method": evaluation.method,
            "categories": evaluation.categories,
            "target_areas": evaluation.target_areas,
            "buffer_areas": evaluation.buffer_areas,
            "control_areas": evaluation.control_areas,
            "before": [evaluation.before_start, evaluation.before_end],
            "after": [evaluation.after_start, evaluation.after_end],
            "verdict": evaluation.verdict,
            "result": evaluation.result,
            "evaluated_at": evaluation.evaluated_at,
        }
        if evaluation
        else None
    )
    if member:
        out["spend"] = [_spend(s) for s in p.spend.all()]
    return out


def _spend(s) -> dict:
    return {
        "id": s.pk,
        "project": s.project_id,
        "date": s.date,
        "amount_pence": s.amount_pence,
        "amount": format_pence(s.amount_pence),
        "description": s.description,
    }


@router.post(
    "/partnerships/{partnership}/funding/projects/{pk}/spend",
    response={201: SpendOut},
    auth=AUTH,
)
@allow(Permission.EDIT)
def record_spend(request, partnership: str, pk: int, body: SpendIn):
    """Record spend on an approved project the partnership leads. Give ``amount`` in pounds
    ("1,250.00") or ``amount_pence``. Refused (400, with the reason) when the project is not
    approved, the amount is negative, or spend would pass the budget and approved variations."""
    project = get_object_or_404(Project, partnership=request.partnership, pk=pk)
    if (body.amount is None) == (body.amount_pence is None):
        raise HttpError(400, "amount: give the amount in pounds or amount_pence, not both")
    if body.amount_pence is not None:
        pence = body.amount_pence
    else:
        try:
            pence = parse_pounds(body.amount or "", field="amount")
        except MoneyError as exc:
            raise HttpError(400, str(exc)) from None
    try:
        spend = funding.record_spend(project, body.date, pence, body.description)
    except FundingError as exc:
        raise HttpError(400, exc.message) from None
    return Status(201, _spend(spend))
