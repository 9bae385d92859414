"""Face the People: the public sends questions in advance (no account), every question waits in
a moderation queue, is approved or rejected with the reason recorded, is answered at the session
and the answers are published on the public page. The form has the abuse controls of every
public form (cdrp.accounts.public_forms). Another partnership's coordinator reaches nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from cdrp.accounts.models import AuditEvent
from cdrp.scrutiny.models import PublicSession, Question
from conftest import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def session(partnership):
    s = PublicSession(
        partnership=partnership,
        title="Face the People: Leyland",
        date=dt.date.today() + dt.timedelta(days=14),
        starts=dt.time(18, 30),
        ends=dt.time(20, 0),
        venue="Civic Centre, main hall",
        panel="District commander; council head of community safety",
    )
    s.save()
    return s


def _ask(client, partnership, session, text, **extra):
    return client.post(
        f"/scrutiny/{partnership.slug}/face-the-people/{session.pk}/",
        {"text": text, "asked_by": extra.get("asked_by", ""), "neighbourhood": "", "website": ""},
        REMOTE_ADDR=extra.get("ip", "198.51.100.20"),
    )


def test_a_question_waits_for_moderation_then_is_answered_and_published(
    client, partnership, session, coordinator
):
    p = partnership.slug
    page = client.get(f"/scrutiny/{p}/face-the-people/{session.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Civic Centre, main hall" in body and "6:30pm to 8pm" in body
    assert "Send your question" in body

    response = _ask(
        client,
        partnership,
        session,
        "What is being done about speeding on Moss Lane?",
        asked_by="Sam",
    )
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    rude = _ask(client, partnership, session, "A question naming a neighbour", ip="198.51.100.21")
    assert rude.status_code == 302
    q1 = Question.objects.get(text__startswith="What is being done")
    q2 = Question.objects.get(text__startswith="A question naming")
    assert q1.status == q2.status == Question.Status.PENDING
    # Nothing is shown before moderation.
    body = client.get(f"/scrutiny/{p}/face-the-people/{session.pk}/").content.decode()
    assert "Moss Lane" not in body

    client.force_login(coordinator)
    queue = client.get(f"/scrutiny/{p}/manage/sessions/{session.pk}/").content.decode()
    assert "Waiting for moderation (2)" in queue and "Moss Lane" in queue
    # A rejection needs its reason.
    no_reason = client.post(
        f"/scrutiny/{p}/manage/questions/{q2.pk}/moderate", {"decision": "reject", "reason": ""}
    )
    assert no_reason.status_code == 400
    assert "Give the reason" in no_reason.content.decode()
    client.post(
        f"/scrutiny/{p}/manage/questions/{q2.pk}/moderate",
        {"decision": "reject", "reason": "Names a private individual."},
    )
    client.post(f"/scrutiny/{p}/manage/questions/{q1.pk}/moderate", {"decision": "approve"})
    q1.refresh_from_db()
    q2.refresh_from_db()
    assert q1.status == Question.Status.APPROVED and q1.moderated_by == coordinator
    assert q2.status == Question.Status.REJECTED and q2.reason == "Names a private individual."
    # Moderated once only.
    again = client.post(
        f"/scrutiny/{p}/manage/questions/{q1.pk}/moderate",
        {"decision": "reject", "reason": "changed my mind"},
    )
    assert again.status_code == 400
    # A rejected question cannot be answered; publishing needs an answer.
    assert (
        client.post(
            f"/scrutiny/{p}/manage/questions/{q2.pk}/answer", {"answer": "x", "answered_by": "y"}
        ).status_code
        == 400
    )
    assert client.post(f"/scrutiny/{p}/manage/sessions/{session.pk}/publish").status_code == 400

    client.logout()
    body = client.get(f"/scrutiny/{p}/face-the-people/{session.pk}/").content.decode()
    assert "Questions to be answered" in body and "Moss Lane" in body
    assert "naming a neighbour" not in body

    client.force_login(coordinator)
    client.post(
        f"/scrutiny/{p}/manage/questions/{q1.pk}/answer",
        {"answer": "Two speed checks a week from next month.", "answered_by": "District commander"},
    )
    response = client.post(f"/scrutiny/{p}/manage/sessions/{session.pk}/publish")
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == PublicSession.Status.HELD
    assert session.answers_published_on == dt.date.today()

    client.logout()
    body = client.get(f"/scrutiny/{p}/face-the-people/{session.pk}/").content.decode()
    assert "Question from Sam:" in body
    assert "Answer by District commander:" in body and "Two speed checks a week" in body
    assert "naming a neighbour" not in body and "Names a private individual" not in body
    listing = client.get(f"/scrutiny/{p}/face-the-people/").content.decode()
    assert "Answers published" in listing
    # Every step audited: the public's questions as anonymous, the moderation by its moderator.
    events = AuditEvent.objects.filter(model="scrutiny.Question", object_id=str(q1.pk))
    assert events.filter(action="create", actor="anonymous").exists()
    assert events.filter(action="update", user=coordinator).count() == 2


def test_contact_details_are_held_for_the_moderator_to_check(client, partnership, session):
    _ask(client, partnership, session, "Call me on 07700 900123 about the bins fires")
    q = Question.objects.get()
    assert q.status == Question.Status.PENDING
    assert q.held_because == "contact details in the text"


def test_the_honeypot_and_size_limits_refuse(client, partnership, session, settings):
    p = partnership.slug
    bot = client.post(
        f"/scrutiny/{p}/face-the-people/{session.pk}/",
        {"text": "buy now", "website": "http://spam.example"},
        REMOTE_ADDR="198.51.100.30",
    )
    assert bot.status_code == 400
    long = _ask(client, partnership, session, "x" * 2001, ip="198.51.100.31")
    assert long.status_code == 400
    huge = client.post(
        f"/scrutiny/{p}/face-the-people/{session.pk}/",
        {"text": "y" * 30_000, "website": ""},
        REMOTE_ADDR="198.51.100.32",
    )
    assert huge.status_code == 413 and "Your response is too long" in huge.content.decode()
    assert not Question.objects.exists()


def test_a_burst_is_refused_with_a_clear_message(client, partnership, session, settings):
    settings.CDRP_PUBLIC_FORM_LIMIT = 3
    codes = [_ask(client, partnership, session, f"Question {i}").status_code for i in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Question.objects.count() == 3
    refused = _ask(client, partnership, session, "one more")
    assert "Too many responses from your connection" in refused.content.decode()


def test_questions_close_the_day_before_the_session(client, partnership, session):
    session.date = dt.date.today()
    session.save()
    response = _ask(client, partnership, session, "Too late?")
    assert response.status_code == 400
    assert "no longer taking questions" in response.content.decode()
    assert not Question.objects.exists()


def test_another_partnerships_coordinator_cannot_moderate_or_read_the_queue(
    client, partnership, other_partnership, session
):
    q = Question(session=session, text="Ours")
    q.save()
    client.force_login(user_with_role("preston-coordinator", other_partnership, "coordinator"))
    theirs, mine = other_partnership.slug, partnership.slug
    assert client.get(f"/scrutiny/{theirs}/manage/sessions/{session.pk}/").status_code == 404
    assert client.get(f"/scrutiny/{theirs}/face-the-people/{session.pk}/").status_code == 404
    for slug, code in ((theirs, 404), (mine, 403)):
        assert (
            client.post(
                f"/scrutiny/{slug}/manage/questions/{q.pk}/moderate", {"decision": "approve"}
            ).status_code
            == code
        )
        assert (
            client.post(
                f"/scrutiny/{slug}/manage/questions/{q.pk}/answer",
                {"answer": "a", "answered_by": "b"},
            ).status_code
            == code
        )
        assert (
            client.post(f"/scrutiny/{slug}/manage/sessions/{session.pk}/publish").status_code
            == code
        )
    assert client.get(f"/scrutiny/{mine}/manage/sessions/{session.pk}/").status_code == 403
    q.refresh_from_db()
    assert q.status == Question.Status.PENDING and q.version == 1
