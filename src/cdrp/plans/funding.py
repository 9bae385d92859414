"""Funding and commissioning: streams, formula allocations, projects, spend, variations,
milestones and evaluations. Each operation is one transaction; bad input is refused with a
`FundingError` naming the field, before anything is written.

The money rules: every amount is whole pence and never negative; a stream's allocations never add
to more than the stream; the projects funded from an allocation never budget more than it; spend
on a project never passes its budget plus its approved variations; and money is spent only on a
project the partnership's strategy group has approved by a carried decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from cdrp.analysis.allocation import FormulaError, decimal_text, parse_formula, split
from cdrp.meetings.models import Decision
from cdrp.partnerships.models import Group, Organisation, Partnership
from cdrp.plans.models import (
    Allocation,
    Evaluation,
    FundingStream,
    Milestone,
    Priority,
    Project,
    Spend,
    Variation,
)
from cdrp.plans.money import format_pence

__all__ = [
    "FundingError",
    "ProjectFigures",
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
    "evaluate",
    "figures",
    "formula_inputs",
    "net_change",
    "publish_project",
    "publish_stream",
    "record_spend",
    "set_evaluation",
    "strategy_decisions",
    "visible_projects",
    "visible_streams",
    "with_figures",
]

#: Evaluation verdicts are judged at this level (two-sided), as the assessment's changes are.
ALPHA = 0.05
ASB = "anti-social-behaviour"


class FundingError(ValidationError):
    """Refused funding input; `field` names the field at fault (or None for the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return self.message


def _lock(record):
    """Lock the record's row for the rest of the transaction and reload it in place, so the
    caller's object sees the stored values (and then the service's changes)."""
    type(record).objects.select_for_update().filter(pk=record.pk).first()
    record.refresh_from_db()
    return record


def _money(pence: int) -> str:
    return format_pence(pence)


def _amount(value, field: str, *, positive: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FundingError(f"{_label(field)}: expected whole pence, got {value!r}", field)
    if value < 0:
        raise FundingError(
            f"{_label(field)} must not be negative: got {format_pence(value)}", field
        )
    if positive and value == 0:
        raise FundingError(f"{_label(field)} must be more than £0.00", field)
    return value


def _label(field: str) -> str:
    return field.replace("_pence", "").replace("_", " ").capitalize()


def _text(value, field: str, *, limit: int | None = None, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise FundingError(f"{_label(field)}: enter the {field.replace('_', ' ')}", field)
    if limit and len(text) > limit:
        raise FundingError(f"{_label(field)} must be {limit} characters or fewer", field)
    return text


def _month(value, field: str) -> str:
    text = (value or "").strip()
    try:
        dt.date.fromisoformat(f"{text}-01")
        if len(text) != 7:
            raise ValueError
    except ValueError:
        raise FundingError(
            f"{_label(field)}: expected a month YYYY-MM, such as 2022-11, got {text!r}", field
        ) from None
    return text


def _months(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# --- who decides ---------------------------------------------------------------------------


def _strategy_kind(partnership: Partnership) -> str:
    if partnership.level == Partnership.Level.COUNTY:
        return Group.Kind.COUNTY_STRATEGY
    return Group.Kind.STRATEGY


def strategy_decisions(partnership: Partnership):
    """Carried decisions of the partnership's strategy group, newest first."""
    return (
        Decision.objects.filter(
            meeting__group__partnership=partnership,
            meeting__group__kind=_strategy_kind(partnership),
            result=Decision.Result.CARRIED,
        )
        .select_related("meeting", "meeting__group")
        .order_by("-meeting__date", "-pk")
    )


def _check_decision(decision, partnership: Partnership, what: str) -> Decision:
    if not isinstance(decision, Decision):
        raise FundingError(
            f"Decision: choose the decision of {partnership.name}'s strategy group that "
            f"approved {what}",
            "decision",
        )
    if decision.result != Decision.Result.CARRIED:
        raise FundingError(
            f"Decision: “{decision.motion[:80]}” was not carried "
            f"({decision.get_result_display().lower()}): only a carried decision approves {what}",
            "decision",
        )
    group = decision.meeting.group
    if group.partnership_id != partnership.pk or group.kind != _strategy_kind(partnership):
        raise FundingError(
            f"Decision: “{decision.motion[:80]}” is a decision of {group.name}, not of "
            f"{partnership.name}'s strategy group",
            "decision",
        )
    return decision


# --- streams and allocations ---------------------------------------------------------------


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
            f"Financial year: expected the form YYYY/YY, such as 2023/24, got {text!r}",
            "financial_year",
        )
    return text


def _formula(data) -> dict:
    if not data:
        return {}
    try:
        return parse_formula(data).as_data()
    except FormulaError as exc:
        raise FundingError(f"Formula: {exc}", f"formula.{exc.field}") from None


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
        name=_text(name, "name", limit=200),
        source=_text(source, "source", limit=200),
        financial_year=_financial_year(financial_year),
        amount_pence=_amount(amount_pence, "amount_pence"),
        conditions=(conditions or "").strip(),
        formula=_formula(formula),
    )
    if FundingStream.objects.filter(
        partnership=partnership, name=stream.name, financial_year=stream.financial_year
    ).exists():
        raise FundingError(
            f"Name: {partnership.name} already holds “{stream.name}” for {stream.financial_year}",
            "name",
        )
    stream.save()
    return stream


def _read_districts(store) -> tuple[dict[str, str], dict[str, dict[int, float]]]:
    import pyarrow.parquet as pq

    if not store.exists("_geography/districts.parquet"):
        raise FundingError(
            "The incident store has no geography tables: run `cdrp import geography` first"
        )
    with store.fs.open_input_file(store.path("_geography/districts.parquet")) as handle:
        table = pq.read_table(handle).to_pandas()
    years = sorted(
        int(c.removeprefix("population_"))
        for c in table.columns
        if c.startswith("population_") and c.removeprefix("population_").isdigit()
    )
    names = dict(zip(table.district_code, table.district_name, strict=True))
    pops: dict[str, dict[int, float]] = {}
    for year in years:
        for code, value in zip(table.district_code, table[f"population_{year}"], strict=True):
            if value == value:  # not NaN
                pops.setdefault(code, {})[year] = value
    return names, pops


def _covered_months(store) -> set[str]:
    from cdrp.store import coverage

    frame = coverage(store)
    if frame.empty:
        return set()
    return set(frame.loc[~frame.missing.astype(bool), "month"].astype(str))


def _check_period(store, months: Sequence[str], field: str, what: str) -> None:
    covered = _covered_months(store)
    missing = [m for m in months if m not in covered]
    if missing:
        shown = ", ".join(missing[:6]) + (" …" if len(missing) > 6 else "")
        raise FundingError(
            f"{_label(field)}: the incident store has no police.uk data for {shown}, so "
            f"{what} cannot be counted (a month with no data is missing, not zero)",
            field,
        )


def formula_inputs(
    partnerships: Sequence[Partnership], formula: dict, store
) -> tuple[dict[str, dict], dict]:
    """Each partnership's measures (summed over its districts) and what was read.

    Returns ``(inputs, read)``: ``inputs[slug] = {"population": …, "crime": …}`` for the
    weighted measures and ``read`` with the population year used, the months, the categories
    and each district's own figures.
    """
    parsed = parse_formula(formula)
    weighted = [m for m, w in parsed.weights.items() if w > 0]
    names, pops = _read_districts(store)
    districts: dict[str, list[tuple[str, str]]] = {}
    owner: dict[str, str] = {}
    for p in partnerships:
        rows = sorted((a.code, a.name) for a in p.districts.all())
        if not rows:
            raise FundingError(
                f"Partnerships: {p.name} has no districts in the registry, so it has no "
                "population or crime to share by",
                "partnerships",
            )
        for code, _ in rows:
            if code in owner:
                raise FundingError(
                    f"Partnerships: {names.get(code, code)} ({code}) is a district of both "
                    f"{owner[code]} and {p.name}: it would be counted twice",
                    "partnerships",
                )
            owner[code] = p.name
        districts[p.slug] = rows
    codes = sorted(owner)
    unknown = [c for c in codes if c not in names]
    if unknown:
        raise FundingError(
            f"Partnerships: district code(s) {', '.join(unknown)} are not in the store's geography",
            "partnerships",
        )
    read: dict = {"districts": {}}
    per_district: dict[str, dict] = {c: {"name": names[c]} for c in codes}
    if "population" in weighted:
        available = sorted({y for c in codes for y in pops.get(c, {})})
        year = parsed.population_year
        if year is None:
            full = [y for y in available if all(y in pops.get(c, {}) for c in codes)]
            if not full:
                raise FundingError(
                    "Formula: population_year: no population year covers every district",
                    "formula.population_year",
                )
            year = full[-1]
        lacking = [c for c in codes if year not in pops.get(c, {})]
        if lacking:
            raise FundingError(
                f"Formula: population_year: the store has no {year} population for "
                f"{', '.join(names[c] for c in lacking)} (years held: "
                f"{', '.join(map(str, available)) or 'none'})",
                "formula.population_year",
            )
        read["population_year"] = year
        for c in codes:
            per_district[c]["population"] = int(round(pops[c][year]))
    if "crime" in weighted:
        from cdrp.store import counts

        first, last = parsed.crime_period
        _check_period(store, _months(first, last), "formula.crime_period", "crime")
        frame = counts(
            store,
            ["district", "category"],
            start=first,
            end=last,
            categories=list(parsed.crime_categories) if parsed.crime_categories else None,
            areas={"district": codes},
            output="pandas",
        )
        if parsed.crime_categories is None:
            frame = frame[frame.category != ASB]
        by_code = frame.groupby("district")["count"].sum()
        read["crime_period"] = [first, last]
        read["crime_categories"] = (
            list(parsed.crime_categories) if parsed.crime_categories else None
        )
        for c in codes:
            per_district[c]["crime"] = int(by_code.get(c, 0))
    inputs = {}
    for p in partnerships:
        rows = districts[p.slug]
        inputs[p.slug] = {m: sum(per_district[c][m] for c, _ in rows) for m in weighted}
        read["districts"][p.slug] = [{"code": c, **per_district[c]} for c, _ in rows]
    return inputs, read


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
            f"Amount: {allocation.partnership.name}'s projects funded from “{allocation.stream}” "
            f"have budgets of {_money(budgets)}, more than the {_money(amount)} it would "
            "receive: reduce the projects' budgets first",
            "amount",
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
    stream = _lock(stream)
    partnerships = list(partnerships)
    if not partnerships:
        raise FundingError("Partnerships: choose at least one partnership", "partnerships")
    if len({p.pk for p in partnerships}) != len(partnerships):
        raise FundingError("Partnerships: a partnership is listed twice", "partnerships")
    data = _formula(formula)
    if not data:
        raise FundingError("Formula: give the formula's weights", "formula.weights")
    if decision is not None:
        _check_decision(decision, stream.partnership, "the split")
    try:
        inputs, read = formula_inputs(partnerships, data, store)
        result = split(stream.amount_pence, inputs, data["weights"])
    except FormulaError as exc:
        raise FundingError(f"Formula: {exc}", f"formula.{exc.field}") from None

    existing = {a.partnership_id: a for a in stream.allocations.select_related("partnership")}
    keep = {p.pk for p in partnerships}
    for pid, allocation in existing.items():
        if pid not in keep and allocation.projects.exists():
            raise FundingError(
                f"Partnerships: {allocation.partnership.name}'s allocation funds projects, so "
                "it cannot be left out of the split",
                "partnerships",
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
    stream = _lock(stream)
    amount = _amount(amount_pence, "amount")
    if decision is not None:
        _check_decision(decision, stream.partnership, "the allocation")
    others = (
        stream.allocations.exclude(partnership=partnership).aggregate(t=Sum("amount_pence"))["t"]
        or 0
    )
    if others + amount > stream.amount_pence:
        raise FundingError(
            f"Amount: allocations would total {_money(others + amount)}, more than the "
            f"stream's {_money(stream.amount_pence)}",
            "amount",
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
    stream = _lock(stream)
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
    title = _text(title, "title", limit=200)
    if not isinstance(lead_organisation, Organisation):
        raise FundingError(
            "Lead organisation: choose the organisation that leads the project", "lead_organisation"
        )
    budget = _amount(budget_pence, "budget")
    joint = [p for p in joint_with if p.pk != partnership.pk]
    commissioners = {partnership.pk, *(p.pk for p in joint)}
    if priority is not None and priority.plan.partnership_id not in commissioners:
        raise FundingError(
            f"Priority: “{priority}” is a priority of {priority.plan.partnership.name}'s plan, "
            "not of a partnership commissioning this project",
            "priority",
        )
    if allocation is not None:
        allocation = _lock(allocation)
        if allocation.partnership_id not in commissioners:
            raise FundingError(
                f"Allocation: “{allocation.stream}” is allocated to "
                f"{allocation.partnership.name}, not to a partnership commissioning this project",
                "allocation",
            )
        committed = _projects_total(allocation)
        if committed + budget > allocation.amount_pence:
            raise FundingError(
                f"Budget: projects funded from {allocation.partnership.name}'s allocation of "
                f"“{allocation.stream}” would total {_money(committed + budget)}, more than the "
                f"allocation's {_money(allocation.amount_pence)} "
                f"({_money(allocation.amount_pence - committed)} is uncommitted)",
                "budget",
            )
    if start and end and end < start:
        raise FundingError("End: the end date must be on or after the start date", "end")
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
    project = _lock(project)
    _check_decision(decision, project.partnership, f"“{project.title}”")
    if project.status != Project.Status.PROPOSED:
        raise FundingError(
            f"“{project.title}” is already {project.get_status_display().lower()}", "decision"
        )
    project.approval_decision = decision
    project.status = Project.Status.APPROVED
    project.save()
    return project


@transaction.atomic
def complete_project(project: Project) -> Project:
    project = _lock(project)
    if project.status not in (Project.Status.APPROVED, Project.Status.ACTIVE):
        raise FundingError(
            f"“{project.title}” is {project.get_status_display().lower()}: only an approved "
            "project can be completed"
        )
    project.status = Project.Status.COMPLETE
    project.save()
    return project


@transaction.atomic
def publish_project(project: Project, published: bool = True) -> Project:
    """Show the project (budget, spend, outcome) on the public transparency page."""
    project = _lock(project)
    if published and project.approval_decision_id is None:
        raise FundingError(
            f"“{project.title}” is not approved: only approved projects are published"
        )
    project.published = published
    project.save()
    return project


@dataclass(frozen=True)
class ProjectFigures:
    budget: int
    variations: int
    spent: int

    @property
    def available(self) -> int:
        """Budget plus approved variations."""
        return self.budget + self.variations

    @property
    def remaining(self) -> int:
        return self.available - self.spent


def figures(project: Project) -> ProjectFigures:
    spent = project.spend.aggregate(t=Sum("amount_pence"))["t"] or 0
    varied = project.variations.filter(approved=True).aggregate(t=Sum("amount_pence"))["t"] or 0
    return ProjectFigures(project.budget_pence, varied, spent)


def with_figures(queryset):
    """Projects annotated with ``spent_pence`` and ``variations_pence`` (approved only)."""
    spent = (
        Spend.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(t=Sum("amount_pence"))
        .values("t")
    )
    varied = (
        Variation.objects.filter(project=OuterRef("pk"), approved=True)
        .order_by()
        .values("project")
        .annotate(t=Sum("amount_pence"))
        .values("t")
    )
    return queryset.annotate(
        spent_pence=Coalesce(Subquery(spent), 0), variations_pence=Coalesce(Subquery(varied), 0)
    )


@transaction.atomic
def record_spend(project: Project, date: dt.date, amount_pence: int, description: str) -> Spend:
    """Record money spent on an approved project, within its budget and approved variations."""
    project = _lock(project)
    if project.approval_decision_id is None or project.status == Project.Status.PROPOSED:
        raise FundingError(
            f"“{project.title}” is not approved: the strategy group must approve it by a "
            "carried decision before spend is recorded",
            "project",
        )
    amount = _amount(amount_pence, "amount", positive=True)
    description = _text(description, "description", limit=300)
    if not isinstance(date, dt.date):
        raise FundingError("Date: enter the date of the spend", "date")
    if date > timezone.localdate():
        raise FundingError(f"Date: {date:%-d %B %Y} is in the future", "date")
    f = figures(project)
    if f.spent + amount > f.available:
        raise FundingError(
            f"Amount: spend would reach {_money(f.spent + amount)} against a budget of "
            f"{_money(f.budget)} ({_money(f.available)} with approved variations): record and "
            "approve a variation first",
            "amount",
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
    amount = _amount(amount_pence, "amount", positive=True)
    reason = _text(reason, "reason")
    variation = Variation(project=project, amount_pence=amount, reason=reason)
    variation.save()
    return variation


@transaction.atomic
def approve_variation(variation: Variation, decision: Decision) -> Variation:
    variation = _lock(variation)
    if variation.approved:
        raise FundingError("This variation is already approved", "decision")
    _check_decision(decision, variation.project.partnership, "the variation")
    variation.approved = True
    variation.decision = decision
    variation.save()
    return variation


@transaction.atomic
def add_milestone(project: Project, title: str, due: dt.date) -> Milestone:
    title = _text(title, "title", limit=200)
    if not isinstance(due, dt.date):
        raise FundingError("Due: enter the date the milestone is due", "due")
    milestone = Milestone(project=project, title=title, due=due)
    milestone.save()
    return milestone


@transaction.atomic
def complete_milestone(milestone: Milestone, on: dt.date | None = None) -> Milestone:
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise FundingError(f"Completed on: {on:%-d %B %Y} is in the future", "completed_on")
    milestone.completed_on = on
    milestone.save()
    return milestone


# --- evaluation ------------------------------------------------------------------------------


def _codes(value, field: str, *, required: bool) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    codes = [str(c).strip().upper() for c in (value or []) if str(c).strip()]
    if required and not codes:
        raise FundingError(f"{_label(field)}: give at least one LSOA code", field)
    bad = [c for c in codes if not (len(c) == 9 and c[:3] in ("E01", "W01") and c[3:].isdigit())]
    if bad:
        raise FundingError(
            f"{_label(field)}: {', '.join(bad[:5])} is not an LSOA code (expected E01 or W01 "
            "and six digits, such as E01025460)",
            field,
        )
    if len(set(codes)) != len(codes):
        raise FundingError(f"{_label(field)}: an LSOA code is listed twice", field)
    return codes


@transaction.atomic
def set_evaluation(
    project: Project,
    *,
    method: str,
    categories: Sequence[str],
    target_areas,
    control_areas,
    before_start: str,
    before_end: str,
    after_start: str,
    after_end: str,
    buffer_areas=(),
) -> Evaluation:
    """The evaluation plan: method, outcome categories, target/buffer/control LSOAs and two
    periods of equal length. Changing the plan clears an earlier result."""
    from cdrp.store.schema import CATEGORY_NAMES

    method = _text(method, "method")
    categories = [c.strip() for c in (categories or []) if c and c.strip()]
    if not categories:
        raise FundingError("Categories: choose at least one outcome category", "categories")
    unknown = [c for c in categories if c not in CATEGORY_NAMES]
    if unknown:
        raise FundingError(
            f"Categories: {', '.join(unknown)} is not a police.uk category slug", "categories"
        )
    target = _codes(target_areas, "target_areas", required=True)
    buffer = _codes(buffer_areas, "buffer_areas", required=False)
    control = _codes(control_areas, "control_areas", required=True)
    for name, a, b in [
        ("buffer_areas", buffer, target),
        ("control_areas", control, target),
        ("control_areas", control, buffer),
    ]:
        both = sorted(set(a) & set(b))
        if both:
            raise FundingError(
                f"{_label(name)}: {', '.join(both[:5])} is also in another area; target, buffer "
                "and control areas must not overlap",
                name,
            )
    bs, be = _month(before_start, "before_start"), _month(before_end, "before_end")
    as_, ae = _month(after_start, "after_start"), _month(after_end, "after_end")
    if be < bs:
        raise FundingError("Before end: the before period ends before it starts", "before_end")
    if ae < as_:
        raise FundingError("After end: the after period ends before it starts", "after_end")
    if as_ <= be:
        raise FundingError(
            "After start: the after period must start after the before period ends", "after_start"
        )
    if len(_months(bs, be)) != len(_months(as_, ae)):
        raise FundingError(
            f"After end: the periods must be of equal length (before {len(_months(bs, be))} "
            f"months, after {len(_months(as_, ae))})",
            "after_end",
        )
    evaluation = Evaluation.objects.filter(project=project).first() or Evaluation(project=project)
    evaluation.method = method
    evaluation.categories = categories
    evaluation.target_areas = target
    evaluation.buffer_areas = buffer
    evaluation.control_areas = control
    evaluation.before_start, evaluation.before_end = bs, be
    evaluation.after_start, evaluation.after_end = as_, ae
    evaluation.result = {}
    evaluation.verdict = Evaluation.Verdict.PENDING
    evaluation.evaluated_at = None
    evaluation.save()
    return evaluation


def _finite(value):
    import math

    if isinstance(value, float):
        # Twelve significant figures: 10/90 − 0.2 over 12/90 − 0.1 is stored as −0.375, not
        # −0.37499999999999994 (which a page would round the wrong way).
        return float(f"{value:.12g}") if math.isfinite(value) else None
    if hasattr(value, "item"):
        return _finite(value.item())
    return value


def _clean(obj):
    """JSON-safe (no NaN or infinity: PostgreSQL's jsonb refuses them)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return _finite(obj)


def _pct(ratio: float) -> str:
    return f"{(ratio - 1) * 100:+.0f}%"


def net_change(a0: int, a1: int, c0: int, c1: int, *, confidence: float = 0.95) -> dict:
    """The target's change net of the control's: ratio of rate ratios, exact test and interval.

    ``rate_ratio`` is ``(a1/a0) / (c1/c0)``; ``estimate``, ``ratio_lower`` and ``ratio_upper``
    are the conditional maximum-likelihood odds ratio of the table ``[[a1, a0], [c1, c0]]`` and
    its exact interval; ``p_value`` is twice the smaller one-sided Fisher exact p-value.

    >>> r = net_change(36, 22, 172, 181)
    >>> round(r["rate_ratio"], 4), round(r["p_value"], 4)
    (0.5807, 0.0807)
    """
    from scipy.stats import fisher_exact
    from scipy.stats.contingency import odds_ratio

    table = [[a1, a0], [c1, c0]]
    less = float(fisher_exact(table, alternative="less").pvalue)
    greater = float(fisher_exact(table, alternative="greater").pvalue)
    with _np_errstate():
        if a0 * c1 == 0:
            ratio = float("nan") if a1 * c0 == 0 else float("inf")
        else:
            ratio = (a1 * c0) / (a0 * c1)
        result = odds_ratio(table, kind="conditional")
        interval = result.confidence_interval(confidence)
    return {
        "rate_ratio": ratio,
        "estimate": float(result.statistic),
        "ratio_lower": float(interval.low),
        "ratio_upper": float(interval.high),
        "p_value": min(1.0, 2 * min(less, greater)),
        "test": "Fisher's exact test (conditional), two-sided as twice the smaller tail",
    }


def _np_errstate():
    import numpy as np

    return np.errstate(divide="ignore", invalid="ignore")


@transaction.atomic
def evaluate(evaluation: Evaluation, store) -> Evaluation:
    """Count the outcome before and after in the target, buffer and control areas, test the
    change, compute the WDQ (with a buffer) and WDD, and give a verdict with its reasoning.

    Each area's own change is the assessment's exact Poisson conditional test
    (`cdrp.analysis.change.compare_counts`). The target's change net of the control area's,
    the ratio of rate ratios ``(A1/A0) / (C1/C0)``, is tested exactly as well: for four
    independent Poisson counts, conditioning on the margins of the 2×2 table leaves the
    hypergeometric distribution when the target changed as the control did, i.e. Fisher's exact
    test; the p-value is twice the smaller one-sided one, so it agrees with the exact conditional
    95% interval (scipy's ``odds_ratio(kind="conditional")``). The verdict: *effective* when
    the target fell significantly (5% level) against the control and, with a buffer, the total
    net effect is positive (displacement did not cancel the benefit); *worse* when the target
    rose significantly against the control; otherwise *no evidence of effect*.
    """
    import pyarrow.parquet as pq

    from cdrp.analysis.change import compare_counts
    from cdrp.analysis.displacement import wdd, wdq
    from cdrp.store import counts

    e = _lock(evaluation)
    areas = {"target": e.target_areas, "buffer": e.buffer_areas, "control": e.control_areas}
    codes = [c for group in areas.values() for c in group]
    if not store.exists("_geography/lsoa.parquet"):
        raise FundingError("The incident store has no geography tables: import them first")
    with store.fs.open_input_file(store.path("_geography/lsoa.parquet")) as handle:
        geo = pq.read_table(handle, columns=["lsoa_code", "lsoa_name"]).to_pydict()
    names = dict(zip(geo["lsoa_code"], geo["lsoa_name"], strict=True))
    known = set(names)
    for name, group in areas.items():
        unknown = [c for c in group if c not in known]
        if unknown:
            raise FundingError(
                f"{_label(name + '_areas')}: {', '.join(unknown[:5])} is not an LSOA in the "
                "store's geography",
                f"{name}_areas",
            )
    before_months = _months(e.before_start, e.before_end)
    after_months = _months(e.after_start, e.after_end)
    _check_period(store, before_months, "before_start", "the before period")
    _check_period(store, after_months, "after_start", "the after period")

    def period(first, last):
        frame = counts(
            store,
            ["lsoa"],
            start=first,
            end=last,
            categories=list(e.categories),
            areas={"lsoa": codes},
            output="pandas",
        )
        return {str(k): int(v) for k, v in zip(frame["lsoa"], frame["count"], strict=True)}

    before = period(e.before_start, e.before_end)
    after = period(e.after_start, e.after_end)
    totals = {
        name: (sum(before.get(c, 0) for c in group), sum(after.get(c, 0) for c in group))
        for name, group in areas.items()
        if group
    }
    c0, c1 = totals["control"]
    if c0 == 0 or c1 == 0:
        raise FundingError(
            f"Control areas: the comparison area has {c0} records before and {c1} after: it "
            "needs records in both periods; choose a larger area or longer periods",
            "control_areas",
        )
    a0, a1 = totals["target"]
    months = len(before_months)
    change = compare_counts(
        [totals[n][1] for n in totals], months, [totals[n][0] for n in totals], months
    )
    changes = {
        name: {
            "before": int(row.baseline),
            "after": int(row.current),
            "difference": int(row.difference),
            "rate_ratio": float(row.rate_ratio),
            "ratio_lower": float(row.ratio_lower),
            "ratio_upper": float(row.ratio_upper),
            "p_value": float(row.p_value),
            "verdict": str(row.verdict),
        }
        for name, row in zip(totals, change.itertuples(), strict=True)
    }
    relative = net_change(a0, a1, c0, c1)
    p_rel = relative["p_value"]
    buffer = totals.get("buffer")
    quotient = wdq(totals["target"], buffer, totals["control"]) if buffer else None
    difference = wdd(totals["target"], totals["control"], buffer=buffer)

    reasons = []
    rr = relative["rate_ratio"]
    if a0 + a1 == 0:
        verdict = Evaluation.Verdict.NO_EVIDENCE
        reasons.append("The target area had no records of the outcome in either period.")
    else:
        reasons.append(
            f"The target area went from {a0} to {a1} records; the comparison area from {c0} to "
            f"{c1}."
        )
        reasons.append(
            f"Net of the comparison area's change, the target's rate ratio is {rr:.2f} "
            f"({_pct(rr)}; 95% interval {relative['ratio_lower']:.2f} to "
            f"{relative['ratio_upper']:.2f}; exact conditional test p = {p_rel:.3f})."
            if rr == rr and rr != float("inf")
            else f"The target had no records before (exact conditional test p = {p_rel:.3f})."
        )
        if p_rel < ALPHA and rr < 1:
            if quotient is not None and quotient.total_net_effect <= 0:
                verdict = Evaluation.Verdict.NO_EVIDENCE
                reasons.append(
                    f"But the buffer rose against the comparison area by as much or more "
                    f"(WDQ {quotient.wdq:.2f}, {quotient.reading}; total net effect "
                    f"{quotient.total_net_effect:+.1f} records): no net benefit."
                )
            else:
                verdict = Evaluation.Verdict.EFFECTIVE
                reasons.append("The target fell significantly against the comparison area.")
                if quotient is not None:
                    reasons.append(
                        f"The WDQ is {quotient.wdq:.2f} ({quotient.reading}); total net effect "
                        f"{quotient.total_net_effect:+.1f} records saved."
                    )
        elif p_rel < ALPHA and rr > 1:
            verdict = Evaluation.Verdict.WORSE
            reasons.append("The target rose significantly against the comparison area.")
        else:
            verdict = Evaluation.Verdict.NO_EVIDENCE
            reasons.append(
                "The change is within what chance alone would give (5% level): no evidence "
                "that the project changed the outcome."
            )
            if quotient is not None and quotient.wdq == quotient.wdq:
                reasons.append(
                    f"For reference, the WDQ is {quotient.wdq:.2f} ({quotient.reading}), a "
                    "reading that only means something when the target's fall is real."
                )
    if "buffer" in changes:
        b = changes["buffer"]
        if b["verdict"] in ("significant increase", "significant decrease"):
            reasons.append(
                f"The buffer went from {b['before']} to {b['after']} records, a "
                f"{b['verdict']} on its own (p = {b['p_value']:.3f})."
            )
    reasons.append(
        f"Weighted displacement difference {difference.wdd:+.0f} records (z = "
        f"{difference.z:.2f}, p = {difference.p_value:.3f}): {difference.reading}."
    )
    e.result = _clean(
        {
            "months": months,
            "categories": list(e.categories),
            "periods": {
                "before": [e.before_start, e.before_end],
                "after": [e.after_start, e.after_end],
            },
            "counts": {n: {"before": t[0], "after": t[1]} for n, t in totals.items()},
            "by_lsoa": {
                name: {c: [before.get(c, 0), after.get(c, 0)] for c in group}
                for name, group in areas.items()
                if group
            },
            "names": {c: names[c] for c in codes},
            "change": changes,
            "relative": relative,
            "wdq": quotient.as_dict() if quotient else None,
            "wdd": difference.as_dict(),
            "alpha": ALPHA,
            "reasoning": reasons,
        }
    )
    e.verdict = verdict
    e.evaluated_at = timezone.now()
    e.save()
    return e


# --- what each audience sees -------------------------------------------------------------------


def visible_streams(partnership: Partnership, *, public: bool = False):
    """Streams held by the partnership or allocated to it (published ones only for the public)."""
    queryset = FundingStream.objects.filter(
        Q(partnership=partnership) | Q(allocations__partnership=partnership)
    ).distinct()
    if public:
        queryset = queryset.filter(published=True)
    return queryset.select_related("partnership").order_by("-financial_year", "name")


def visible_projects(partnership: Partnership, *, public: bool = False):
    """Projects the partnership commissions, alone or jointly."""
    queryset = Project.objects.filter(
        Q(partnership=partnership) | Q(joint_with=partnership)
    ).distinct()
    if public:
        queryset = queryset.filter(published=True)
    return with_figures(
        queryset.select_related(
            "partnership",
            "lead_organisation",
            "priority",
            "allocation__stream",
            "approval_decision__meeting__group",
        ).prefetch_related("joint_with")
    ).order_by("title")
