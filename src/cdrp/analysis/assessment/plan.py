"""Section 4, effectiveness of last year's plan: from a plan file or from the plan records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cdrp.analysis.assessment.common import _ref, _table
from cdrp.analysis.assessment.inputs import (
    AssessmentError,
    AssessmentInputs,
)
from cdrp.analysis.assessment.sections import Section
from cdrp.analysis.harm import category_name
from cdrp.analysis.months import MonthError, month_range, parse_month, period_index, to_period


def plan_outcomes(
    plan: Mapping[str, Any], monthly: pd.DataFrame, covered: Sequence[str]
) -> pd.DataFrame:
    """Outcome of each indicator of a plan (see ``PLAN_SCHEMA``) against its target.

    Parameters
    ----------
    plan : mapping
        The plan as parsed from YAML.
    monthly : pandas.DataFrame
        ``month``, ``category`` (names) and ``count`` for the partnership.
    covered : sequence of str
        Months with data.

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``priority``, ``indicator``, ``target`` (text), ``baseline``,
        ``actual``, ``change_percent`` and ``outcome`` (``"met"``, ``"not met"`` or
        ``"cannot be measured: …"``). A target is never marked met without the data for
        every month it covers.

    Raises
    ------
    AssessmentError
        Naming the field of the plan that is missing or malformed.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"month": ["2021-12", "2022-01"], "category": ["Burglary"] * 2,
    ...                   "count": [10, 8]})
    >>> plan = {"plan": "P", "period": {"start": "2022-01", "end": "2022-01"},
    ...         "priorities": [{"name": "Burglary", "indicators": [{"name": "Burglary",
    ...         "categories": ["burglary"], "target": {"change_percent": -10}}]}]}
    >>> plan_outcomes(plan, m, ["2021-12", "2022-01"])[["actual", "outcome"]].values.tolist()
    [[8, 'met']]
    """

    def need(mapping: Any, key: str, where: str) -> Any:
        if not isinstance(mapping, Mapping) or key not in mapping or mapping[key] in (None, ""):
            raise AssessmentError(f"the plan: {where} has no '{key}' (see the plan schema)")
        return mapping[key]

    need(plan, "plan", "the file")
    period = need(plan, "period", "the file")
    try:
        start = to_period(need(period, "start", "period"), "start")
        end = to_period(need(period, "end", "period"), "end")
    except MonthError as exc:
        raise AssessmentError(f"the plan: period: {exc}") from None
    if end < start:
        raise AssessmentError("the plan: period ends before it starts")
    span = period_index(month_range(start, end))
    before = span - len(span)
    held = {parse_month(m) for m in covered}
    rows = []
    priorities = need(plan, "priorities", "the file")
    if not isinstance(priorities, list) or not priorities:
        raise AssessmentError("the plan: 'priorities' must be a list with at least one priority")
    for i, priority in enumerate(priorities, start=1):
        pname = need(priority, "name", f"priority {i}")
        indicators = need(priority, "indicators", f"priority {i} ({pname})")
        for j, ind in enumerate(indicators, start=1):
            where = f"priority {i} ({pname}), indicator {j}"
            iname = need(ind, "name", where)
            cats = need(ind, "categories", where)
            cats = [cats] if isinstance(cats, str) else list(cats)
            names = []
            for c in cats:
                n = category_name(str(c))
                if n is None:
                    raise AssessmentError(f"the plan: {where}: '{c}' is not a police.uk category")
                names.append(n)
            target = need(ind, "target", where)
            kinds = [k for k in ("change_percent", "at_most", "at_least") if k in target]
            if len(kinds) != 1:
                raise AssessmentError(
                    f"the plan: {where}: target needs exactly one of change_percent, at_most, "
                    "at_least"
                )
            kind = kinds[0]
            try:
                value = float(target[kind])
            except (TypeError, ValueError):
                raise AssessmentError(
                    f"the plan: {where}: target {kind} must be a number, got {target[kind]!r}"
                ) from None
            sel = monthly[monthly["category"].isin(names)]
            actual = int(sel[sel["month"].isin([str(m) for m in span])]["count"].sum())
            base = int(sel[sel["month"].isin([str(m) for m in before])]["count"].sum())
            gaps = [str(m) for m in span if str(m) not in held]
            if kind == "change_percent":
                gaps += [str(m) for m in before if str(m) not in held]
            change = (actual - base) / base * 100 if base else np.nan
            if gaps:
                outcome = f"cannot be measured: no data for {', '.join(sorted(set(gaps)))}"
            elif kind == "change_percent":
                if not base:
                    outcome = "cannot be measured: no records in the baseline"
                else:
                    outcome = "met" if change <= value else "not met"
                    if value > 0:  # a target to raise (e.g. detections)
                        outcome = "met" if change >= value else "not met"
            elif kind == "at_most":
                outcome = "met" if actual <= value else "not met"
            else:
                outcome = "met" if actual >= value else "not met"
            text = {
                "change_percent": f"{value:+g}% against {before[0]}..{before[-1]}",
                "at_most": f"at most {value:,.0f}",
                "at_least": f"at least {value:,.0f}",
            }[kind]
            rows.append(
                {
                    "key": f"{i}.{j}",
                    "priority": pname,
                    "indicator": iname,
                    "target": text,
                    "baseline": base if kind == "change_percent" else None,
                    "actual": actual,
                    "change_percent": change if kind == "change_percent" else None,
                    "outcome": outcome,
                }
            )
    return pd.DataFrame(rows)


def plan_section(inputs: AssessmentInputs, monthly: pd.DataFrame, covered: list[str]) -> Section:
    """Section 4: a plan file measured here, or outcomes judged from the plan records."""
    if not inputs.plan:
        return Section(
            id="plan",
            title="Effectiveness of last year's plan",
            text=[],
            notices=[
                "No plan recorded: there is no previous plan with indicators and targets to "
                "measure. Outcomes are reported only against a recorded plan, never assumed."
            ],
            tables=[],
            figures=[],
            findings=[{"text": "No plan recorded.", "evidence": []}],
            notices_early=True,
        )
    if "outcomes" in inputs.plan:
        return recorded_plan_section(inputs)
    out = plan_outcomes(inputs.plan, monthly, covered)
    met = int((out["outcome"] == "met").sum())
    unmeasured = int(out["outcome"].str.startswith("cannot").sum())
    return Section(
        id="plan",
        title="Effectiveness of last year's plan",
        text=[
            f"Indicators of “{inputs.plan['plan']}” ({inputs.plan_source or 'plan file'}), "
            "measured from the recorded data for the plan period."
        ],
        tables=[
            _table(
                "plan-outcomes",
                "Outcome of each indicator against its target",
                out,
                [
                    ("priority", "Priority", "text"),
                    ("indicator", "Indicator", "text"),
                    ("target", "Target", "text"),
                    ("baseline", "Baseline", "int"),
                    ("actual", "Actual", "int"),
                    ("change_percent", "Change %", "rate"),
                    ("outcome", "Outcome", "text"),
                ],
                key="key",
            )
        ],
        figures=[],
        findings=[
            {
                "text": f"{met} of {len(out)} indicators met their target"
                + (f"; {unmeasured} could not be measured" if unmeasured else "")
                + ".",
                "evidence": [_ref("plan-outcomes", k) for k in out["key"]],
            }
        ],
        notices=[],
    )


def recorded_plan_section(inputs: AssessmentInputs) -> Section:
    """Last year's plan from the plan records: outcomes already judged by the performance
    statistics (``inputs.plan["outcomes"]``, see `cdrp.performance.review.plan_review`)."""
    assert inputs.plan is not None  # plan_section calls this only with a plan
    plan = inputs.plan
    out = pd.DataFrame(
        plan["outcomes"],
        columns=["key", "priority", "indicator", "target", "figure", "outcome", "reasoning"],
    )
    outcome = out["outcome"]
    ended = out[~outcome.str.startswith(("in progress", "cannot"))]
    met = int((ended["outcome"] == "met").sum())
    running = int(outcome.str.startswith("in progress").sum())
    unmeasured = int(outcome.str.startswith("cannot").sum())
    parts = [f"{met} of {len(ended)} targets that have ended were met"] if len(ended) else []
    if running:
        parts.append(
            f"{running} still running"
            if parts
            else f"No target has ended yet: {running} still running"
        )
    if unmeasured:
        parts.append(f"{unmeasured} could not be measured")
    return Section(
        id="plan",
        title="Effectiveness of last year's plan",
        text=[
            f"Targets of “{plan['plan']}” ({inputs.plan_source}) whose periods overlap "
            "this assessment, judged from the recorded data as the performance report judges "
            "them: a target is met when the figure for its whole period meets it; “within "
            "chance” when it missed but the target lies inside the figure's 95% interval."
        ],
        tables=[
            _table(
                "plan-outcomes",
                "Outcome of each target",
                out,
                [
                    ("priority", "Priority", "text"),
                    ("indicator", "Indicator", "text"),
                    ("target", "Target", "text"),
                    ("figure", "Figure", "text"),
                    ("outcome", "Outcome", "text"),
                ],
                key="key",
            )
        ],
        figures=[],
        findings=[
            {
                "text": ("; ".join(parts) or "No targets") + ".",
                "evidence": [_ref("plan-outcomes", k) for k in out["key"]],
            }
        ],
        notices=[],
    )
