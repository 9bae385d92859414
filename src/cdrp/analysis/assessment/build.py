"""The builder: checks the inputs, builds every section in order, assembles the document."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cdrp.analysis.assessment.changes import changes_section
from cdrp.analysis.assessment.common import _name, _num, summed
from cdrp.analysis.assessment.community import community_section
from cdrp.analysis.assessment.inputs import (
    SCHEMA_VERSION,
    AssessmentError,
    AssessmentInputs,
    Report,
)
from cdrp.analysis.assessment.levels import levels_section
from cdrp.analysis.assessment.moved import moved_section
from cdrp.analysis.assessment.plan import plan_section
from cdrp.analysis.assessment.priorities import priorities_section
from cdrp.analysis.assessment.similar_areas import peers_section
from cdrp.analysis.assessment.why import why_section
from cdrp.analysis.change import month_window
from cdrp.analysis.harm import check_weights
from cdrp.analysis.months import parse_month
from cdrp.analysis.priorities import DEFAULT_WEIGHTS


def _check(inputs: AssessmentInputs) -> tuple[pd.PeriodIndex, list[str]]:
    if inputs.kind not in ("strategic", "refresh"):
        raise AssessmentError(f"kind must be 'strategic' or 'refresh', not {inputs.kind!r}")
    if not inputs.districts:
        raise AssessmentError(
            f"partnership {inputs.partnership.get('slug')} has no districts: "
            "add its districts in the registry or give them with --districts"
        )
    try:
        window = month_window(inputs.end, inputs.months)
    except ValueError as exc:
        raise AssessmentError(f"period: {exc}") from None
    covered = {parse_month(m) for m in inputs.covered_months}
    missing = [str(m) for m in window if str(m) not in covered]
    if len(missing) == len(window):
        held = sorted(covered)
        span = f"{held[0]} to {held[-1]}" if held else "no months at all"
        raise AssessmentError(
            f"no incident data for the period {window[0]}..{window[-1]}: the store holds {span}"
        )
    no_pop = [
        f"{code} {name}"
        for code, name in inputs.districts.items()
        if not (_num(inputs.populations.get(code)) or 0) > 0
    ]
    if no_pop:
        raise AssessmentError(
            f"no mid-{inputs.population_year} population for district(s) {', '.join(no_pop)}: "
            "rates per 1,000 residents cannot be computed (load the ONS population estimates)"
        )
    warnings = []
    if missing:
        warnings.append(
            f"No data for {', '.join(missing)}: these months are missing (not zero); totals "
            "for the period cover the other months only and changes are marked not comparable."
        )
    return window, warnings


def _quiet(done: int, total: int, message: str = "") -> None:
    """No progress report."""


def build_assessment(inputs: AssessmentInputs, report: Report | None = None) -> dict[str, Any]:
    """Build the structured strategic assessment (or six-month refresh) from gathered inputs.

    Parameters
    ----------
    inputs : AssessmentInputs
        Counts, populations, geography, weights, peers data and the optional plan and survey.
    report : callable, optional
        ``report(done, total, message)`` progress callback.

    Returns
    -------
    dict
        JSON-serialisable: ``schema``, ``kind``, ``title``, ``partnership``, ``period``,
        ``summary`` (findings), ``sections`` (each with ``number``, ``id``, ``title``,
        ``text``, ``tables``, ``figures``, ``findings``), ``warnings``, ``sources`` and
        ``parameters``. Findings carry ``evidence``: ``"<table id>#<row key>"``.

    Raises
    ------
    AssessmentError
        For a period with no data, a district with no population, a weight table that lacks a
        category in the data, a plan that does not follow ``PLAN_SCHEMA``; nothing is built.
    """
    report = report or _quiet
    steps = 8
    report(0, steps, "checking inputs")
    window, warnings = _check(inputs)
    covered = sorted({parse_month(m) for m in inputs.covered_months})
    monthly = inputs.monthly.copy()
    monthly = monthly[monthly["district"].isin(list(inputs.districts))]
    monthly = monthly[monthly["month"] <= str(window[-1])]
    monthly["category"] = monthly["category"].map(_name)
    monthly = summed(monthly, ["month", "district", "category"])
    present = sorted(monthly["category"].unique())
    try:
        weights = check_weights(
            inputs.weights, present, source=f"the harm weight table ({inputs.weights_source})"
        )
    except ValueError as exc:
        raise AssessmentError(str(exc)) from None
    population = float(sum(inputs.populations[d] for d in inputs.districts))
    covered_upto = [m for m in covered if m <= str(window[-1])]

    report(1, steps, "levels and patterns")
    levels, cats, dc_levels, _ = levels_section(
        inputs, window, monthly, covered_upto, population, weights
    )
    report(2, steps, "changes")
    changes, by_cat, by_dist, by_dc = changes_section(inputs, window, monthly, covered_upto)
    report(3, steps, "drivers of change")
    why = why_section(inputs, by_cat, by_dist, by_dc)
    report(4, steps, "last year's plan")
    plan = plan_section(inputs, summed(monthly, ["month", "category"]), covered_upto)
    report(5, steps, "community views")
    community, concern = community_section(inputs, cats)
    report(6, steps, "similar areas")
    peers, peer_ev = peers_section(inputs, dc_levels)
    report(7, steps, "priorities")
    priorities, _ = priorities_section(inputs, cats, by_cat, peer_ev, concern)

    sections = [levels, changes, why, plan, community, peers, priorities]
    obj = {
        "schema": SCHEMA_VERSION,
        "kind": inputs.kind,
        "title": (
            "Strategic assessment" if inputs.kind == "strategic" else "Strategic assessment refresh"
        )
        + f": {inputs.partnership['name']}",
        "partnership": dict(inputs.partnership),
        "districts": [{"code": c, "name": n} for c, n in inputs.districts.items()],
        "period": {
            "start": str(window[0]),
            "end": str(window[-1]),
            "months": inputs.months,
            "label": f"{window[0].strftime('%B %Y')} to {window[-1].strftime('%B %Y')}",
        },
        "population_year": inputs.population_year,
        "warnings": warnings,
        "sources": list(inputs.sources),
        "parameters": {
            "months": inputs.months,
            "k": inputs.k,
            "priority_weights": dict(inputs.priority_weights or DEFAULT_WEIGHTS),
            "weights_source": inputs.weights_source,
            "plan": inputs.plan_source,
            "survey": inputs.survey_source,
        },
        "totals": {
            d["_key"]: d["count"]
            for d in levels.tables[0]["rows"]  # levels-districts
        },
    }
    if inputs.kind == "refresh" and inputs.annual:
        so_far = [s.to_dict() for s in sections]
        sections.append(moved_section(inputs.annual, {"sections": so_far, "period": obj["period"]}))
    for number, section in enumerate(sections, start=1):
        section.number = number
        # A section that lacked an input says so in the document's warnings too.
        warnings.extend(f"Section {number} ({section.title}): {m}" for m in section.missing)
    obj["sections"] = [s.to_dict() for s in sections]
    obj["summary"] = [
        {**finding, "section": s.number}
        for s in sections
        for finding in s.findings[: 3 if s.id in ("levels", "changes", "peers") else 1]
        if finding["evidence"] or s.id in ("plan",)
    ]
    report(steps, steps, "built")
    return obj
