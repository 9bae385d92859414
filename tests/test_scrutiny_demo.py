"""The demo seeds one Face the People session and one Community Call for Action at a realistic
status (the committee's recommendations made, the partnership's response due ahead), and one
committee review; loading twice changes nothing; the public pages show them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from cdrp.scrutiny import demo
from cdrp.scrutiny.models import CommunityCall, PublicSession, Question, Recommendation

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_session_a_call_and_a_review(client, demo_registry):
    out = io.StringIO()
    demo.load(out, {})
    today = timezone.localdate()
    session = PublicSession.objects.get(partnership=demo_registry)
    assert session.date == today + dt.timedelta(days=21)
    assert session.questions.filter(status=Question.Status.APPROVED).count() == 2
    assert session.questions.filter(status=Question.Status.PENDING).count() == 1
    call = CommunityCall.objects.get(partnership=demo_registry)
    assert call.status == CommunityCall.Status.RECOMMENDED
    assert call.response_due == today + dt.timedelta(days=18)
    assert call.councillor.council.slug == "chorley-council"
    assert [s["what"] for s in call.steps()] == [
        "Submitted",
        "Screened: meets the criteria",
        "Referred to Chorley Council Overview and Scrutiny Committee",
        "Committee recommendations made",
    ]
    assert Recommendation.objects.filter(review__partnership=demo_registry).count() == 2
    assert "Community Call for Action: CCfA 1, response due" in out.getvalue()

    again = io.StringIO()
    demo.load(again, {})
    assert "already loaded" in again.getvalue()
    assert CommunityCall.objects.count() == 1 and PublicSession.objects.count() == 1

    slug = demo_registry.slug
    log = client.get(f"/scrutiny/{slug}/calls/").content.decode()
    assert "CCfA 1: Anti-social behaviour around the bus station after dark" in log
    assert f"Response due by {call.response_due:%-d %B %Y}" in log
    sessions = client.get(f"/scrutiny/{slug}/face-the-people/").content.decode()
    assert "Face the People: Chorley" in sessions and "Coming up" in sessions
    overview = client.get(f"/partnerships/{slug}/").content.decode()
    assert f'href="/scrutiny/{slug}/calls/"' in overview
