"""Operations on the partnership plan that span several records, one transaction each.

- `seed_from_assessment`: a first draft whose priorities are the strategic assessment's
  recommended priorities (at least four), each with an objective and a store indicator.
- `revise`: the annual revision — a new draft that starts as a copy of the current plan.
- `approve`: the strategy group's carried decision makes a draft the current plan; the plan
  it replaces is kept, superseded, in the history.
- `snapshot` / `differences`: a revision as plain data, and what changed between two.
- `save_target` and friends: edits of a draft, checked (`PlanError` names the field).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cdrp.analysis.errors import RefusedInput
from cdrp.analysis.months import MonthError, parse_month, shift, span_label
from cdrp.analysis.performance import check_target as check_fields
from cdrp.meetings.services import strategy_decisions, strategy_kind
from cdrp.plans.models import (
    Commitment,
    EngagementCommitment,
    Indicator,
    Objective,
    Plan,
    PlanLocked,
    Priority,
    Target,
)
from cdrp.store.schema import CATEGORIES, CATEGORY_NAMES

__all__ = [
    "MIN_PRIORITIES",
    "PlanError",
    "add_commitment",
    "add_engagement",
    "add_indicator",
    "add_target",
    "approve",
    "check_categories",
    "check_month",
    "check_target",
    "current_plan",
    "delete_priority",
    "differences",
    "remove_from_draft",
    "revise",
    "save_objective",
    "save_priority",
    "save_target",
    "seed_from_assessment",
    "snapshot",
    "strategy_kind",
    "update_plan",
]

#: The fewest priorities a plan seeded from an assessment starts with.
MIN_PRIORITIES = 4


class PlanError(RefusedInput):
    """A change to a plan that cannot be made: `field` names the field ("" for the plan as a
    whole) and the message says why; it reads ``"field: message"``."""


def check_month(value: str, field: str) -> str:
    value = (value or "").strip()
    try:
        return parse_month(value, field)
    except MonthError:
        raise PlanError(
            field, f"enter a month as YYYY-MM, for example 2022-04 (got {value!r})"
        ) from None


def current_plan(partnership) -> Plan | None:
    """The approved revision in force (None before the first approval)."""
    return (
        Plan.objects.filter(partnership=partnership, status=Plan.Status.APPROVED)
        .order_by("-revision")
        .first()
    )


# --- Seeding from the strategic assessment ----------------------------------------------------


def _recommended(assessment) -> list[dict]:
    """The assessment's candidates in rank order: recommended first, then the rest of the
    matrix, each with its score; only police.uk categories (they can be measured)."""
    section = next(
        (s for s in assessment.document.get("sections", []) if s.get("id") == "priorities"), None
    )
    if section is None:
        raise PlanError(
            "", f"The assessment “{assessment.title}” has no priorities section: build it again."
        )
    table = next((t for t in section.get("tables", []) if t.get("id") == "priorities"), None)
    rows = sorted(table["rows"] if table else [], key=lambda r: r.get("rank") or 1e9)
    recommended = list(section.get("recommended") or [])
    order = recommended + [r["candidate"] for r in rows if r["candidate"] not in recommended]
    scores = {r["candidate"]: r.get("score") for r in rows}
    return [
        {"name": name, "slug": CATEGORIES[name], "score": scores.get(name)}
        for name in order
        if name in CATEGORIES
    ]


#: police.uk category names that do not read as a noun after "Reduce".
_OFFENCES = {"Public order": "public order offences", "Drugs": "drug offences"}


@transaction.atomic
def seed_from_assessment(
    assessment,
    user,
    *,
    period_start: str,
    title: str | None = None,
    priorities: int | None = None,
) -> Plan:
    """A first draft plan for the assessment's partnership, three years from `period_start`.

    The priorities are the assessment's recommended priorities (topped up from its scoring
    matrix to at least MIN_PRIORITIES); each gets an objective for the strategy group to
    reword and a store indicator (its category's records) with a target to cut them by 5% on
    the twelve months before the plan. Everything stays editable until approval."""
    partnership = assessment.partnership
    if partnership is None:
        raise PlanError("", "The assessment is not for a partnership in the registry.")
    period_start = check_month(period_start, "period_start")
    candidates = _recommended(assessment)
    section = next(s for s in assessment.document["sections"] if s.get("id") == "priorities")
    wanted = max(priorities or len(section.get("recommended") or []), MIN_PRIORITIES)
    chosen = candidates[:wanted]
    if len(chosen) < MIN_PRIORITIES:
        raise PlanError(
            "",
            f"The assessment names {len(chosen)} measurable candidate priorities; a plan needs "
            f"at least {MIN_PRIORITIES}.",
        )
    latest = Plan.objects.filter(partnership=partnership).order_by("-revision").first()
    period_end = shift(period_start, 35)
    plan = Plan.objects.create(
        partnership=partnership,
        revision=(latest.revision + 1) if latest else 1,
        title=title
        or f"{partnership.name} partnership plan {period_start[:4]} to {period_end[:4]}",
        period_start=period_start,
        period_end=period_end,
        summary=(
            f"This three-year plan sets out how {partnership.name} will tackle the priorities "
            f"identified in the strategic assessment “{assessment.title}”. It is revised every "
            "year when the new strategic assessment is approved."
        ),
        assessment=assessment,
        created_by=user,
        revises=latest if latest and latest.status != Plan.Status.DRAFT else None,
    )
    strategy = partnership.groups.filter(kind="strategy").first()
    year_end = shift(period_start, 11)
    for position, c in enumerate(chosen, start=1):
        score = f" (score {c['score']:.0f} of 100)" if c.get("score") is not None else ""
        priority = Priority.objects.create(
            plan=plan,
            position=position,
            name=c["name"],
            categories=[c["slug"]],
            score=c.get("score"),
            rationale=f"Ranked {position} in the priority scoring matrix of “{assessment.title}”"
            f"{score}: volume, trend, harm, peer position and community concern.",
        )
        offences = _OFFENCES.get(c["name"], c["name"].lower())
        objective = Objective.objects.create(
            priority=priority,
            position=1,
            text=f"Reduce {offences} across the partnership area.",
            owner=strategy,
        )
        indicator = Indicator.objects.create(
            objective=objective,
            position=1,
            name=f"{c['name']}: recorded crimes and incidents",
            source=Indicator.Source.STORE,
            categories=[c["slug"]],
        )
        Target.objects.create(
            indicator=indicator,
            kind=Target.Kind.CHANGE,
            value=-5,
            baseline_start=shift(period_start, -12),
            baseline_end=shift(period_start, -1),
            period_start=period_start,
            period_end=year_end,
        )
    return plan


# --- Revisions and approval -------------------------------------------------------------------


def _copy(instance, **changes):
    instance.pk = None
    instance.id = None
    instance._state.adding = True
    instance.version = 1
    for key, value in changes.items():
        setattr(instance, key, value)
    instance.save()
    return instance


@transaction.atomic
def revise(plan: Plan, user, change_note: str = "") -> Plan:
    """A new draft revision copying `plan` (priorities, objectives, commitments, indicators,
    targets, engagement); the copy is edited and then approved."""
    if plan.status == Plan.Status.DRAFT:
        raise PlanError("", f"Revision {plan.revision} is still a draft: edit it instead.")
    draft = Plan.objects.filter(partnership=plan.partnership, status=Plan.Status.DRAFT).first()
    if draft is not None:
        raise PlanError(
            "", f"Revision {draft.revision} is already being drafted: finish or approve it first."
        )
    latest = Plan.objects.filter(partnership=plan.partnership).order_by("-revision").first()
    revision = latest.revision if latest is not None else plan.revision
    priorities = list(plan.priorities.all())
    engagement = list(plan.engagement.all())
    new = Plan.objects.create(
        partnership=plan.partnership,
        revision=revision + 1,
        title=plan.title,
        period_start=plan.period_start,
        period_end=plan.period_end,
        summary=plan.summary,
        change_note=change_note,
        revises=plan,
        assessment=plan.assessment,
        created_by=user,
    )
    for priority in priorities:
        objectives = list(priority.objectives.all())
        p = _copy(priority, plan=new)
        for objective in objectives:
            commitments = list(objective.commitments.all())
            indicators = list(objective.indicators.all())
            o = _copy(objective, priority=p)
            for c in commitments:
                _copy(c, objective=o)
            for indicator in indicators:
                targets = list(indicator.targets.all())
                i = _copy(indicator, objective=o)
                for t in targets:
                    _copy(t, indicator=i)
    for e in engagement:
        _copy(e, plan=new)
    return new


@transaction.atomic
def approve(plan: Plan, user, decision, expected_version: int | None = None) -> Plan:
    """Record the strategy group's approval: `decision` must be a carried decision of the
    partnership's strategy group. The approved revision before it becomes superseded."""
    if plan.status != Plan.Status.DRAFT:
        raise PlanLocked(
            f"Revision {plan.revision} is {plan.get_status_display().lower()}: only a draft can "
            "be approved."
        )
    if decision is None or not strategy_decisions(plan.partnership).filter(pk=decision.pk):
        raise PlanError(
            "decision", "choose a decision of the partnership's strategy group that was carried."
        )
    if not plan.priorities.exists():
        raise PlanError("", "A plan with no priorities cannot be approved.")
    for previous in Plan.objects.filter(partnership=plan.partnership, status=Plan.Status.APPROVED):
        previous.status = Plan.Status.SUPERSEDED
        previous.save_checked(previous.version)
    plan.status = Plan.Status.APPROVED
    plan.approved_at = timezone.now()
    plan.approved_by = user
    plan.approval_decision = decision
    plan.save_checked(plan.version if expected_version is None else expected_version)
    return plan


# --- Edits of a draft -------------------------------------------------------------------------


def check_categories(values: Iterable[str], field: str = "categories") -> list[str]:
    out = []
    for v in values:
        v = v.strip()
        if not v:
            continue
        if v in CATEGORY_NAMES:
            out.append(v)
        elif v in CATEGORIES:
            out.append(CATEGORIES[v])
        else:
            raise PlanError(
                field,
                f"{v!r} is not a police.uk category (for example burglary, "
                "anti-social-behaviour, violent-crime)",
            )
    return out


def check_target(target: Target) -> None:
    """Refuse a target that cannot be judged; the message names the field. The fields are
    checked by the performance statistics' own rule (`cdrp.analysis.performance`)."""

    try:
        check_fields(
            target.kind,
            target.value,
            target.period_start,
            target.period_end,
            target.baseline_start or None,
            target.baseline_end or None,
        )
    except RefusedInput as exc:  # the statistics' PerformanceError, or a month's MonthError
        raise PlanError(exc.field, exc.message) from None
    if target.kind == Target.Kind.FAMILY and target.indicator.source != Indicator.Source.STORE:
        raise PlanError(
            "kind",
            "a family-average target needs an indicator on the incident store (the "
            "family's figures come from it).",
        )


def save_target(target: Target) -> Target:
    """Check and save a target of a draft plan."""
    target.indicator.objective.priority.plan.check_editable()
    check_target(target)
    target.save()
    return target


def add_target(
    indicator: Indicator,
    *,
    kind: str,
    value,
    period_start: str,
    period_end: str,
    baseline_start: str = "",
    baseline_end: str = "",
) -> Target:
    """A new target of a draft plan's indicator, checked."""
    return save_target(
        Target(
            indicator=indicator,
            kind=kind,
            value=value,
            baseline_start=baseline_start or "",
            baseline_end=baseline_end or "",
            period_start=period_start,
            period_end=period_end,
        )
    )


def update_plan(plan: Plan, expected_version: int, **fields) -> Plan:
    """Change a draft's title, start, summary or change note; it runs three years from its start."""
    for key, value in fields.items():
        setattr(plan, key, value)
    plan.period_end = shift(plan.period_start, 35)
    plan.save_checked(expected_version)
    return plan


def save_priority(
    plan: Plan, priority: Priority | None = None, expected_version: int | None = None, **fields
) -> Priority:
    """Add a priority at the end of a draft, or change one (with the version read)."""
    record = priority or Priority(plan=plan, position=plan.priorities.count() + 1)
    for key, value in fields.items():
        setattr(record, key, value)
    if priority is not None:
        record.save_checked(expected_version)
    else:
        record.save()
    return record


def delete_priority(priority: Priority) -> None:
    """Remove a priority from a draft, unless projects are commissioned against it."""
    if priority.projects.exists():
        raise PlanError("", f"“{priority.name}” has projects commissioned against it: it is kept")
    priority.delete()


def save_objective(
    priority: Priority,
    objective: Objective | None = None,
    expected_version: int | None = None,
    *,
    text: str,
    owner,
) -> Objective:
    """Add an objective at the end of a priority, or change one (with the version read)."""
    if objective is None:
        return Objective.objects.create(
            priority=priority,
            position=priority.objectives.count() + 1,
            text=text,
            owner=owner,
        )
    objective.text, objective.owner = text, owner
    objective.save_checked(expected_version)
    return objective


def add_commitment(objective: Objective, *, organisation, role, resources, amount_pence):
    """A partner's role and resources for an objective."""
    return Commitment.objects.create(
        objective=objective,
        organisation=organisation,
        role=role,
        resources=resources,
        amount_pence=amount_pence,
    )


@transaction.atomic
def add_indicator(objective: Objective, target: dict, **fields) -> Indicator:
    """A new indicator at the end of an objective, with its first target (`add_target`'s
    fields); both or neither are saved. A store indicator has categories and no series, a
    manual one a series and no categories."""
    store = fields["source"] == Indicator.Source.STORE
    indicator = Indicator.objects.create(
        objective=objective,
        position=objective.indicators.count() + 1,
        name=fields["name"],
        source=fields["source"],
        categories=fields["categories"] if store else [],
        measure=fields["measure"],
        harm_weighted=fields["harm_weighted"],
        series=fields["series"] if fields["source"] == Indicator.Source.MANUAL else None,
        direction=fields["direction"],
    )
    add_target(indicator, **target)
    return indicator


def remove_from_draft(record: Objective | Indicator | Target) -> None:
    """Remove an objective, an indicator or a target (with what hangs from it) from a draft."""
    record.delete()


def add_engagement(plan: Plan, **fields) -> EngagementCommitment:
    """A community engagement commitment at the end of a draft's list."""
    return EngagementCommitment.objects.create(
        plan=plan, position=plan.engagement.count() + 1, **fields
    )


# --- Snapshots and differences ----------------------------------------------------------------


def _unit(indicator: Indicator) -> str:
    if indicator.source == Indicator.Source.MANUAL:
        return "%" if indicator.series and indicator.series.has_denominator else ""
    return " per 1,000 residents" if indicator.measure == Indicator.Measure.RATE else ""


def _value(t: Target) -> Decimal:
    """An absolute or change target's value (checked on save: those kinds always have one)."""
    if t.value is None:
        raise ValueError(f"target {t.pk} of kind {t.kind} has no value")
    return t.value


def _target_text(t: Target) -> str:
    if t.kind == Target.Kind.ABSOLUTE:
        bound = "at most" if t.indicator.direction == Indicator.Direction.LOWER else "at least"
        text = f"{bound} {_value(t).normalize():,f}{_unit(t.indicator)}"
    elif t.kind == Target.Kind.CHANGE:
        text = f"{_value(t).normalize():+f}% on {span_label(t.baseline_start, t.baseline_end)}"
    else:
        text = "better than the family average"
    return f"{text}, {span_label(t.period_start, t.period_end)}"


def snapshot(plan: Plan) -> dict:
    """The revision as plain data (for the API, the PDF and differences)."""
    priorities = plan.priorities.prefetch_related(
        "objectives__owner",
        "objectives__commitments__organisation",
        "objectives__indicators__targets",
        "objectives__indicators__series",
    )
    return {
        "revision": plan.revision,
        "title": plan.title,
        "status": plan.status,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "summary": plan.summary,
        "change_note": plan.change_note,
        "approved_at": plan.approved_at.isoformat() if plan.approved_at else None,
        "approval_decision": (
            {
                "motion": decision.motion,
                "meeting": str(decision.meeting.group.name),
                "date": decision.meeting.date.isoformat(),
            }
            if (decision := plan.approval_decision) is not None
            else None
        ),
        "priorities": [
            {
                "id": p.pk,
                "name": p.name,
                "rationale": p.rationale,
                "categories": p.categories,
                "score": p.score,
                "objectives": [
                    {
                        "id": o.pk,
                        "text": o.text,
                        "owner": o.owner.name if o.owner is not None else None,
                        "commitments": [
                            {
                                "organisation": c.organisation.name,
                                "role": c.role,
                                "resources": c.resources,
                                "amount_pence": c.amount_pence,
                            }
                            for c in o.commitments.all()
                        ],
                        "indicators": [
                            {
                                "id": i.pk,
                                "name": i.name,
                                "source": i.source,
                                "categories": i.categories,
                                "areas": i.areas,
                                "measure": i.measure,
                                "harm_weighted": i.harm_weighted,
                                "series": i.series.name if i.series is not None else None,
                                "direction": i.direction,
                                "targets": [
                                    {
                                        "id": t.pk,
                                        "kind": t.kind,
                                        "value": None if t.value is None else str(t.value),
                                        "baseline_start": t.baseline_start,
                                        "baseline_end": t.baseline_end,
                                        "period_start": t.period_start,
                                        "period_end": t.period_end,
                                        "text": _target_text(t),
                                    }
                                    for t in i.targets.all()
                                ],
                            }
                            for i in o.indicators.all()
                        ],
                    }
                    for o in p.objectives.all()
                ],
            }
            for p in priorities
        ],
        "engagement": [
            {"commitment": e.commitment, "method": e.method, "timing": e.timing}
            for e in plan.engagement.all()
        ],
    }


def _lines(snap: dict) -> dict[str, str]:
    """Each statement of a snapshot under a readable path, for comparing revisions."""
    out = {
        "Title": snap["title"],
        "Period": f"{snap['period_start']} to {snap['period_end']}",
        "Summary": snap["summary"],
    }
    for p in snap["priorities"]:
        base = f"Priority “{p['name']}”"
        out[base] = p["rationale"] or "(no rationale)"
        for n, o in enumerate(p["objectives"], start=1):
            ob = f"{base}, objective {n}"
            out[ob] = o["text"] + (f" (owner: {o['owner']})" if o["owner"] else "")
            for c in o["commitments"]:
                out[f"{ob}, {c['organisation']}"] = c["role"] + (
                    f"; resources: {c['resources']}" if c["resources"] else ""
                )
            for i in o["indicators"]:
                ib = f"{ob}, indicator “{i['name']}”"
                what = ", ".join(i["categories"]) if i["source"] == "store" else i["series"]
                out[ib] = f"{i['measure']} of {what}" + (
                    ", harm-weighted" if i["harm_weighted"] else ""
                )
                for k, t in enumerate(i["targets"], start=1):
                    out[f"{ib}, target {k}"] = t["text"]
    for n, e in enumerate(snap["engagement"], start=1):
        out[f"Engagement {n}"] = e["commitment"] + (f" ({e['method']})" if e["method"] else "")
    return out


def differences(old: Plan, new: Plan) -> list[dict]:
    """What changed from `old` to `new`: rows of ``what``, ``change`` (added, removed,
    changed), ``before`` and ``after``, in the order of the newer revision."""
    a, b = _lines(snapshot(old)), _lines(snapshot(new))
    rows = []
    for key, after in b.items():
        if key not in a:
            rows.append({"what": key, "change": "added", "before": "", "after": after})
        elif a[key] != after:
            rows.append({"what": key, "change": "changed", "before": a[key], "after": after})
    for key, before in a.items():
        if key not in b:
            rows.append({"what": key, "change": "removed", "before": before, "after": ""})
    return rows
