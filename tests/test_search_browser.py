"""Browser test of search: a restricted group's clerk uploads a PDF paper, and the search box on
the partnership's pages finds a phrase inside it, marked; a member outside the group searching the
same words finds nothing. No serious or critical accessibility issue on the results page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from cdrp.accounts.audit import acting_as
from cdrp.meetings.models import AgendaItem, Meeting
from cdrp.partnerships.models import Group, Membership, Organisation, Person, Seat
from conftest import user_with_role
from helpers import axe_violations, screenshot, sign_in
from test_search import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHRASE = "graffiti beneath the railway viaduct"


@pytest.fixture
def restricted_meeting(partnership, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clerk = user_with_role("ppo-clerk", partnership, "coordinator")
    user_with_role("plain-member", partnership, "member")
    with acting_as(None, "test"):
        police = Organisation.objects.create(slug="police", name="Constabulary", kind="police")
        group = Group(partnership=partnership, slug="ppo", name="PPO Catch and Convict", kind="ppo")
        group.restricted = True
        group.save()
        seat = Seat(group=group, label="Police lead", organisation=police)
        seat.save()
        person = Person(slug="ppo-lead", name="PPO lead", account=clerk)
        person.save()
        Membership(seat=seat, person=person, role="chair").save()
        meeting = Meeting(group=group, date=dt.date(2026, 11, 18))
        meeting.save()
        AgendaItem(meeting=meeting, position=1, title="Cohort review").save()
    return meeting


def test_search_finds_a_phrase_in_an_uploaded_paper_only_for_the_groups_members(
    page, partnership, restricted_meeting, tmp_path
):
    pdf = tmp_path / "cohort-review.pdf"
    pdf.write_bytes(pdf_bytes("Cohort review, November.", f"Reports of {PHRASE} at night."))
    sign_in(page, "ppo-clerk")
    page.goto(f"/meetings/{partnership.slug}/meeting/{restricted_meeting.pk}/")
    page.get_by_text("Add a paper").click()
    page.get_by_label("Title").fill("Cohort review paper")
    page.get_by_label("File").set_input_files(str(pdf))
    page.get_by_role("button", name="Upload paper").click()
    expect(page.get_by_role("link", name="Cohort review paper")).to_be_visible()
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)  # reads the PDF's text

    page.goto(f"/partnerships/{partnership.slug}/")
    page.get_by_role("searchbox", name="Search this partnership").fill("railway viaduct")
    page.get_by_role("searchbox", name="Search this partnership").press("Enter")
    expect(page.locator("#search-summary")).to_have_text("1 result for “railway viaduct”.")
    result = page.get_by_role("link", name="Cohort review paper")
    expect(result).to_be_visible()
    expect(page.locator("mark.cdrp-search-mark").first).to_have_text("railway")
    expect(page.get_by_text("Restricted", exact=True)).to_be_visible()
    screenshot(page, "search-results")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "plain-member")
    page.goto(f"/partnerships/{partnership.slug}/search/?q=railway+viaduct")
    expect(page.locator("#search-summary")).to_contain_text("No results for “railway viaduct”")
    expect(page.get_by_text("Cohort review paper")).to_have_count(0)
    assert axe_violations(page) == []
