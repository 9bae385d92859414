"""Strategic assessment assembly: the structured document built from frames the caller gathers.

The statutory strategic assessment (and its six-month refresh) is built here as plain data —
sections, tables, figures and findings, each finding pointing at the table rows it rests on — so it
can be stored as JSON, re-rendered identically to HTML or PDF, and exported. Nothing here reads the
store or the database: `cdrp.intelligence.assessments` gathers the inputs and calls
:func:`build_assessment`. The statistics are the ones in `cdrp.analysis` (change, trend,
concentration, harm, rates, peers, funnel, decompose, concern, priorities); this module only
chooses what to compute and how to lay it out.

Sections (numbered as in the document):

1. Levels and patterns — counts, rates per 1,000, harm beside counts, seasonality, concentration.
2. Changes — exact Poisson conditional test, rate ratio, 95% interval and verdict per category
   and district against the previous 12 months (for a 12-month window these are the same months
   a year before) and, for a shorter window, the same months a year before; the 3-year trend.
3. Why — contributions of categories, districts and district × category to the change; the
   rate change split into rate and population effects (Kitagawa); hot-spots (another module).
4. Effectiveness of last year's plan — from a plan given as data (see `PLAN_SCHEMA`), or
   outcomes already judged from the plan records (`cdrp.performance.review.plan_review`).
5. Community views — ranked concerns from a survey beside the recorded picture.
6. Comparison with similar areas — family funnel of each district.
7. Priorities — the scoring matrix with evidence references; the recommended priorities.
8. (Refresh only) What moved since the annual assessment.

The package: `inputs` (what a build takes), `sections` (the typed parts of the document; every
section has ``notices`` by construction), one module per section (`levels`, `changes`, `why`,
`plan`, `community`, `similar_areas`, `priorities`, `moved`), `maps` (SVG choropleths), `common`
(JSON-safe tables and evidence links) and `build` (:func:`build_assessment`).

>>> from cdrp.analysis.assessment import Section, build_assessment
>>> build_assessment.__module__, Section.__module__
('cdrp.analysis.assessment.build', 'cdrp.analysis.assessment.sections')
"""

from __future__ import annotations

from cdrp.analysis.assessment.build import build_assessment
from cdrp.analysis.assessment.inputs import (
    PLAN_SCHEMA,
    SCHEMA_VERSION,
    AssessmentError,
    AssessmentInputs,
    Report,
)
from cdrp.analysis.assessment.moved import what_moved
from cdrp.analysis.assessment.plan import plan_outcomes
from cdrp.analysis.assessment.sections import Finding, Section, Table

__all__ = [
    "AssessmentError",
    "AssessmentInputs",
    "Finding",
    "PLAN_SCHEMA",
    "Report",
    "SCHEMA_VERSION",
    "Section",
    "Table",
    "build_assessment",
    "plan_outcomes",
    "what_moved",
]

# `doctest.testmod(cdrp.analysis.assessment)` runs the examples of the package's modules too.
__test__ = {"plan_outcomes": plan_outcomes, "Section": Section}
