"""Browser journey (issue 17): a member finds their action on their home page and closes it with
a note; the page has no serious or critical accessibility issue."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from conftest import user_with_role
from helpers import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def member_with_action(demo_registry):
    from cdrp.meetings.agenda import arrange_meeting, raise_action
    from cdrp.partnerships.models import Group, Person

    user = user_with_role("ls-member", demo_registry, "member")
    person = Person.objects.get(slug="chorley-director")
    person.account = user
    person.save()
    strategy = Group.objects.get(partnership=demo_registry, kind=Group.Kind.STRATEGY)
    today = dt.date.today()
    meeting = arrange_meeting(strategy, today + dt.timedelta(days=10))
    return raise_action(
        meeting,
        "Report back on the licensing review",
        person,
        today + dt.timedelta(days=30),
    )


def test_member_finds_their_action_on_the_home_page_and_closes_it(page, member_with_action):
    from cdrp.meetings.models import Action

    sign_in(page, "ls-member")
    expect(page.get_by_role("heading", name="Your day")).to_be_visible()
    card = page.locator(f"#action-{member_with_action.pk}")
    expect(card).to_contain_text("Report back on the licensing review")
    # The bell: one unread (the action's assignment).
    expect(page.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    screenshot(page, "workday-member-home")

    card.get_by_text("Close this action").click()
    card.get_by_label("What was done").fill("Reviewed with licensing; report circulated")
    card.get_by_role("button", name="Close action").click()
    expect(page.get_by_text("Action closed: Report back on the licensing review")).to_be_visible()
    expect(page.locator(f"#action-{member_with_action.pk}")).to_have_count(0)
    expect(page.get_by_text("You have no open actions.")).to_be_visible()
    action = Action.objects.get(pk=member_with_action.pk)
    assert (action.status, action.outcome) == ("done", "Reviewed with licensing; report circulated")
