"""The community and scrutiny records the hallmarks read: consultations held (closed surveys) and
responses to Community Calls for Action. `cdrp.health` sits above both apps in the layers, so it
reads them directly and registers them with its own provider interface (`providers`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse

from cdrp.community.models import Survey
from cdrp.health import providers
from cdrp.scrutiny.models import CommunityCall

__all__ = ["connect", "consultations", "ccfa_responses"]


def consultations(partnership, start: dt.date, end: dt.date) -> Iterator[providers.Item]:
    """Surveys of the partnership closed within [start, end]."""
    closed = Survey.objects.filter(
        partnership=partnership, closed_on__isnull=False, closed_on__range=(start, end)
    ).order_by("closed_on", "pk")
    for survey in closed:
        assert survey.closed_on is not None  # filtered above
        yield providers.Item(
            kind=providers.CONSULTATION,
            date=survey.closed_on,
            title=f"Survey: {survey.title}",
            url=reverse(
                "community:survey-results",
                kwargs={"partnership": partnership.slug, "survey_id": survey.pk},
            ),
        )


def ccfa_responses(partnership, start: dt.date, end: dt.date) -> Iterator[providers.Item]:
    """The partnership's responses to Community Calls for Action given within [start, end],
    each marked on time or late against its deadline, and the calls whose deadline passed in
    that time with no response (late)."""
    answered = CommunityCall.objects.filter(
        partnership=partnership, responded_on__isnull=False, responded_on__range=(start, end)
    ).order_by("responded_on", "pk")
    for call in answered:
        assert call.responded_on is not None  # filtered above
        yield providers.Item(
            kind=providers.CCFA_RESPONSE,
            date=call.responded_on,
            title=f"Community Call for Action: {call}",
            url=reverse("scrutiny:call", kwargs={"partnership": partnership.slug, "ccfa": call.pk}),
            on_time=call.on_time(),
        )
    unanswered = CommunityCall.objects.filter(
        partnership=partnership,
        responded_on__isnull=True,
        response_due__isnull=False,
        response_due__range=(start, min(end, dt.date.today() - dt.timedelta(days=1))),
    ).order_by("response_due", "pk")
    for call in unanswered:
        assert call.response_due is not None  # filtered above
        yield providers.Item(
            kind=providers.CCFA_RESPONSE,
            date=call.response_due,
            title=f"Community Call for Action: {call} (no response by its deadline)",
            url=reverse("scrutiny:call", kwargs={"partnership": partnership.slug, "ccfa": call.pk}),
            on_time=False,
        )


def connect() -> None:
    providers.register(providers.CONSULTATION, consultations)
    providers.register(providers.CCFA_RESPONSE, ccfa_responses)
