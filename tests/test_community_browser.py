"""In headless Chromium, keyboard only: a resident finds their ward by name, sees its
priorities and next meeting, answers the open survey, and after the survey closes and its
results are published sees them; axe finds no serious or critical issue on these pages."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from cdrp.community import surveys
from cdrp.community.models import Question, Survey
from community_fixtures import area_world_fixture  # noqa: F401
from helpers import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _no_serious_issues(page):
    violations = axe_violations(page)
    assert not violations, [(v["id"], v["help"], page.url) for v in violations]


def test_resident_finds_ward_and_answers_the_survey_keyboard_only(page, area_world):
    p = area_world["partnership"]
    survey = Survey.objects.create(
        partnership=p,
        title="Feeling safe in Chorley",
        closes_on=dt.date.today() + dt.timedelta(days=14),
        retain_until=dt.date.today() + dt.timedelta(days=365),
    )
    concerns = Question.objects.create(
        survey=survey,
        position=1,
        text="Which of these concern you?",
        kind="multiple",
        options=["Burglary", "Drugs", "Speeding"],
    )
    Question.objects.create(
        survey=survey,
        position=2,
        text="How big a problem is anti-social behaviour?",
        kind="scale",
        concern="Anti-social behaviour",
    )
    Question.objects.create(
        survey=survey, position=3, text="Which ward do you live in?", kind="area"
    )
    Question.objects.create(survey=survey, position=4, text="Anything else?", kind="text")
    surveys.open_survey(survey, dt.date.today())

    page.goto("/community/")
    _no_serious_issues(page)
    _tab_to(page, "#q")
    page.keyboard.type("Chorley East")
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_contain_text("Chorley East")
    _tab_to(page, "#results a >> nth=0")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chorley East")
    expect(page.locator("#priorities ~ ol")).to_contain_text("Tackling anti-social behaviour")
    expect(page.get_by_text("Chorley Town Hall, Market Street")).to_be_visible()
    screenshot(page, "community-area")
    _no_serious_issues(page)

    _tab_to(page, f"a[href$='/surveys/{survey.pk}/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Feeling safe in Chorley")
    _no_serious_issues(page)
    _tab_to(page, f"#id_q{concerns.pk}_0")  # Burglary
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # Speeding
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the scale's radios: the first takes the focus
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the ward
    page.keyboard.type("Chorley East")
    page.keyboard.press("Tab")  # the free text
    page.keyboard.type("Cars go far too fast on the main road")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Send my answers
    expect(page.locator(".govuk-panel__title")).to_have_text("Thank you")
    _no_serious_issues(page)

    response = survey.responses.get()
    answers = {a.question.text: (a.choices, a.text) for a in response.answers.all()}
    assert answers["Which of these concern you?"][0] == ["Burglary", "Speeding"]
    assert answers["How big a problem is anti-social behaviour?"][0] == ["Very big problem"]
    assert response.ward == "E05005126"
    assert answers["Anything else?"][1] == "Cars go far too fast on the main road"

    # More residents answer; the survey closes and its results are published.
    q = {x.kind: x.pk for x in survey.questions.all()}
    for _ in range(5):
        surveys.submit(
            survey, {q["multiple"]: ["Burglary"], q["scale"]: ["Very big problem"]}, dt.date.today()
        )
    surveys.close(survey, dt.date.today())
    surveys.publish(survey, dt.date.today())
    page.goto(f"/community/lancashire-south/surveys/{survey.pk}/results/")
    expect(page.locator("#respondents")).to_contain_text("6 people answered")
    expect(page.get_by_role("cell", name="Burglary")).to_be_visible()
    screenshot(page, "community-results")
    _no_serious_issues(page)

    page.goto("/community/lancashire-south/map/")
    expect(page.get_by_role("link", name="Chorley East").first).to_be_visible()
    _no_serious_issues(page)
