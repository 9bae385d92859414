"""Recording the strategy group's self-assessment (score and judgement per criterion, per
year), the trend across years, and the report's content."""

from __future__ import annotations

import datetime as dt
from statistics import mean
from typing import Any

from django.db import transaction

from cdrp.analysis.errors import RefusedInput
from cdrp.health import hallmarks as hm
from cdrp.health.models import CriterionScore, SelfAssessment
from cdrp.partnerships.models import Partnership

__all__ = [
    "HealthRefused",
    "record_score",
    "report",
    "trend",
    "years_of",
    "default_year",
    "current_year",
]


class HealthRefused(RefusedInput):
    pass


def current_year(today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    return today.year if today.month >= 4 else today.year - 1


def _meeting_years(p: Partnership) -> set[int]:
    """Financial years in which the partnership's groups (or joint groups serving it) met."""
    from django.db.models import Max, Min, Q

    from cdrp.meetings.models import Meeting

    span = (
        Meeting.objects.filter(Q(group__partnership=p) | Q(group__serves=p))
        .filter(date__lte=dt.date.today())
        .aggregate(first=Min("date"), last=Max("date"))
    )
    if span["first"] is None:
        return set()
    return set(range(current_year(span["first"]), current_year(span["last"]) + 1))


def years_of(p: Partnership) -> list[int]:
    """The years offered: from the first with records (a meeting or a recorded
    self-assessment) to the current one."""
    years = set(SelfAssessment.objects.filter(partnership=p).values_list("year", flat=True))
    years |= _meeting_years(p)
    years.add(current_year())
    return list(range(max(min(years), 1998), max(years) + 1))


def default_year(p: Partnership) -> int:
    """The year the page opens on: the current one if it has records (a meeting or a recorded
    self-assessment), else the latest year that has, else the current one."""
    years = set(SelfAssessment.objects.filter(partnership=p).values_list("year", flat=True))
    years |= _meeting_years(p)
    now = current_year()
    if now in years or not years:
        return now
    return max(y for y in years if y <= now)


@transaction.atomic
def record_score(
    p: Partnership, year: int, criterion: str, score: int, judgement: str = "", reported_to=None
) -> CriterionScore:
    if criterion not in hm.CRITERIA:
        raise HealthRefused("criterion", f"Unknown criterion {criterion!r}")
    if score not in CriterionScore.Score.values:
        raise HealthRefused("score", "A score is 1 (weak) to 4 (excellent)")
    if year > current_year() or year < 1998:
        raise HealthRefused("year", "Give a financial year from 1998 to this one")
    assessment, _ = SelfAssessment.objects.get_or_create(partnership=p, year=year)
    if reported_to is not None and assessment.reported_to != reported_to:
        assessment.reported_to = reported_to
        assessment.save()
    record, created = CriterionScore.objects.get_or_create(
        assessment=assessment,
        criterion=criterion,
        defaults={"score": score, "judgement": judgement.strip()},
    )
    if not created and (record.score != score or record.judgement != judgement.strip()):
        record.score = score
        record.judgement = judgement.strip()
        record.save()
    return record


def report(p: Partnership, year: int) -> dict:
    """Everything the page and the PDF show for one year: each hallmark with its criteria,
    their computed evidence and the group's recorded score and judgement."""
    y = hm.Year(year)
    found = hm.evaluate(p, y)
    assessment = SelfAssessment.objects.filter(partnership=p, year=year).first()
    scores = {s.criterion: s for s in assessment.scores.all()} if assessment is not None else {}
    sections = []
    for h in hm.HALLMARKS:
        rows: list[dict[str, Any]] = []
        for c in hm.CRITERIA.values():
            if c.hallmark != h.key:
                continue
            rows.append({"criterion": c, "evidence": found[c.id], "score": scores.get(c.id)})
        recorded = [r["score"].score for r in rows if r["score"]]
        sections.append(
            {
                "hallmark": h,
                "rows": rows,
                "links": sum(len(r["evidence"].links) for r in rows),
                "met": sum(1 for r in rows if r["evidence"].status == hm.MET),
                "mean": round(mean(recorded), 1) if recorded else None,
            }
        )
    return {
        "partnership": p,
        "year": y,
        "assessment": assessment,
        "sections": sections,
        "trend": trend(p),
    }


def trend(p: Partnership) -> list[dict]:
    """Per year with a recorded self-assessment: the group's mean score per hallmark."""
    out = []
    for a in (
        SelfAssessment.objects.filter(partnership=p).order_by("year").prefetch_related("scores")
    ):
        by: dict[str, list[int]] = {}
        for s in a.scores.all():
            c = hm.CRITERIA.get(s.criterion)
            if c is not None:
                by.setdefault(c.hallmark, []).append(s.score)
        out.append(
            {
                "year": hm.Year(a.year).label,
                "cells": [round(mean(by[h.key]), 1) if h.key in by else None for h in hm.HALLMARKS],
                "overall": round(mean([x for v in by.values() for x in v]), 1) if by else None,
            }
        )
    return out
