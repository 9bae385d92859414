"""The strategic assessment's "effectiveness of last year's plan", read from the plan records:
each target of the revision in force over the assessment's months, judged as of its end."""

from __future__ import annotations

from cdrp.analysis.months import Month, month_range, parse_month
from cdrp.performance.status import indicator_status, needed_span, plan_indicators
from cdrp.performance.store import load_store_data
from cdrp.plans.models import Indicator, Plan
from cdrp.store import Store

__all__ = ["plan_review", "plan_review_record"]


def _reviewed_targets(partnership, start: str, end: str) -> tuple[Plan | None, list]:
    """The revision `plan_review` reads and its (indicator, target) pairs over start..end."""
    end_day = Month.parse(end, "end").last_day
    plans = Plan.objects.filter(
        partnership=partnership, status__in=[Plan.Status.APPROVED, Plan.Status.SUPERSEDED]
    ).order_by("-revision")
    for plan in plans:
        if plan.approved_on is not None and plan.approved_on > end_day:
            continue
        pairs = [
            (indicator, target)
            for indicator in plan_indicators(plan)
            for target in sorted(indicator.targets.all(), key=lambda t: t.period_start)
            if target.period_start <= end and target.period_end >= start
        ]
        if pairs:
            return plan, pairs
    return None, []


def plan_review_record(partnership, start: str, end: str) -> str | None:
    """Which revision `plan_review` would read now (``"<id>@<revision>"``), for staleness."""
    plan, _ = _reviewed_targets(partnership, start, end)
    return _record(plan) if plan is not None else None


def _record(plan: Plan) -> str:
    return f"{plan.pk}@{plan.revision}"


def plan_review(partnership, store: Store | str | None, start: str, end: str) -> dict | None:
    """The strategic assessment's "effectiveness of last year's plan", from the plan records.

    Takes the latest approved (or since superseded) revision approved by the end of `end`
    whose targets' periods overlap the assessment's months `start`..`end`, and judges each such
    target as of `end`: a target whose period has ended is met or not (not met "within chance"
    when the target lies inside the figure's 95% interval); one still running is reported as
    in progress with its status so far. Months the data lacks are named, never assumed.

    Returns
    -------
    dict or None
        ``plan`` (title), ``source`` (which revision, approved when), ``record`` (plan id and
        revision) and ``outcomes`` (rows: ``key``, ``priority``, ``indicator``, ``target``,
        ``figure``, ``outcome``, ``reasoning``); None when no approved plan has such targets.
    """
    start, end = parse_month(start, "start"), parse_month(end, "end")
    plan, pairs = _reviewed_targets(partnership, start, end)
    if plan is None:
        return None
    data = None
    if any(i.source == Indicator.Source.STORE for i, _ in pairs):
        data = load_store_data(store, needed_span(plan, end)[0], end)
    outcomes = []
    for n, (indicator, target) in enumerate(pairs, start=1):
        as_of = min(end, target.period_end)
        row = indicator_status(indicator, target, store, as_of, data=data)
        period = month_range(target.period_start, target.period_end)
        missing = [
            p["month"] for p in row["months"] if p["month"] >= period[0] and p["value"] is None
        ]
        elapsed = len([m for m in period if m <= as_of])
        if row["status"] in ("cannot judge", "no target", "no data", "not started"):
            outcome = f"cannot be measured: {row['reasoning']}"
        elif missing:
            outcome = f"cannot be measured: no data for {', '.join(missing)}"
        elif as_of < target.period_end:
            outcome = f"in progress ({elapsed} of {len(period)} months): {row['status']}"
        else:
            outcome = {"on track": "met", "at risk": "not met (within chance)"}.get(
                row["status"], "not met"
            )
        figure = row["value_text"]
        if as_of < target.period_end and row["projection"] is not None:
            figure += f" so far; projected {row['projection_text']}"
        outcomes.append(
            {
                "key": str(n),
                "priority": indicator.objective.priority.name,
                "indicator": indicator.name,
                "target": row["target_text"],
                "figure": figure,
                "outcome": outcome,
                "reasoning": row["reasoning"],
            }
        )
    approved = (
        f"approved {plan.approved_on:%-d %B %Y}"
        if plan.approved_on
        else "approval date not recorded"
    )
    return {
        "plan": plan.title,
        "source": f"revision {plan.revision}, {approved}",
        "record": _record(plan),
        "outcomes": outcomes,
    }
