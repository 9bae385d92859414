"""Where compliance rules find records kept by other features (assessments, plans, public
meetings, skills reviews, data-sharing agreements).

A feature that keeps such records registers a provider in its AppConfig.ready():

    from cdrp.partnerships import evidence
    evidence.register(evidence.STRATEGIC_ASSESSMENT, lambda partnership: [...Evidence...])

Until some provider is registered for a kind, the rules that need it report "no evidence
recorded" — never a pass. With a provider registered and nothing found, the rule is not met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = [
    "Evidence",
    "KINDS",
    "register",
    "unregister",
    "records",
    "STRATEGIC_ASSESSMENT",
    "ASSESSMENT_REFRESH",
    "PARTNERSHIP_PLAN",
    "PUBLIC_MEETING",
    "MEETING",
    "SKILLS_REVIEW",
    "DATA_SHARING_AGREEMENT",
    "PRESCRIBED_INFORMATION",
]

STRATEGIC_ASSESSMENT = "strategic_assessment"  # date: approved by the strategy group
ASSESSMENT_REFRESH = "assessment_refresh"  # date: six-monthly refresh approved
PARTNERSHIP_PLAN = "partnership_plan"  # date: last revised; period: the plan's three years
PUBLIC_MEETING = "public_meeting"  # date: held
MEETING = "meeting"  # date: held; any meeting, public or not (group_id: whose)
SKILLS_REVIEW = "skills_review"  # date: the review of members' skills and knowledge
DATA_SHARING_AGREEMENT = "data_sharing_agreement"  # date: signed; period: in force
# One expected quarterly return of prescribed information (SI 2007/1831): date: received (or
# due, when missing); period: the quarter's first day to its due date; status: received, late
# or missing.
PRESCRIBED_INFORMATION = "prescribed_information"

KINDS = {
    STRATEGIC_ASSESSMENT: "strategic assessment",
    ASSESSMENT_REFRESH: "six-month refresh of the strategic assessment",
    PARTNERSHIP_PLAN: "partnership plan",
    PUBLIC_MEETING: "public meeting",
    MEETING: "meeting",
    SKILLS_REVIEW: "review of members' skills and knowledge",
    DATA_SHARING_AGREEMENT: "data-sharing agreement",
    PRESCRIBED_INFORMATION: "return of prescribed information",
}


@dataclass(frozen=True)
class Evidence:
    """One record that a rule can cite."""

    kind: str
    date: dt.date
    title: str
    url: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    group_id: int | None = None  # the group whose record it is, where that matters (meetings)
    status: str = ""  # what the record says of itself, where a rule needs it (prescribed returns)

    def in_force(self, on: dt.date) -> bool:
        return (self.period_start is None or self.period_start <= on) and (
            self.period_end is None or on <= self.period_end
        )


Provider = Callable[[object], Iterable[Evidence]]
_providers: dict[str, list[Provider]] = {}


def register(kind: str, provider: Provider) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown evidence kind {kind!r} (expected one of: {', '.join(KINDS)})")
    if provider not in _providers.setdefault(kind, []):
        _providers[kind].append(provider)


def unregister(kind: str, provider: Provider) -> None:
    if provider in _providers.get(kind, []):
        _providers[kind].remove(provider)


def records(partnership, kind: str) -> list[Evidence] | None:
    """Every record of `kind` for the partnership, newest first; None when no feature provides
    that kind yet (so the rule can say "no evidence recorded")."""
    providers = _providers.get(kind)
    if not providers:
        return None
    found = [e for provider in providers for e in provider(partnership) if e.kind == kind]
    return sorted(found, key=lambda e: e.date, reverse=True)
