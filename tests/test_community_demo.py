"""The community demo: a resident of the demo partnership sees a published survey with its
results and a ward's PACT priorities, one done and reported back."""

from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_survey_and_pact_a_resident_can_see(client, demo_registry):
    from cdrp.accounts.audit import acting_as
    from cdrp.community import demo
    from cdrp.community.models import PactMeeting, Survey
    from cdrp.meetings import demo as meetings_demo
    from cdrp.meetings.models import Meeting
    from cdrp.partnerships.models import Area

    chorley = demo_registry.districts.get(name="Chorley")
    Area.objects.create(code="E05005126", name="Chorley East", level="ward", parent=chorley)
    out = io.StringIO()
    with acting_as(None, "cdrp demo"):
        demo.load(out, {})
        demo.load(out, {})  # a second run adds nothing
        meetings_demo.finish(out, {})  # every demo meeting gets its time and venue
    assert Survey.objects.count() == 1 and PactMeeting.objects.count() == 2
    survey = Survey.objects.get()
    assert survey.status == "published" and survey.results["respondents"] == 84
    page = client.get(f"/community/lancashire-south/surveys/{survey.pk}/results/").content.decode()
    assert "84 people answered" in page and "Environmental crime" in page
    assert "07700" not in page
    area = client.get("/community/area/E05005126/").content.decode()
    assert "Speeding on the main road" in area
    assert "We did: Speed checks on six evenings" in area
    assert "PACT meeting: Chorley East" in area  # the next one, among the public meetings
    # The next PACT meeting, in the evening at a community venue in the ward's district.
    assert "6:30pm<br>Community room, Chorley Library, Union Street, Chorley" in area
    assert not Meeting.objects.filter(start_time__isnull=True).exists()
    assert not Meeting.objects.filter(venue="").exists()
    assert "Meetings: all timed." in _finish_again(meetings_demo)


def _finish_again(meetings_demo) -> str:
    from cdrp.accounts.audit import acting_as

    out = io.StringIO()
    with acting_as(None, "cdrp demo"):
        meetings_demo.finish(out, {})
    return out.getvalue()
