"""The hallmarks read consultations (closed surveys) and Community Call for Action responses from
the community and scrutiny apps, each with a link to its page."""

from __future__ import annotations

import datetime as dt

import pytest

from cdrp.community.models import Survey
from cdrp.health import providers
from cdrp.partnerships.models import Person
from cdrp.scrutiny.models import CommunityCall, Councillor

pytestmark = pytest.mark.django_db

APRIL, MARCH = dt.date(2025, 4, 1), dt.date(2026, 3, 31)


def test_a_closed_survey_is_a_consultation_of_the_year_it_closed(partnership, client):
    survey = Survey.objects.create(
        partnership=partnership,
        title="What matters in your area",
        status=Survey.Status.CLOSED,
        opened_on=dt.date(2025, 9, 1),
        closes_on=dt.date(2025, 9, 30),
        closed_on=dt.date(2025, 9, 30),
        retain_until=dt.date(2026, 9, 30),
    )
    found = providers.items(partnership, providers.CONSULTATION, APRIL, MARCH)
    assert [(i.date, i.title) for i in found] == [
        (dt.date(2025, 9, 30), "Survey: What matters in your area")
    ]
    assert found[0].url.endswith(f"/surveys/{survey.pk}/results/")
    assert providers.items(partnership, providers.CONSULTATION, MARCH, dt.date(2027, 3, 31)) == []


def test_a_call_answered_after_its_deadline_is_marked_late(partnership):
    person = Person.objects.create(name="A Councillor", slug="a-councillor")
    councillor = Councillor.objects.create(partnership=partnership, person=person, ward="Central")
    call = CommunityCall.objects.create(
        partnership=partnership,
        number=1,
        councillor=councillor,
        title="Parking on the green",
        matter="Cars on the green every night",
        on_behalf_of="Residents of Green Lane",
        submitted_on=dt.date(2025, 5, 1),
        response_due=dt.date(2025, 7, 1),
        responded_on=dt.date(2025, 7, 8),
        response="Patrols added",
        status=CommunityCall.Status.RESPONDED,
    )
    (item,) = providers.items(partnership, providers.CCFA_RESPONSE, APRIL, MARCH)
    assert item.on_time is False and item.date == dt.date(2025, 7, 8)
    assert item.url.endswith(f"/calls/{call.pk}/")


def test_a_call_left_unanswered_past_its_deadline_counts_late(partnership, frozen_today):
    person = Person.objects.create(name="B Councillor", slug="b-councillor")
    councillor = Councillor.objects.create(partnership=partnership, person=person, ward="North")
    CommunityCall.objects.create(
        partnership=partnership,
        number=2,
        councillor=councillor,
        title="Dumped rubbish",
        matter="Rubbish every week",
        on_behalf_of="Residents of North Street",
        submitted_on=dt.date(2025, 5, 1),
        response_due=dt.date(2025, 7, 1),
    )
    (item,) = providers.items(partnership, providers.CCFA_RESPONSE, APRIL, MARCH)
    assert item.on_time is False and item.date == dt.date(2025, 7, 1)
    assert "no response by its deadline" in item.title
