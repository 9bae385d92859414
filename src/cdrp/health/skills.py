"""The annual review of members' skills and knowledge: a matrix of members × competences from
their own ratings, the gaps it shows, and a training plan whose items are actions raised at the
meeting that considered the review (`cdrp.meetings.agenda.raise_action`), so they are chased on
every next agenda like any other action.

The registry's compliance rule SKILLS-REVIEW reads the reviews through the evidence interface
(`cdrp.partnerships.evidence.SKILLS_REVIEW`): `connect` registers them there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse

from cdrp.analysis.errors import RefusedInput
from cdrp.health.models import SkillRating, SkillsReview, TrainingItem
from cdrp.meetings.agenda import raise_action
from cdrp.meetings.models import Meeting
from cdrp.partnerships import evidence
from cdrp.partnerships.models import Group, Membership, Partnership, Person

__all__ = [
    "Competence",
    "COMPETENCES",
    "LEVELS",
    "WORKING",
    "SkillsRefused",
    "record_review",
    "rate",
    "add_training",
    "members",
    "matrix",
    "connect",
]


@dataclass(frozen=True)
class Competence:
    key: str
    label: str
    hallmark: str  # the hallmark it serves (cdrp.health.hallmarks)


COMPETENCES = [
    Competence("law", "Statutory duties of the partnership", "leadership"),
    Competence("intelligence", "Using the strategic and tactical assessments", "intelligence"),
    Competence(
        "problem_solving",
        "Problem solving (scanning, analysis, response, assessment)",
        "intelligence",
    ),  # fmt: skip
    Competence("performance", "Performance management", "accountability"),
    Competence("finance", "Partnership funding and commissioning", "delivery"),
    Competence("engagement", "Community engagement and consultation", "communities"),
    Competence("scrutiny", "Scrutiny and the Community Call for Action", "accountability"),
    Competence("information_sharing", "Information sharing", "delivery"),
]
BY_KEY = {c.key: c for c in COMPETENCES}
LEVELS = {0: "None", 1: "Aware", 2: "Working knowledge", 3: "Could teach it"}
#: A member has a competence at this level or above; below it, the member has a gap.
WORKING = 2


class SkillsRefused(RefusedInput):
    pass


def members(group: Group, on: dt.date) -> list[Person]:
    """The people holding a seat on the group on `on`, by name."""
    seen: dict[int, Person] = {}
    for m in Membership.objects.current(on).filter(seat__group=group).select_related("person"):
        seen.setdefault(m.person_id, m.person)
    return sorted(seen.values(), key=lambda p: p.name)


@transaction.atomic
def record_review(
    partnership: Partnership,
    group: Group,
    held_on: dt.date,
    meeting: Meeting | None = None,
    notes: str = "",
) -> SkillsReview:
    if partnership.pk not in group.partnership_ids():
        raise SkillsRefused("group", f"{group.name} is not a group of {partnership.name}")
    if meeting is not None and meeting.group_id != group.pk:
        raise SkillsRefused("meeting", f"That meeting is not a meeting of {group.name}")
    if held_on > dt.date.today():
        raise SkillsRefused("held_on", "A review is recorded once it has taken place")
    review = SkillsReview(
        partnership=partnership, group=group, held_on=held_on, meeting=meeting, notes=notes
    )
    review.save()
    return review


@transaction.atomic
def rate(review: SkillsReview, person: Person, competence: str, level: int) -> SkillRating:
    """Record (or change) a member's own rating of one competence."""
    if competence not in BY_KEY:
        raise SkillsRefused("competence", f"Unknown competence {competence!r}")
    if level not in LEVELS:
        raise SkillsRefused("level", "A rating is 0 (none) to 3 (could teach it)")
    if person.pk not in {p.pk for p in members(review.group, review.held_on)}:
        raise SkillsRefused(
            "person",
            f"{person} did not sit on the {review.group.name} on {review.held_on:%-d %B %Y}",
        )
    rating, created = SkillRating.objects.get_or_create(
        review=review, person=person, competence=competence, defaults={"level": level}
    )
    if not created and rating.level != level:
        rating.level = level
        rating.save()
    return rating


@transaction.atomic
def add_training(
    review: SkillsReview, competence: str, description: str, owner: Person, due: dt.date
) -> TrainingItem:
    """A training plan item: an action raised at the meeting that considered the review."""
    if competence not in BY_KEY:
        raise SkillsRefused("competence", f"Unknown competence {competence!r}")
    if review.meeting is None:
        raise SkillsRefused(
            "meeting", "Record the meeting that considered the review: actions are raised there"
        )
    action = raise_action(
        review.meeting,
        description,
        owner,
        due,
        priority=f"Skills and knowledge: {BY_KEY[competence].label}",
    )
    item = TrainingItem(review=review, competence=competence, action=action)
    item.save()
    return item


def matrix(review: SkillsReview) -> dict:
    """Members × competences: each member's ratings and gaps, and per competence how many have
    it at working level, whether the group as a whole lacks it (fewer than half of those who
    rated it),
    and the training actions raised for it."""
    people = members(review.group, review.held_on)
    ratings = {
        (r.person_id, r.competence): r.level for r in SkillRating.objects.filter(review=review)
    }
    rated = {pid for pid, _ in ratings}
    training: dict[str, list] = {}
    for item in review.training.select_related("action", "action__owner"):
        training.setdefault(item.competence, []).append(item)
    rows: list[dict[str, Any]] = []
    for p in people:
        levels = [ratings.get((p.pk, c.key)) for c in COMPETENCES]
        rows.append(
            {
                "person": p,
                "levels": levels,
                "rated": p.pk in rated,
                "gaps": [
                    c
                    for c, lv in zip(COMPETENCES, levels, strict=True)
                    if lv is not None and lv < WORKING
                ],
            }
        )
    n_rated = sum(1 for r in rows if r["rated"])
    columns = []
    for i, c in enumerate(COMPETENCES):
        holders = sum(1 for r in rows if (r["levels"][i] or 0) >= WORKING)
        rated_c = sum(1 for r in rows if r["levels"][i] is not None)
        columns.append(
            {
                "competence": c,
                "holders": holders,
                "rated": rated_c,
                "gap": rated_c > 0 and holders * 2 < rated_c,
                "training": training.get(c.key, []),
            }
        )
    gaps = [col for col in columns if col["gap"]]
    return {
        "review": review,
        "competences": COMPETENCES,
        "rows": rows,
        "columns": columns,
        "members": len(people),
        "rated": n_rated,
        "gaps": gaps,
        "untrained_gaps": [col for col in gaps if not col["training"]],
    }


def review_url(review: SkillsReview) -> str:
    return reverse(
        "health:skills-review",
        kwargs={"partnership": review.partnership.slug, "pk": review.pk},
    )


def reviews_evidence(partnership):
    for review in SkillsReview.objects.filter(partnership=partnership).select_related(
        "partnership", "group"
    ):
        yield evidence.Evidence(
            kind=evidence.SKILLS_REVIEW,
            date=review.held_on,
            title=f"Review of the {review.group.name}'s skills and knowledge",
            url=review_url(review),
            group_id=review.group_id,
        )


def connect() -> None:
    evidence.register(evidence.SKILLS_REVIEW, reviews_evidence)
