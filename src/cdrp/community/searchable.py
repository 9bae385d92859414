"""What of the community app the partnership's search finds (`cdrp.search` discovers this
module's INDEXERS): only what the public pages already show.

- surveys and consultations once open (the question page) or with results published (the
  results page); a draft, or a closed survey whose results are not published, is not searched;
- PACT priorities residents raised at a public PACT meeting;
- assessment summaries once published.

Responses, answers, moderation and subscriptions (people's words and addresses) are never
indexed. Each entry is checked again against its record when a result is shown, so a survey
taken back to draft drops out at once.
"""

from __future__ import annotations

from django.urls import reverse

from cdrp.community.models import AssessmentSummary, PactMeeting, PactPriority, Question, Survey

__all__ = ["INDEXERS"]


def survey_entry(survey: Survey) -> dict | None:
    if survey.status == Survey.Status.OPEN:
        name = "community:survey-answer"
    elif survey.status == Survey.Status.PUBLISHED:
        name = "community:survey-results"
    else:
        return None
    questions = " ".join(q.text for q in survey.questions.all())
    return {
        "partnership_id": survey.partnership_id,
        "title": survey.title,
        "text": f"{survey.description} {questions}".strip(),
        "url": reverse(name, args=[survey.partnership.slug, survey.pk]),
        "date": survey.published_on or survey.closes_on,
    }


def pact_priority_entry(priority: PactPriority) -> dict | None:
    pact = priority.pact
    if not pact.meeting.public:
        return None
    chosen = "chosen as a priority" if priority.chosen else "raised"
    return {
        "partnership_id": pact.partnership_id,
        "title": priority.title,
        "text": f"PACT meeting for {pact.ward.name}, {pact.period}: {chosen} "
        f"({priority.votes} votes)",
        "url": reverse("community:pact", args=[pact.partnership.slug, pact.pk]),
        "date": pact.meeting.date,
    }


def summary_entry(summary: AssessmentSummary) -> dict | None:
    assessment = summary.assessment
    partnership = assessment.partnership
    if summary.published_on is None or partnership is None:
        return None
    return {
        "partnership_id": partnership.pk,
        "title": f"Summary: {assessment.title}",
        "text": f"{summary.priorities}\n{summary.trends}\n{summary.community}",
        "url": reverse("community:summary", args=[partnership.slug, summary.pk]),
        "date": summary.published_on,
    }


INDEXERS = [
    {
        "kind": "survey",
        "label": "Surveys and consultations",
        "model": Survey,
        "entry": survey_entry,
        "records": lambda partnership: Survey.objects.filter(partnership=partnership),
        "watch": {Question: lambda question: [question.survey]},
        "order": 80,
    },
    {
        "kind": "pact-priority",
        "label": "PACT priorities",
        "model": PactPriority,
        "entry": pact_priority_entry,
        "records": lambda partnership: PactPriority.objects.filter(
            pact__partnership=partnership
        ).select_related("pact__meeting", "pact__ward"),
        "watch": {PactMeeting: lambda pact: list(pact.priorities.all())},
        "order": 82,
    },
    {
        "kind": "community-summary",
        "label": "Assessment summaries for residents",
        "model": AssessmentSummary,
        "entry": summary_entry,
        "records": lambda partnership: AssessmentSummary.objects.filter(
            assessment__partnership=partnership
        ).select_related("assessment"),
        "order": 84,
    },
]
