"""Funding and commissioning, the writes: streams, formula and set allocations, projects,
spend, variations and milestones. Each operation is one transaction; bad input is refused with
a `FundingError` naming the field, before anything is written.

The money rules: every amount is whole pence and never negative; a stream's allocations never add
to more than the stream; the projects funded from an allocation never budget more than it; spend
on a project never passes its budget plus its approved variations; and money is spent only on a
project the partnership's strategy group has approved by a carried decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cdrp.analysis.allocation import FormulaError, decimal_text, parse_formula, split
from cdrp.funding.checks import (
    FundingError,
    check_decision,
    checked_amount,
    checked_text,
    lock,
)
from cdrp.funding.models import Allocation, FundingStream, Milestone, Project, Spend, Variation
from cdrp.funding.queries import figures
from cdrp.funding.store import formula_inputs
from cdrp.meetings.models import Decision
from cdrp.partnerships.models import Organisation, Partnership
from cdrp.plans.models import Priority
from cdrp.plans.money import format_pence

__all__ = [
    "add_milestone",
    "add_variation",
    "allocate",
    "allocate_by_formula",
    "approve_project",
    "approve_variation",
    "complete_milestone",
    "complete_project",
    "create_project",
    "create_stream",
    "publish_project",
    "publish_stream",
    "record_spend",
]


def _financial_year(value) -> str:
    text = (value or "").strip()
    ok = (
        len(text) == 7
        and text[4] == "/"
        and text[:4].isdigit()
        and text[5:].isdigit()
        and (int(text[:4]) + 1) % 100 == int(text[5:])
    )
    if not ok:
        raise FundingError(
            "financial_year",
            f"Financial year: expected the form YYYY/YY, such as 2023/24, got {text!r}",
        )
    return text


def _formula(data) -> dict:
    if not data:
        return {}
    try:
        return parse_formula(data).as_data()
    except FormulaError as exc:
        raise FundingError(f"formula.{exc.field}", f"Formula: {exc}") from None


@transaction.atomic
def create_stream(
    partnership: Partnership,
    *,
    name: str,
    source: str,
    financial_year: str,
    amount_pence: int,
    conditions: str = "",
    formula: dict | None = None,
) -> FundingStream:
    """A funding stream held by `partnership` (a district partnership or the county group)."""
    stream = FundingStream(
        partnership=partnership,
        name=checked_text(name, "name", limit=200),
        source=checked_text(source, "source", limit=200),
        financial_year=_financial_year(financial_year),
        amount_pence=checked_amount(amount_pence, "amount_pence"),
        conditions=(conditions or "").strip(),
        formula=_formula(formula),
    )
    if FundingStream.objects.filter(
        partnership=partnership, name=stream.name, financial_year=stream.financial_year
    ).exists():
        raise FundingError(
            "name",
            f"Name: {partnership.name} already holds “{stream.name}” for {stream.financial_year}",
        )
    stream.save()
    return stream


def _projects_total(allocation: Allocation, exclude: Project | None = None) -> int:
    queryset = allocation.projects.all()
    if exclude is not None and exclude.pk:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.aggregate(t=Sum("budget_pence"))["t"] or 0


def _check_allocation_covers_projects(allocation: Allocation, amount: int) -> None:
    if allocation.pk is None:
        return
    budgets = _projects_total(allocation)
    if budgets > amount:
        raise FundingError(
            "amount",
            f"Amount: {allocation.partnership.name}'s projects funded from “{allocation.stream}” "
            f"have budgets of {format_pence(budgets)}, more than the {format_pence(amount)} it "
            "would receive: reduce the projects' budgets first",
        )


@transaction.atomic
def allocate_by_formula(
    stream: FundingStream,
    partnerships: Iterable[Partnership],
    formula: dict,
    store,
    *,
    decision: Decision | None = None,
) -> list[Allocation]:
    """Split the stream between `partnerships` by `formula` (data), replacing its allocations.

    Each allocation stores its exact share and a basis: the formula, the partnership's inputs
    and its districts' figures, each measure's share, the exact quota in pence and the amount
    after largest-remainder rounding; the amounts add to the stream exactly. With `decision`,
    the holder's strategy group's carried decision that agreed the split is recorded on each.
    """
    stream = lock(stream)
    partnerships = list(partnerships)
    if not partnerships:
        raise FundingError("partnerships", "Partnerships: choose at least one partnership")
    if len({p.pk for p in partnerships}) != len(partnerships):
        raise FundingError("partnerships", "Partnerships: a partnership is listed twice")
    data = _formula(formula)
    if not data:
        raise FundingError("formula.weights", "Formula: give the formula's weights")
    if decision is not None:
        check_decision(decision, stream.partnership, "the split")
    try:
        inputs, read = formula_inputs(partnerships, data, store)
        result = split(stream.amount_pence, inputs, data["weights"])
    except FormulaError as exc:
        raise FundingError(f"formula.{exc.field}", f"Formula: {exc}") from None

    existing = {a.partnership_id: a for a in stream.allocations.select_related("partnership")}
    keep = {p.pk for p in partnerships}
    for pid, allocation in existing.items():
        if pid not in keep and allocation.projects.exists():
            raise FundingError(
                "partnerships",
                f"Partnerships: {allocation.partnership.name}'s allocation funds projects, so "
                "it cannot be left out of the split",
            )
    for p in partnerships:
        if p.pk in existing:
            _check_allocation_covers_projects(existing[p.pk], result.amounts[p.slug])

    out = []
    for pid, allocation in existing.items():
        if pid not in keep:
            allocation.delete()
    for p in partnerships:
        basis = {
            "method": "formula",
            "formula": data,
            "population_year": read.get("population_year"),
            "crime_period": read.get("crime_period"),
            "crime_categories": read.get("crime_categories"),
            "districts": read["districts"][p.slug],
            "recipients": len(partnerships),
            **result.basis(p.slug),
        }
        share = Decimal(decimal_text(result.shares[p.slug], 10))
        allocation = existing.get(p.pk) or Allocation(stream=stream, partnership=p)
        changed = (
            allocation.pk is None
            or allocation.amount_pence != result.amounts[p.slug]
            or allocation.share != share
            or allocation.basis != basis
            or (decision is not None and allocation.decision_id != decision.pk)
        )
        allocation.amount_pence = result.amounts[p.slug]
        allocation.share = share
        allocation.basis = basis
        if decision is not None:
            allocation.decision = decision
        if changed:
            allocation.save()
        out.append(allocation)
    if stream.formula != data:
        stream.formula = data
        stream.save()
    return out


@transaction.atomic
def allocate(
    stream: FundingStream,
    partnership: Partnership,
    amount_pence: int,
    *,
    decision: Decision | None = None,
    note: str = "",
) -> Allocation:
    """Give `partnership` a set amount of the stream (replacing its earlier allocation)."""
    stream = lock(stream)
    amount = checked_amount(amount_pence, "amount")
    if decision is not None:
        check_decision(decision, stream.partnership, "the allocation")
    others = (
        stream.allocations.exclude(partnership=partnership).aggregate(t=Sum("amount_pence"))["t"]
        or 0
    )
    if others + amount > stream.amount_pence:
        raise FundingError(
            "amount",
            f"Amount: allocations would total {format_pence(others + amount)}, more than the "
            f"stream's {format_pence(stream.amount_pence)}",
        )
    allocation = stream.allocations.filter(partnership=partnership).first() or Allocation(
        stream=stream, partnership=partnership
    )
    _check_allocation_covers_projects(allocation, amount)
    allocation.amount_pence = amount
    allocation.share = (
        Decimal(decimal_text(Fraction(amount, stream.amount_pence), 10))
        if (stream.amount_pence)
        else None
    )
    allocation.basis = {"method": "manual", "note": (note or "").strip()}
    if decision is not None:
        allocation.decision = decision
    allocation.save()
    return allocation


@transaction.atomic
def publish_stream(stream: FundingStream, published: bool = True) -> FundingStream:
    """Show the stream and its allocations on the public transparency pages (or withdraw it)."""
    stream = lock(stream)
    stream.published = published
    stream.published_at = timezone.now() if published else None
    stream.save()
    return stream


# --- projects --------------------------------------------------------------------------------


@transaction.atomic
def create_project(
    partnership: Partnership,
    *,
    title: str,
    lead_organisation: Organisation,
    budget_pence: int,
    description: str = "",
    priority: Priority | None = None,
    allocation: Allocation | None = None,
    joint_with: Iterable[Partnership] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Project:
    """A project commissioned by `partnership` (and jointly by `joint_with`), proposed until the
    strategy group approves it."""
    title = checked_text(title, "title", limit=200)
    if not isinstance(lead_organisation, Organisation):
        raise FundingError(
            "lead_organisation", "Lead organisation: choose the organisation that leads the project"
        )
    budget = checked_amount(budget_pence, "budget")
    joint = [p for p in joint_with if p.pk != partnership.pk]
    commissioners = {partnership.pk, *(p.pk for p in joint)}
    if priority is not None and priority.plan.partnership_id not in commissioners:
        raise FundingError(
            "priority",
            f"Priority: “{priority}” is a priority of {priority.plan.partnership.name}'s plan, "
            "not of a partnership commissioning this project",
        )
    if allocation is not None:
        allocation = lock(allocation)
        if allocation.partnership_id not in commissioners:
            raise FundingError(
                "allocation",
                f"Allocation: “{allocation.stream}” is allocated to "
                f"{allocation.partnership.name}, not to a partnership commissioning this project",
            )
        committed = _projects_total(allocation)
        if committed + budget > allocation.amount_pence:
            raise FundingError(
                "budget",
                f"Budget: projects funded from {allocation.partnership.name}'s allocation of "
                f"“{allocation.stream}” would total {format_pence(committed + budget)}, more than "
                f"the allocation's {format_pence(allocation.amount_pence)} "
                f"({format_pence(allocation.amount_pence - committed)} is uncommitted)",
            )
    if start and end and end < start:
        raise FundingError("end", "End: the end date must be on or after the start date")
    project = Project(
        partnership=partnership,
        title=title,
        description=(description or "").strip(),
        lead_organisation=lead_organisation,
        priority=priority,
        allocation=allocation,
        budget_pence=budget,
        start=start,
        end=end,
    )
    project.save()
    if joint:
        project.joint_with.set(joint)
    return project


@transaction.atomic
def approve_project(project: Project, decision: Decision) -> Project:
    """Record the strategy group's carried decision approving the project's spend."""
    project = lock(project)
    check_decision(decision, project.partnership, f"“{project.title}”")
    if project.status != Project.Status.PROPOSED:
        raise FundingError(
            "decision", f"“{project.title}” is already {project.get_status_display().lower()}"
        )
    project.approval_decision = decision
    project.status = Project.Status.APPROVED
    project.save()
    return project


@transaction.atomic
def complete_project(project: Project) -> Project:
    project = lock(project)
    if project.status not in (Project.Status.APPROVED, Project.Status.ACTIVE):
        raise FundingError(
            "",
            f"“{project.title}” is {project.get_status_display().lower()}: only an approved "
            "project can be completed",
        )
    project.status = Project.Status.COMPLETE
    project.save()
    return project


@transaction.atomic
def publish_project(project: Project, published: bool = True) -> Project:
    """Show the project (budget, spend, outcome) on the public transparency page."""
    project = lock(project)
    if published and project.approval_decision_id is None:
        raise FundingError(
            "", f"“{project.title}” is not approved: only approved projects are published"
        )
    project.published = published
    project.save()
    return project


@transaction.atomic
def record_spend(project: Project, date: dt.date, amount_pence: int, description: str) -> Spend:
    """Record money spent on an approved project, within its budget and approved variations."""
    project = lock(project)
    if project.approval_decision_id is None or project.status == Project.Status.PROPOSED:
        raise FundingError(
            "project",
            f"“{project.title}” is not approved: the strategy group must approve it by a "
            "carried decision before spend is recorded",
        )
    amount = checked_amount(amount_pence, "amount", positive=True)
    description = checked_text(description, "description", limit=300)
    if not isinstance(date, dt.date):
        raise FundingError("date", "Date: enter the date of the spend")
    if date > timezone.localdate():
        raise FundingError("date", f"Date: {date:%-d %B %Y} is in the future")
    f = figures(project)
    if f.spent + amount > f.available:
        raise FundingError(
            "amount",
            f"Amount: spend would reach {format_pence(f.spent + amount)} against a budget of "
            f"{format_pence(f.budget)} ({format_pence(f.available)} with approved variations): "
            "record and approve a variation first",
        )
    spend = Spend(project=project, date=date, amount_pence=amount, description=description)
    spend.save()
    if project.status == Project.Status.APPROVED:
        project.status = Project.Status.ACTIVE
        project.save()
    return spend


@transaction.atomic
def add_variation(project: Project, amount_pence: int, reason: str) -> Variation:
    """Propose an increase to the budget; it counts once the strategy group approves it."""
    amount = checked_amount(amount_pence, "amount", positive=True)
    reason = checked_text(reason, "reason")
    variation = Variation(project=project, amount_pence=amount, reason=reason)
    variation.save()
    return variation


@transaction.atomic
def approve_variation(variation: Variation, decision: Decision) -> Variation:
    variation = lock(variation)
    if variation.approved:
        raise FundingError("decision", "This variation is already approved")
    check_decision(decision, variation.project.partnership, "the variation")
    variation.approved = True
    variation.decision = decision
    variation.save()
    return variation


@transaction.atomic
def add_milestone(project: Project, title: str, due: dt.date) -> Milestone:
    title = checked_text(title, "title", limit=200)
    if not isinstance(due, dt.date):
        raise FundingError("due", "Due: enter the date the milestone is due")
    milestone = Milestone(project=project, title=title, due=due)
    milestone.save()
    return milestone


@transaction.atomic
def complete_milestone(milestone: Milestone, on: dt.date | None = None) -> Milestone:
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise FundingError("completed_on", f"Completed on: {on:%-d %B %Y} is in the future")
    milestone.completed_on = on
    milestone.save()
    return milestone
