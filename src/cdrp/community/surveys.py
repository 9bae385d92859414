"""Consultations and surveys: open, answer, moderate, close, publish results, and feed the
strategic assessment's community views.

Results are counts with 95% Wilson intervals (statsmodels ``proportion_confint``). Published
figures follow the policy's suppression threshold (`cdrp.accounts.policy.suppress_below`): with
fewer respondents than the threshold nothing is published; an answer given by 1 to threshold-1
people is withheld, and in a question whose answers add up to its base (one answer each) one more
is withheld when a single withheld count could be worked out from the others
(`cdrp.analysis.disclosure.protect`). Free text is published only as themes a moderator gave it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction

from cdrp.accounts.policy import SUPPRESSED, suppress_below
from cdrp.accounts.public_forms import needs_moderation, personal_details
from cdrp.analysis.errors import RefusedInput
from cdrp.analysis.harm import category_name
from cdrp.analysis.months import shift
from cdrp.community.models import (
    PROBLEM_SCALE,
    Answer,
    ModerationDecision,
    Question,
    Response,
    Survey,
)
from cdrp.partnerships.models import Area

__all__ = [
    "assessment_survey",
    "close",
    "compute_results",
    "moderate",
    "open_survey",
    "partnership_wards",
    "publish",
    "submit",
]


def partnership_wards(partnership):
    """The wards of the partnership's districts, by name."""
    return Area.objects.filter(
        level=Area.Level.WARD, parent__in=partnership.districts.all()
    ).order_by("name")


# Life cycle -------------------------------------------------------------------------------------


def open_survey(survey: Survey, on: dt.date) -> Survey:
    if survey.status != Survey.Status.DRAFT:
        raise RefusedInput("status", "Only a draft survey can be opened")
    if not survey.questions.exists():
        raise RefusedInput("questions", "Add at least one question before opening the survey")
    if survey.closes_on < on:
        raise RefusedInput("closes_on", "The closing date has passed: choose a later one")
    if survey.retain_until < survey.closes_on:
        raise RefusedInput("retain_until", "Keep responses at least until the survey closes")
    survey.status, survey.opened_on = Survey.Status.OPEN, on
    survey.save()
    return survey


def close(survey: Survey, on: dt.date) -> Survey:
    if survey.status != Survey.Status.OPEN:
        raise RefusedInput("status", "Only an open survey can be closed")
    survey.status, survey.closed_on = Survey.Status.CLOSED, on
    survey.save()
    return survey


def publish(survey: Survey, on: dt.date) -> Survey:
    """Publish the results of a closed survey (held responses must be moderated first)."""
    if survey.status != Survey.Status.CLOSED:
        raise RefusedInput("status", "Close the survey before publishing its results")
    if survey.responses.filter(status=Response.Status.HELD).exists():
        raise RefusedInput("status", "Some responses are waiting for moderation")
    survey.results = compute_results(survey)
    survey.status, survey.published_on = Survey.Status.PUBLISHED, on
    survey.save()
    return survey


def close_due(today: dt.date) -> int:
    """Close the open surveys whose closing date has passed."""
    closed = 0
    for survey in Survey.objects.filter(status=Survey.Status.OPEN, closes_on__lt=today):
        close(survey, survey.closes_on)
        closed += 1
    return closed


# Answering --------------------------------------------------------------------------------------


@transaction.atomic
def submit(survey: Survey, answers: dict[int, Any], on: dt.date) -> Response:
    """Record one resident's answers (question id → list of choices, or text). A response
    whose free text holds an e-mail address or a telephone number is held for moderation."""
    if survey.status != Survey.Status.OPEN or on > survey.closes_on:
        raise RefusedInput("", "This survey is not open for responses")
    questions = {q.pk: q for q in survey.questions.all()}
    texts = [v for qid, v in answers.items() if questions[qid].kind == Question.Kind.TEXT and v]
    found = [d for t in texts for d in personal_details(str(t))]
    ward = ""
    for qid, value in answers.items():
        if questions[qid].kind == Question.Kind.AREA and value:
            ward = str(value[0] if isinstance(value, list) else value)
    response = Response.objects.create(
        survey=survey,
        submitted_on=on,
        ward=ward or (survey.ward.code if survey.ward is not None else ""),
        status=Response.Status.HELD if found else Response.Status.ACCEPTED,
        held_because="contains an e-mail address or telephone number" if found else "",
    )
    for qid, value in answers.items():
        question = questions[qid]
        if question.kind == Question.Kind.TEXT:
            if str(value or "").strip():
                Answer.objects.create(response=response, question=question, text=str(value))
        elif value:
            chosen = value if isinstance(value, list) else [value]
            Answer.objects.create(response=response, question=question, choices=chosen)
    return response


@transaction.atomic
def moderate(
    response: Response,
    *,
    accept: bool,
    themes: dict[int, str] | None = None,
    withhold_text: bool = False,
) -> Response:
    """A moderator's decision on a response: accept it (its free text given themes, or the text
    withheld when it identifies someone) or reject it. The decision is audited."""
    themes = themes or {}
    for answer in response.answers.filter(question__kind=Question.Kind.TEXT):
        answer.moderated = True
        answer.theme = themes.get(answer.pk, answer.theme).strip()[:100]
        answer.text_withheld = withhold_text or (needs_moderation(answer.text) and not answer.theme)
        if answer.text_withheld:
            answer.text = ""
        answer.save()
    response.status = Response.Status.ACCEPTED if accept else Response.Status.REJECTED
    response.save()
    ModerationDecision(
        partnership=response.survey.partnership,
        survey=response.survey,
        response_id_ref=response.pk,
        outcome=("accepted" if accept else "rejected")
        + (", text withheld" if withhold_text else ""),
        theme=", ".join(sorted({t for t in themes.values() if t}))[:100],
    ).save()
    return response


# Results ----------------------------------------------------------------------------------------


def _wilson(count: int, base: int) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(count, base, alpha=0.05, method="wilson")
    return float(low), float(high)


def _withheld(counts: list[int], partition: bool, threshold: int) -> list[bool]:
    if not counts:
        return []
    if partition:
        from cdrp.analysis.disclosure import protect

        column = np.array([[c] for c in counts], dtype=np.int64)
        return [bool(x) for x in protect(column, threshold).suppressed[: len(counts), 0]]
    return [0 < c < threshold for c in counts]


def _labels(question: Question, wards: dict[str, str]) -> list[tuple[str, str]]:
    if question.kind == Question.Kind.AREA:
        return [(code, name) for code, name in wards.items()]
    return [(c, c) for c in question.choices()]


def compute_results(survey: Survey) -> dict[str, Any]:
    """The survey's results as the public may see them (see the module's rules)."""
    threshold = suppress_below()
    accepted = survey.responses.filter(status=Response.Status.ACCEPTED)
    respondents = accepted.count()
    wards = dict(partnership_wards(survey.partnership).values_list("code", "name"))
    out: dict[str, Any] = {
        "respondents": respondents,
        "suppressed_below": threshold,
        "too_few": 0 < respondents < threshold,
        "questions": [],
    }
    answers = list(
        Answer.objects.filter(response__in=accepted).values(
            "question_id", "choices", "text", "theme", "moderated"
        )
    )
    for question in survey.questions.all():
        mine = [a for a in answers if a["question_id"] == question.pk]
        # A list of ticks: everyone who responded answered it (ticking nothing is "none").
        answered = respondents if question.kind == Question.Kind.MULTIPLE else len(mine)
        entry: dict[str, Any] = {
            "id": question.pk,
            "text": question.text,
            "kind": question.kind,
            "base": answered,
            "rows": [],
            "themes": [],
            "too_few": answered < threshold,
        }
        if question.kind == Question.Kind.TEXT:
            themes: dict[str, int] = {}
            for a in mine:
                if a["moderated"] and a["theme"]:
                    themes[a["theme"]] = themes.get(a["theme"], 0) + 1
            entry["unthemed"] = sum(1 for a in mine if not (a["moderated"] and a["theme"]))
            for theme, count in sorted(themes.items(), key=lambda kv: (-kv[1], kv[0])):
                shown = not (0 < count < threshold) and not out["too_few"]
                entry["themes"].append({"theme": theme, "count": count if shown else SUPPRESSED})
        else:
            labels = _labels(question, wards)
            counts = [sum(1 for a in mine if key in (a["choices"] or [])) for key, _ in labels]
            partition = question.kind != Question.Kind.MULTIPLE
            hidden = _withheld(counts, partition, threshold)
            base = answered
            for (_key, label), count, hide in zip(labels, counts, hidden, strict=True):
                if out["too_few"] or entry["too_few"] or hide:
                    entry["rows"].append({"label": label, "count": SUPPRESSED, "share": None})
                    continue
                low, high = _wilson(count, base) if base else (0.0, 0.0)
                entry["rows"].append(
                    {
                        "label": label,
                        "count": count,
                        "share": count / base if base else 0.0,
                        "low": low,
                        "high": high,
                    }
                )
        out["questions"].append(entry)
    return out


# The strategic assessment's community views ----------------------------------------------------


def _month_end(month: str) -> dt.date:
    year, mon = int(month[:4]), int(month[5:7])
    return dt.date(year, mon, calendar.monthrange(year, mon)[1])


def _survey_for(partnership, start: str, end: str) -> Survey | None:
    first = dt.date.fromisoformat(shift(start, -12) + "-01")
    last = _month_end(shift(end, 3))
    return (
        Survey.objects.filter(
            partnership=partnership,
            status__in=[Survey.Status.CLOSED, Survey.Status.PUBLISHED],
            closed_on__range=(first, last),
            responses__isnull=False,
        )
        .distinct()
        .order_by("-closed_on", "-pk")
        .first()
    )


def survey_frame(survey: Survey) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """One row per accepted response, one column per concern (ticks, or the problem scale),
    with its area; and each concern's police.uk category (None for one that has none)."""
    scale = {s.lower() for s in PROBLEM_SCALE}
    concerns: dict[str, str | None] = {}
    columns: dict[tuple[int, str], str] = {}
    questions = [q for q in survey.questions.all() if q.feeds_assessment]
    for q in questions:
        if q.kind == Question.Kind.SCALE and {c.lower() for c in q.choices()} <= scale:
            keys = [q.concern or q.text]
        elif q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            keys = list(q.choices())
        else:
            continue
        for key in keys:
            name = key if key not in concerns else f"{key} ({q.position})"
            concerns[name] = category_name(key)
            columns[(q.pk, key)] = name
    wards = dict(partnership_wards(survey.partnership).values_list("code", "name"))
    rows = []
    for response in survey.responses.filter(status=Response.Status.ACCEPTED).prefetch_related(
        "answers"
    ):
        row: dict[str, str] = {"area": wards.get(response.ward, "")}
        given: dict[int, list] = {a.question_id: a.choices or [] for a in response.answers.all()}
        for q in questions:
            if q.pk not in given and q.kind != Question.Kind.MULTIPLE:
                continue
            if q.kind == Question.Kind.SCALE and (q.pk, q.concern or q.text) in columns:
                row[columns[(q.pk, q.concern or q.text)]] = str(given[q.pk][0]).lower()
            elif q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
                for key in q.choices():
                    if (q.pk, key) in columns:
                        row[columns[(q.pk, key)]] = "yes" if key in given.get(q.pk, []) else "no"
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["area", *concerns]).fillna("")
    return frame, concerns


def assessment_survey(partnership, start: str, end: str) -> tuple[Any, str, str] | None:
    """The survey hook of `cdrp.intelligence.hooks`: the partnership's latest survey closed
    between twelve months before `start` and three months after `end`, with accepted answers
    to at least one concern, in `read_survey`'s long form."""
    from cdrp.analysis.concern import read_survey

    survey = _survey_for(partnership, start, end)
    if survey is None:
        return None
    frame, concerns = survey_frame(survey)
    if not concerns or frame.empty:
        return None
    answers = read_survey(frame, concerns=concerns)
    if answers.empty:
        return None
    moderated = survey.moderations.count()
    source = f"{survey.title} (cdrp survey, closed {survey.closed_on:%-d %B %Y})"
    return answers, source, f"survey:{survey.pk}@{len(frame)}:{moderated}"
