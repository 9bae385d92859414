"""What the strategic assessment reads from apps above intelligence, through registration.

The assessment's "effectiveness of last year's plan" judges the targets of the partnership's
plan records. Plans sit above intelligence in the app order, so intelligence never imports them:
the plans app registers its review here from its ``AppConfig.ready()``::

    register_plan_review(performance.plan_review, performance.plan_review_record)

With nothing registered (the plans app not installed) a partnership has no plan records to
review: `plan_review` and `plan_review_record` answer None, as for a partnership without a plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cdrp.store import Store

__all__ = [
    "PlanReview",
    "PlanReviewRecord",
    "plan_review",
    "plan_review_record",
    "register_plan_review",
    "register_survey_provider",
    "survey_results",
    "register_import_gate",
    "check_partner_import",
]

#: ``review(partnership, store, start, end)``: last year's plan judged over the assessment's
#: months (``plan``, ``source``, ``record``, ``outcomes``; see `cdrp.analysis.assessment.plan`),
#: or None when the partnership has no plan records for them.
PlanReview = Callable[[Any, Store | str | None, str, str], dict[str, Any] | None]
#: ``record(partnership, start, end)``: which revision the review reads now (``"<id>@<rev>"``),
#: so a stored assessment knows when the plan it reviewed was approved or revised.
PlanReviewRecord = Callable[[Any, str, str], str | None]


@dataclass(frozen=True)
class _Provider:
    review: PlanReview
    record: PlanReviewRecord


_provider: _Provider | None = None


def register_plan_review(review: PlanReview, record: PlanReviewRecord) -> None:
    """Register the plan review (the plans app does, once, when Django starts)."""
    global _provider
    _provider = _Provider(review, record)


def plan_review(
    partnership: Any, store: Store | str | None, start: str, end: str
) -> dict[str, Any] | None:
    """Last year's plan of `partnership` over `start`..`end`, from the registered review."""
    if _provider is None or partnership is None:
        return None
    return _provider.review(partnership, store, start, end)


def plan_review_record(partnership: Any, start: str, end: str) -> str | None:
    """The plan revision a review of `start`..`end` reads now, from the registered review."""
    if _provider is None or partnership is None:
        return None
    return _provider.record(partnership, start, end)


# Community views from surveys run in cdrp ------------------------------------------------------
#
# The community app (above intelligence) registers the results of the partnership's closed
# surveys here from its ``AppConfig.ready()``. A survey file given to a build (``survey_path``,
# the CSV route for surveys run elsewhere) wins; without one, the build asks the provider.

#: ``provider(partnership, start, end)``: the answers of the partnership's survey for an
#: assessment of months `start`..`end` in `cdrp.analysis.concern.read_survey`'s long form, its
#: name, and a record of what was read (``"survey:<id>@<responses>"``, so a later response or
#: moderation makes the assessment stale); None when there is no such survey.
SurveyProvider = Callable[[Any, str, str], "tuple[Any, str, str] | None"]
_survey_provider: SurveyProvider | None = None


def register_survey_provider(provider: SurveyProvider | None) -> None:
    """Register where closed surveys' answers come from (the community app does)."""
    global _survey_provider
    _survey_provider = provider


def survey_results(partnership: Any, start: str, end: str) -> tuple[Any, str, str] | None:
    """The registered provider's survey for `partnership` over `start`..`end`, or None."""
    if _survey_provider is None or partnership is None:
        return None
    return _survey_provider(partnership, start, end)


# Gates on partner imports ----------------------------------------------------------------------
#
# A partner agency's data is imported only under an information sharing agreement covering it.
# The agreements register lives in the sharing app (above intelligence), which registers its
# check here from its ``AppConfig.ready()``. The import command and the import task ask every
# registered gate before anything is written; with none registered (the sharing app not
# installed) an import goes ahead as before.

#: ``gate(mapping)``: raises `cdrp.analysis.errors.RefusedInput` (naming the dataset and what is
#: missing) when the partner import described by `mapping` (as `cdrp.store.partner.load_mapping`
#: returns it: ``source``, ``force`` and, for the agreement, ``dataset`` and ``supplier``) may
#: not go ahead.
ImportGate = Callable[[dict[str, Any]], None]
_import_gates: list[ImportGate] = []


def register_import_gate(gate: ImportGate) -> None:
    """Register a check every partner import must pass (the sharing app registers one)."""
    if gate not in _import_gates:
        _import_gates.append(gate)


def check_partner_import(mapping: dict[str, Any]) -> None:
    """Ask every registered gate about the partner import `mapping` describes; the first
    refusal (`RefusedInput`) is raised to the caller, before anything is written."""
    for gate in list(_import_gates):
        gate(mapping)
