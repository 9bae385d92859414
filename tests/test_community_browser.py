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

    # The map: a resident clicks their ward's shape and lands on its page.
    page.goto("/community/lancashire-south/map/")
    _no_serious_issues(page)
    page.locator("svg.cdrp-ward-map a[aria-label='Chorley East'] path").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chorley East")
    assert page.url.endswith("/community/area/E05005126/")
    expect(page.locator("#priorities ~ ol")).to_contain_text("Reducing burglary")
    meetings = page.locator("#meetings + ul")
    expect(meetings).to_contain_text("6:30pm")
    expect(meetings).to_contain_text("Chorley Town Hall, Market Street")


def test_a_pact_priority_becomes_an_action_whose_outcome_the_area_page_shows_and_a_closed_survey_feeds_the_assessment(  # noqa: E501
    page, area_world, reference_store, settings
):
    from cdrp.accounts.audit import acting_as
    from cdrp.community import pact
    from cdrp.intelligence.assessments import build
    from cdrp.store import Store
    from conftest import user_with_role
    from helpers import sign_in

    p = area_world["partnership"]
    user_with_role("pact-coordinator", p, "coordinator")
    with acting_as(None, "test"):
        held = pact.arrange(
            area_world["tasking"],
            dt.date.today() - dt.timedelta(days=30),
            area_world["wards"]["E05005126"],
            "the next three months",
        )
    sign_in(page, "pact-coordinator")
    page.goto(f"/community/lancashire-south/manage/pact/{held.pk}/")
    page.get_by_label("Residents attending").fill("23")
    page.get_by_label("Votes").fill(
        "Speeding on Station Road, 14\nDrug dealing by the park, 9\nLitter, 2\nDog fouling, 1"
    )
    page.get_by_role("button", name="Record votes and choose the top three").click()
    expect(page.get_by_text("Votes recorded and the priorities chosen.")).to_be_visible()
    _no_serious_issues(page)
    page.get_by_label("Who owns “Speeding on Station Road”").select_option(label="PC Jones")
    page.get_by_label("Due date for “Speeding on Station Road”").fill(
        (dt.date.today() + dt.timedelta(days=30)).isoformat()
    )
    page.get_by_role("button", name="Make it an action for “Speeding on Station Road”").click()
    expect(page.get_by_text("“Speeding on Station Road” is now an action.")).to_be_visible()

    # The action is done: its owner's team closes it on the action tracker with what was done.
    page.goto("/meetings/lancashire-south/actions/")
    row = page.get_by_role("row").filter(has_text="Speeding on Station Road")
    row.get_by_role("link", name="Close action: PACT priority for Chorley East").click()
    page.get_by_label("What was done").fill("Speed checks on five evenings: 28 drivers warned.")
    page.get_by_role("button", name="Close the action").click()
    page.get_by_role("button", name="Sign out").click()

    # A resident reads the ward's page: the priority, its outcome, and "You said, we did".
    page.goto("/community/area/E05005126/")
    pact_row = (
        page.get_by_role("table", name="Priorities residents chose at PACT meetings")
        .get_by_role("row")
        .filter(has_text="Speeding on Station Road")
    )
    expect(pact_row).to_contain_text("14 votes")
    expect(pact_row).to_contain_text("Speed checks on five evenings: 28 drivers warned.")
    expect(page.locator("#said ~ dl")).to_contain_text(
        "We did: Speed checks on five evenings: 28 drivers warned."
    )
    _no_serious_issues(page)

    # A survey that closed in the assessment's year: its results are the community views.
    survey = Survey.objects.create(
        partnership=p,
        title="Community safety survey 2022",
        closes_on=dt.date(2022, 10, 31),
        retain_until=dt.date(2023, 10, 31),
    )
    concerns = Question.objects.create(
        survey=survey,
        position=1,
        text="Which of these concern you?",
        kind="multiple",
        options=["Burglary", "Drugs"],
    )
    surveys.open_survey(survey, dt.date(2022, 10, 1))
    for i in range(12):
        surveys.submit(
            survey, {concerns.pk: ["Burglary"] if i < 9 else ["Drugs"]}, dt.date(2022, 10, 5)
        )
    surveys.close(survey, dt.date(2022, 10, 31))
    settings.INCIDENT_STORE = reference_store[0]
    record = build(partnership=p, end="2022-11", store=Store(reference_store[0]))
    sign_in(page, "pact-coordinator")
    page.goto(f"/intelligence/assessments/lancashire-south/{record.pk}/")
    views = page.locator("#section-community")
    expect(views).to_contain_text("Community safety survey 2022")
    expect(views).to_contain_text("(12 respondents)")
    expect(views.get_by_role("row").filter(has_text="Burglary")).to_contain_text("75.0%")
