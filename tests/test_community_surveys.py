"""Consultations: a coordinator builds a survey, residents answer it anonymously (no account),
the results page shows it only after closing and publishing, with Wilson intervals and
small-number suppression; a response holding an e-mail address waits for moderation; a burst of
responses from one connection is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from cdrp.community.models import Answer, Question, Response, Survey
from community_fixtures import area_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    cache.clear()
    settings.CDRP_PUBLIC_FORM_LIMIT = 1000  # each test's residents come from one address
    yield
    cache.clear()


def _build(client, coordinator):
    client.force_login(coordinator)
    today = dt.date.today()
    response = client.post(
        "/community/lancashire-south/manage/surveys/new/",
        {
            "title": "Community safety survey 2026",
            "description": "Tell us what worries you.",
            "closes_on": (today + dt.timedelta(days=30)).isoformat(),
            "retain_until": (today + dt.timedelta(days=365)).isoformat(),
            "privacy_notice": "Anonymous. Deleted after the retention date.",
        },
    )
    assert response.status_code == 302, response.content.decode()
    survey = Survey.objects.get()
    edit = response["Location"]
    for data in (
        {
            "text": "Which of these concern you?",
            "kind": "multiple",
            "options_text": "Burglary\nDrugs\nSpeeding",
            "feeds_assessment": "on",
        },
        {
            "text": "How big a problem is anti-social behaviour?",
            "kind": "scale",
            "concern": "Anti-social behaviour",
            "feeds_assessment": "on",
        },
        {"text": "Where do you live?", "kind": "area"},
        {"text": "Anything else?", "kind": "text"},
    ):
        assert client.post(edit, data).status_code == 302
    assert client.post(f"{edit}open/").status_code == 302
    survey.refresh_from_db()
    assert survey.status == "open" and survey.questions.count() == 4
    client.logout()
    return survey


def _answer(client, survey, concerns, scale, ward="E05005126", text=""):
    q = {x.kind: x.pk for x in survey.questions.all()}
    data = {
        f"q{q['multiple']}": concerns,
        f"q{q['scale']}": scale,
        f"q{q['area']}": ward,
        f"q{q['text']}": text,
        "website": "",
    }
    return client.post(f"/community/lancashire-south/surveys/{survey.pk}/", data)


def _close_and_publish(client, coordinator, survey):
    client.force_login(coordinator)
    base = f"/community/lancashire-south/manage/surveys/{survey.pk}/"
    assert client.post(f"{base}close/").status_code == 302
    assert client.post(f"{base}publish/").status_code == 302
    survey.refresh_from_db()
    client.logout()


def test_survey_answered_then_results_after_closing_with_suppression(
    client, area_world, coordinator
):
    survey = _build(client, coordinator)
    form = client.get(f"/community/lancashire-south/surveys/{survey.pk}/").content.decode()
    assert "How we use your answers (privacy notice)" in form and "Chorley East" in form
    # 12 residents: 9 name burglary, 3 speeding (under the threshold of 5), 8 drugs
    for i in range(12):
        concerns = ["Burglary"] if i < 9 else []
        concerns += ["Speeding"] if i >= 9 else []
        concerns += ["Drugs"] if i % 3 else []
        scale = "Very big problem" if i < 6 else "Not a problem at all"
        response = _answer(client, survey, concerns, scale)
        assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert Response.objects.filter(survey=survey, status="accepted").count() == 12
    # not public before closing and publishing
    results = f"/community/lancashire-south/surveys/{survey.pk}/results/"
    assert client.get(results).status_code == 404
    _close_and_publish(client, coordinator, survey)
    assert survey.status == "published"
    page = client.get(results).content.decode()
    assert "12 people answered" in page
    rows = survey.results["questions"][0]["rows"]
    burglary, drugs, speeding = rows
    assert burglary["count"] == 9 and round(burglary["share"], 4) == 0.75
    # Wilson 95% interval for 9 of 12
    assert (round(burglary["low"], 3), round(burglary["high"], 3)) == (0.468, 0.911)
    assert drugs["count"] == 8
    assert speeding["count"] == "[c]" and speeding["share"] is None
    assert "75%" in page and "47% to 91%" in page and "[c]" in page
    scale = survey.results["questions"][1]["rows"]
    assert [r["count"] for r in scale] == [6, 0, 0, 6]
    # the area question is a partition: a single small ward count would be withheld with another
    area = survey.results["questions"][2]["rows"]
    assert {r["label"]: r["count"] for r in area}["Chorley East"] == 12


def test_too_few_respondents_publish_no_figures(client, area_world, coordinator):
    survey = _build(client, coordinator)
    for _ in range(3):
        _answer(client, survey, ["Burglary"], "Very big problem")
    _close_and_publish(client, coordinator, survey)
    page = client.get(f"/community/lancashire-south/surveys/{survey.pk}/results/").content.decode()
    assert "Too few people answered" in page
    assert all(r["count"] == "[c]" for q in survey.results["questions"] for r in q["rows"])


def test_a_single_small_answer_in_a_partition_is_protected_by_a_second(area_world):
    from cdrp.community.surveys import _withheld

    # 10 answered: 7, 3, 0 — the 3 is withheld, and the 7 too, since 10 - 7 would reveal it
    assert _withheld([7, 3, 0], True, 5) == [True, True, False]
    assert _withheld([7, 3, 0], False, 5) == [False, True, False]


def test_a_response_with_an_email_address_waits_for_moderation(client, area_world, coordinator):
    survey = _build(client, coordinator)
    response = _answer(
        client,
        survey,
        ["Drugs"],
        "Fairly big problem",
        text="Dealing outside the shop every night, email me on jo@example.org",
    )
    assert response.status_code == 200
    assert "a moderator will read it before it is used" in response.content.decode()
    held = Response.objects.get(survey=survey)
    assert held.status == "held" and "e-mail address" in held.held_because
    _answer(client, survey, ["Drugs"], "Fairly big problem", text="Drug dealing near the park")
    # the held response is not counted, and nobody else sees its text
    from cdrp.community.surveys import compute_results

    assert compute_results(survey)["respondents"] == 1
    client.force_login(coordinator)
    queue = client.get("/community/lancashire-south/manage/moderation/").content.decode()
    assert "jo@example.org" in queue and "contains an e-mail address" in queue
    # publishing is refused while a response is held
    base = f"/community/lancashire-south/manage/surveys/{survey.pk}/"
    client.post(f"{base}close/")
    client.post(f"{base}publish/")
    survey.refresh_from_db()
    assert survey.status == "closed"
    answer = Answer.objects.get(response=held, question__kind="text")
    client.post(
        "/community/lancashire-south/manage/moderation/",
        {"response": held.pk, "decision": "withhold", f"theme-{answer.pk}": "Drug dealing"},
    )
    held.refresh_from_db()
    answer.refresh_from_db()
    assert held.status == "accepted" and answer.text == "" and answer.theme == "Drug dealing"
    other = Answer.objects.exclude(response=held).get(question__kind="text")
    client.post(
        "/community/lancashire-south/manage/moderation/",
        {"response": other.response_id, "decision": "accept", f"theme-{other.pk}": "Drug dealing"},
    )
    assert compute_results(survey)["questions"][3]["themes"] == [
        {"theme": "Drug dealing", "count": "[c]"}
    ]
    client.post(f"{base}publish/")
    survey.refresh_from_db()
    assert survey.status == "published"
    # the moderation is audited
    from cdrp.accounts.models import AuditEvent

    assert AuditEvent.objects.filter(model__icontains="moderationdecision").count() == 2


def test_a_burst_of_responses_is_refused(client, area_world, coordinator, settings):
    survey = _build(client, coordinator)
    settings.CDRP_PUBLIC_FORM_LIMIT = 3
    codes = [_answer(client, survey, ["Drugs"], "Very big problem").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    refused = _answer(client, survey, ["Drugs"], "Very big problem").content.decode()
    assert "Too many responses from your connection" in refused
    assert Response.objects.filter(survey=survey).count() == 3


def test_the_honeypot_refuses_a_bot(client, area_world, coordinator):
    survey = _build(client, coordinator)
    q = {x.kind: x.pk for x in survey.questions.all()}
    response = client.post(
        f"/community/lancashire-south/surveys/{survey.pk}/",
        {f"q{q['multiple']}": ["Drugs"], "website": "http://spam.example"},
    )
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_residents_cannot_manage_and_members_cannot_moderate(client, area_world, member):
    assert client.get("/community/lancashire-south/manage/").status_code == 302
    client.force_login(member)
    assert client.get("/community/lancashire-south/manage/moderation/").status_code == 403


def test_question_kinds(area_world):
    assert {k.value for k in Question.Kind} == {"single", "multiple", "scale", "text", "area"}
