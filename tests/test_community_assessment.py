"""A survey run in cdrp feeds the strategic assessment's community-views section directly
(through the hook intelligence owns, `cdrp.intelligence.hooks.register_survey_provider`); the
CSV route still wins when a file is given; a later moderated response makes the assessment
stale; an approved assessment's public summary is published by a strategy decision."""

from __future__ import annotations

import datetime as dt

import pytest

from cdrp.community import surveys
from cdrp.community.models import Question, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_survey(south_districts):
    p = south_districts
    survey = Survey.objects.create(
        partnership=p,
        title="Lancashire South community safety survey",
        closes_on=dt.date(2022, 10, 31),
        retain_until=dt.date(2023, 10, 31),
    )
    multiple = Question.objects.create(
        survey=survey,
        position=1,
        text="Which concern you?",
        kind="multiple",
        options=["Burglary", "Drugs", "Speeding"],
    )
    scale = Question.objects.create(
        survey=survey,
        position=2,
        text="How big a problem is anti-social behaviour?",
        kind="scale",
        concern="Anti-social behaviour",
    )
    text = Question.objects.create(survey=survey, position=3, text="Anything else?", kind="text")
    surveys.open_survey(survey, dt.date(2022, 10, 1))
    on = dt.date(2022, 10, 5)
    for i in range(20):
        chosen = (["Burglary"] if i < 15 else []) + (["Speeding"] if i < 10 else [])
        surveys.submit(
            survey,
            {
                multiple.pk: chosen,
                scale.pk: ["Very big problem" if i < 4 else "Not a problem at all"],
                text.pk: "Too many cars speeding",
            },
            on,
        )
    surveys.close(survey, dt.date(2022, 10, 31))
    return survey


def _section(document, section_id):
    return next(s for s in document["sections"] if s["id"] == section_id)


def test_assessment_community_views_show_the_survey_results(
    closed_survey, reference_store, south_districts
):
    from cdrp.intelligence.assessments import build
    from cdrp.store import Store

    record = build(
        partnership=south_districts, end="2022-11", store=Store(reference_store[0]), save=False
    )
    community = _section(record.document, "community")
    assert "Lancashire South community safety survey" in community["text"][0]
    assert "(20 respondents)" in community["text"][0]
    rows = {r["concern"]: r for r in community["tables"][0]["rows"]}
    assert rows["Burglary"]["respondents"] == 20
    assert rows["Burglary"]["share_raised"] == pytest.approx(0.75)
    assert rows["Speeding"]["share_raised"] == pytest.approx(0.5)
    assert rows["Drugs"]["share_raised"] == 0
    assert rows["Anti-social behaviour"]["share_raised"] == pytest.approx(0.2)
    assert rows["Burglary"]["recorded"] > 0  # beside the recorded picture
    assert community["findings"][0]["text"].startswith("Residents' top concerns: Burglary (75%)")
    assert any(s["name"] == "Community survey" for s in record.document["sources"])
    assert record.parameters["survey_record"] == f"survey:{closed_survey.pk}@20:0"


def test_the_csv_route_still_wins(closed_survey, reference_store, south_districts):
    from pathlib import Path

    from cdrp.intelligence.assessments import build
    from cdrp.store import Store

    csv = Path(__file__).parent / "data" / "assessment_survey.csv"
    record = build(
        partnership=south_districts,
        end="2022-11",
        store=Store(reference_store[0]),
        save=False,
        survey_path=str(csv),
    )
    community = _section(record.document, "community")
    assert "assessment_survey.csv" in community["text"][0]
    assert record.parameters["survey_record"] is None


def test_no_survey_in_the_period_leaves_the_section_as_before(south_districts):
    from cdrp.intelligence import hooks

    assert hooks.survey_results(south_districts, "2021-12", "2022-11") is None


def test_a_survey_outside_the_period_is_not_used(closed_survey, south_districts):
    from cdrp.intelligence import hooks

    assert hooks.survey_results(south_districts, "2024-12", "2025-11") is None
    found = hooks.survey_results(south_districts, "2021-12", "2022-11")
    assert found is not None and found[2].startswith(f"survey:{closed_survey.pk}@20")


def test_a_moderation_makes_the_assessment_stale(
    closed_survey, reference_store, south_districts, settings
):
    from cdrp.intelligence.assessments import build, staleness
    from cdrp.store import Store

    settings.INCIDENT_STORE = reference_store[0]
    record = build(partnership=south_districts, end="2022-11", store=Store(reference_store[0]))
    assert staleness(record) == []
    response = closed_survey.responses.first()
    surveys.moderate(response, accept=False)
    assert "the community survey it reads has new or moderated responses" in staleness(record)


def test_public_summary_published_by_a_strategy_decision(
    client, closed_survey, reference_store, south_districts, settings, coordinator
):
    from cdrp.accounts.audit import acting_as
    from cdrp.community.summaries import draft
    from cdrp.intelligence.assessments import advance, build
    from cdrp.meetings.models import Decision, Meeting
    from cdrp.partnerships.models import Group
    from cdrp.store import Store

    settings.INCIDENT_STORE = reference_store[0]
    with acting_as(None, "test"):
        record = build(partnership=south_districts, end="2022-11", store=Store(reference_store[0]))
        strategy = Group.objects.create(
            partnership=south_districts, slug="rag", name="Strategy group", kind="strategy"
        )
        meeting = Meeting.objects.create(group=strategy, date=dt.date(2023, 1, 25), status="held")
        decision = Decision.objects.create(
            meeting=meeting,
            motion="Publish the summary of the strategic assessment",
            result="carried",
        )
    advance(record, None)
    advance(record, None)
    summary = draft(record)
    assert "Burglary" in summary.community
    assert summary.priority_lines  # the recommended priorities
    url = f"/community/lancashire-south/summaries/{summary.pk}/"
    assert client.get(url).status_code == 404  # not published
    client.force_login(coordinator)
    edit = f"/community/lancashire-south/manage/summaries/{record.pk}/"
    response = client.post(
        edit,
        {
            "priorities": summary.priorities,
            "trends": summary.trends,
            "community": summary.community,
            "decision": decision.pk,
        },
    )
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.published_on == dt.date(2023, 1, 25)
    assert summary.approval_decision == decision and summary.approved_on == dt.date(2023, 1, 25)
    client.logout()
    page = client.get(url).content.decode()
    assert "Publish the summary of the strategic assessment" in page
    assert "Residents&#x27; top concerns: Burglary (75%)" in page


def test_two_questions_about_one_crime_type_give_it_one_concern_score(
    reference_store, south_districts
):
    """A tick-box answer and a problem-scale question both about burglary: the assessment's
    priorities take the larger share raised (75%) as burglary's concern, where two rows for one
    candidate used to stop the build."""
    from cdrp.intelligence.assessments import build
    from cdrp.store import Store

    survey = Survey.objects.create(
        partnership=south_districts,
        title="Burglary twice",
        closes_on=dt.date(2022, 10, 31),
        retain_until=dt.date(2023, 10, 31),
    )
    ticks = Question.objects.create(
        survey=survey, position=1, text="Which concern you?", kind="multiple",
        options=["Burglary", "Drugs"],
    )  # fmt: skip
    scale = Question.objects.create(
        survey=survey, position=2, text="How big a problem is burglary?", kind="scale",
        concern="Burglary",
    )  # fmt: skip
    surveys.open_survey(survey, dt.date(2022, 10, 1))
    for i in range(20):
        answers = {
            ticks.pk: ["Burglary"] if i < 15 else [],
            scale.pk: ["Very big problem" if i < 4 else "Not a problem at all"],
        }
        surveys.submit(survey, answers, dt.date(2022, 10, 5))
    surveys.close(survey, dt.date(2022, 10, 31))

    record = build(
        partnership=south_districts, end="2022-11", store=Store(reference_store[0]), save=False
    )
    community = _section(record.document, "community")
    shares = {r["concern"]: r["share_raised"] for r in community["tables"][0]["rows"]}
    assert shares["Burglary"] == pytest.approx(0.75)
    assert shares["Burglary (2)"] == pytest.approx(0.2)
    priorities = _section(record.document, "priorities")
    cited = {
        str(cell).split("#", 1)[1]
        for table in priorities["tables"]
        for row in table["rows"]
        for cell in row.values()
        if str(cell).startswith("community-concerns#")
    }
    assert "Burglary (2)" not in cited
