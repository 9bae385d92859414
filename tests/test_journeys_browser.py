"""Browser journeys of the working day (issue 17, "Done when"), one whole journey per role.

Here: the coordinator puts a person on the strategy group and arranges its meeting with a time and
a venue, and finds the new member on the meeting's attendance list and the meeting on the public
list; the analyst rebuilds the strategic assessment, follows the task page to the (replaced)
draft, and downloads its PDF twice, the second time from the stored copy.

The other journeys of the list are whole tests elsewhere: the chair recording attendance, a vote
and approving the minutes (test_meetings_browser.py), the member closing their action from the
home page (test_workday_browser.py), and search finding a phrase in an uploaded paper but not for
a member outside its restricted group (test_search_browser.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from conftest import user_with_role
from helpers import axe_violations, screenshot, sign_in
from test_workday_documents import Renderer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accessible(page):
    violations = axe_violations(page)
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def test_coordinator_adds_a_member_and_arranges_a_meeting_with_time_and_venue(page, demo_registry):
    from cdrp.accounts.audit import acting_as
    from cdrp.partnerships.models import Group, Membership, Person, Seat

    user_with_role("j-coordinator", demo_registry, "coordinator")
    rag = Group.objects.get(partnership=demo_registry, slug="rag")
    seat = Seat.objects.filter(group=rag).order_by("pk").first()
    with acting_as(None, "test"):
        Person(slug="sam-newcomer", name="Sam Newcomer (placeholder)").save()
    next_year = dt.date.today().year + 1

    sign_in(page, "j-coordinator")
    page.goto("/partnerships/lancashire-south/groups/rag/")
    page.get_by_role("link", name="Add a member").click()
    page.get_by_label("Seat").select_option(label=str(seat))
    page.get_by_label("Person").select_option(label="Sam Newcomer (placeholder)")
    page.get_by_label("Start").fill(f"{next_year - 2}-01-01")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Sam Newcomer (placeholder) is now recorded"
    )
    assert Membership.objects.filter(seat=seat, person__slug="sam-newcomer").exists()

    page.goto("/meetings/lancashire-south/groups/rag/")
    page.get_by_label("Date of the meeting").fill(f"9/6/{next_year}")
    page.get_by_label("Start time").fill("10:30")
    page.get_by_label("Venue").fill("Committee Room 2, Civic Centre")
    page.get_by_label("Open to the public").check()
    page.get_by_role("button", name="Arrange meeting and build its agenda").click()
    day = dt.date(next_year, 6, 9)
    heading = f"Meeting of {day:%A} {day.day} June {next_year}"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    when = page.locator("#when-where")
    expect(when).to_contain_text("10:30")
    expect(when).to_contain_text("Committee Room 2, Civic Centre")
    # The new member is expected at the meeting: a row of its attendance list.
    expect(page.get_by_label("Attendance of Sam Newcomer (placeholder)")).to_be_visible()
    _accessible(page)
    screenshot(page, "journey-coordinator-meeting")
    page.get_by_role("button", name="Sign out").click()

    page.goto("/meetings/lancashire-south/public/")
    row = page.get_by_role("row").filter(has_text=f"{day.day} June {next_year}")
    expect(row).to_contain_text("10:30")
    expect(row).to_contain_text("Committee Room 2, Civic Centre")


def test_analyst_rebuilds_the_assessment_lands_on_the_draft_and_downloads_the_pdf_twice(
    page, analyst, saved, monkeypatch, tmp_path
):
    from cdrp.intelligence import documents
    from cdrp.intelligence.models import Assessment

    # WeasyPrint takes many seconds for the whole assessment (test_assessment_pdf checks its
    # pages); a stand-in counts the renders, which is what tells a stored copy from a new one.
    render = Renderer()
    monkeypatch.setattr(documents, "render_pdf", render)
    draft_url = f"/intelligence/assessments/lancashire-south/{saved.pk}/"

    sign_in(page, "analyst")
    page.goto("/intelligence/assessments/lancashire-south/")
    page.get_by_label("Last month").fill("November 2022")
    page.get_by_role("button", name="Build").click()
    expect(page.locator("#task-progress")).to_contain_text("Waiting to start")
    task_url = page.url
    # The worker builds it. (The page is left meanwhile: its polls every second would meet the
    # worker's writes in the test's shared in-memory SQLite, which locks whole tables.)
    page.goto("about:blank")
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    page.goto(task_url)
    expect(page.locator("#task-progress")).to_contain_text("Finished")
    page.get_by_role("link", name="Open the draft").click()
    assert page.url.endswith(draft_url)
    expect(page.locator("#status")).to_have_text("Draft")
    record = Assessment.objects.get()  # the rebuild replaced the draft: still one
    assert (record.pk, record.version, record.built_by) == (saved.pk, saved.version + 1, analyst)
    page.goto("/intelligence/assessments/lancashire-south/")
    expect(page.get_by_role("cell", name="Draft")).to_have_count(1)
    page.goto(draft_url)

    # The new version's PDF is queued for the worker: the download says it is being prepared.
    pdf_link = page.get_by_role("link", name="PDF", exact=True)
    pdf_link.click()
    expect(page.get_by_role("heading", name="Preparing the PDF of")).to_be_visible()
    assert render.calls == 0
    call_command(
        "worker", "--batch", "--no-startup-delay", "--queue-name", "documents", verbosity=0
    )
    assert render.calls == 1
    with page.expect_download() as first:
        page.get_by_role("link", name="Check again now").click()
    first_path = tmp_path / "first.pdf"
    first.value.save_as(first_path)
    assert first_path.read_bytes() == b"%PDF-1.7 render 1"

    page.goto(draft_url)
    with page.expect_download() as second:
        pdf_link.click()
    second_path = tmp_path / "second.pdf"
    second.value.save_as(second_path)
    # The second download is the stored copy: the same bytes, no new render, and the browser
    # holding that version's ETag is answered 304 Not Modified.
    assert second_path.read_bytes() == first_path.read_bytes() and render.calls == 1
    url = f"{draft_url}document.pdf"
    again = page.request.get(url)
    assert again.status == 200 and again.body() == first_path.read_bytes()
    etag = again.headers["etag"]
    assert page.request.get(url, headers={"If-None-Match": etag}).status == 304
    assert render.calls == 1
