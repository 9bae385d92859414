"""Browser journey (headless Chromium): a ward councillor raises a Community Call for Action;
over the following weeks (a frozen clock moved on) the coordinator screens it against the
published criteria, refers it to the council's crime and disorder committee, records the
committee's recommendations and publishes the partnership's response before its deadline; the
public log, read with no account, shows each step dated, and passes axe. A resident's question
to Face the People waits for moderation, is approved, answered and published."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from cdrp.partnerships.models import Organisation, Person
from cdrp.scrutiny.models import CommunityCall, Councillor, PublicSession
from conftest import FROZEN_TODAY, user_with_role
from helpers import axe_violations, screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("frozen_today"),
]
LONDON = ZoneInfo("Europe/London")


def _no_violations(page):
    violations = axe_violations(page)
    assert not violations, [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations
    ]


@pytest.fixture
def people(partnership):
    council = Organisation(slug="ward-council", name="Borough Council", kind="district_council")
    council.save()
    partnership.responsible_authorities.add(council)
    account = user_with_role("cllr-jones")
    person = Person(slug="cllr-jones", name="Councillor A. Jones", account=account)
    person.save()
    Councillor(
        partnership=partnership, person=person, ward="Riverside ward", council=council
    ).save()
    user_with_role("ccfa-coordinator", partnership, "coordinator")
    return person


def _move(traveller, day: dt.date):
    traveller.move_to(dt.datetime.combine(day, dt.time(10), tzinfo=LONDON))


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_a_councillors_call_from_submission_to_published_response(
    page, frozen_today, partnership, people
):
    p = partnership.slug
    sign_in(page, "cllr-jones")
    page.goto(f"/scrutiny/{p}/calls/")
    page.get_by_role("link", name="Raise a call (ward councillors)").click()
    page.get_by_label("Title of the call").fill("Off-road bikes on the riverside path")
    page.get_by_label("The problem").fill("Bikes ridden at speed on the path every evening.")
    page.get_by_label("Raised on behalf of").fill("Residents of the riverside estate")
    page.get_by_label("What has been tried already").fill("Reported on 101 since March.")
    page.get_by_role("button", name="Raise the call").click()
    expect(
        page.get_by_role("heading", name="CCfA 1: Off-road bikes on the riverside path")
    ).to_be_visible()
    expect(page.get_by_text("25 November 2026: Submitted")).to_be_visible()
    _sign_out(page)

    _move(frozen_today, FROZEN_TODAY + dt.timedelta(days=7))  # 2 December
    sign_in(page, "ccfa-coordinator")
    page.goto(f"/scrutiny/{p}/manage/")
    page.get_by_role("link", name="CCfA 1: Off-road bikes on the riverside path").click()
    # .all() does not wait: the working page must have loaded before its groups are listed.
    expect(page.get_by_role("button", name="Record the screening")).to_be_visible()
    for group in page.locator("main form").get_by_role("group").all():
        group.get_by_label("Yes").check()
    page.get_by_label("Reasons").fill("Persistent ASB on the path, reported monthly since March.")
    page.get_by_role("button", name="Record the screening").click()
    expect(page.get_by_text("2 December 2026: Screened: meets the criteria")).to_be_visible()
    page.get_by_label("Refer it", exact=True).check()
    page.get_by_label("Committee").fill("Overview and Scrutiny Committee")
    page.get_by_role("button", name="Record the referral decision").click()
    expect(
        page.get_by_text("2 December 2026: Referred to Overview and Scrutiny Committee")
    ).to_be_visible()
    _sign_out(page)

    _move(frozen_today, FROZEN_TODAY + dt.timedelta(days=21))  # 16 December: the committee met
    sign_in(page, "ccfa-coordinator")
    call = CommunityCall.objects.get()
    page.goto(f"/scrutiny/{p}/manage/calls/{call.pk}/")
    page.get_by_label("The committee's recommendations", exact=True).fill(
        "Joint patrols on summer evenings."
    )
    page.get_by_label("Date of the committee's recommendations").fill("15/12/2026")
    page.get_by_role("button", name="Record the recommendations").click()
    expect(page.get_by_text("Response due by 12 January 2027")).to_be_visible()
    _sign_out(page)

    _move(frozen_today, dt.date(2027, 1, 6))
    sign_in(page, "ccfa-coordinator")
    page.goto(f"/scrutiny/{p}/manage/calls/{call.pk}/")
    page.get_by_label("The partnership's response").fill("Patrols agreed from April.")
    page.get_by_role("button", name="Publish the response").click()
    expect(page.get_by_text("6 January 2027: Partnership response published")).to_be_visible()
    _sign_out(page)

    call.refresh_from_db()
    assert call.status == CommunityCall.Status.RESPONDED
    assert call.responded_on < call.response_due == dt.date(2027, 1, 12)

    # The public log, with no account.
    page.goto(f"/partnerships/{p}/")
    page.get_by_role("link", name="Community Call for Action").click()
    row = page.get_by_role("row").filter(has_text="CCfA 1")
    for text in [
        "25 November 2026: Submitted",
        "2 December 2026: Screened: meets the criteria",
        "2 December 2026: Referred to Overview and Scrutiny Committee",
        "15 December 2026: Committee recommendations made",
        "6 January 2027: Partnership response published",
        "Response published",
        "on time",
    ]:
        expect(row).to_contain_text(text)
    _no_violations(page)
    screenshot(page, "scrutiny-ccfa-log")
    page.get_by_role("link", name="CCfA 1: Off-road bikes on the riverside path").click()
    expect(page.locator("#steps li")).to_have_count(5)
    expect(page.get_by_text("Patrols agreed from April.")).to_be_visible()
    _no_violations(page)


def test_a_residents_question_is_moderated_answered_and_published(page, partnership):
    user_with_role("ftp-coordinator", partnership, "coordinator")
    session = PublicSession(
        partnership=partnership,
        title="Face the People: Riverside",
        date=FROZEN_TODAY + dt.timedelta(days=10),
        starts=dt.time(18, 30),
        ends=dt.time(20, 0),
        venue="Riverside community centre",
    )
    session.save()
    p = partnership.slug
    page.goto(f"/partnerships/{p}/")
    page.get_by_role("link", name="Face the People").click()
    expect(page.get_by_text("6:30pm to 8pm")).to_be_visible()
    _no_violations(page)
    page.get_by_role("link", name="Face the People: Riverside").click()
    page.get_by_label("Your question").fill("When will the street lights on Mill Lane be fixed?")
    page.get_by_role("button", name="Send your question").click()
    expect(page.get_by_text("Question received")).to_be_visible()
    expect(page.get_by_text("Mill Lane")).to_have_count(0)
    _no_violations(page)

    sign_in(page, "ftp-coordinator")
    page.goto(f"/scrutiny/{p}/manage/sessions/{session.pk}/")
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Moderate question 1").click()
    page.get_by_label("Answer given to approved question 1").fill("They are booked for next week.")
    page.get_by_label("Answered by (question 1)").fill("Head of community safety")
    page.get_by_role("button", name="Record answer 1").click()
    page.get_by_role("button", name="Publish the answers").click()
    _sign_out(page)

    page.goto(f"/scrutiny/{p}/face-the-people/{session.pk}/")
    expect(page.get_by_role("heading", name="Answers")).to_be_visible()
    expect(page.get_by_text("They are booked for next week.")).to_be_visible()
    _no_violations(page)
