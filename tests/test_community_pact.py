"""PACT: residents' votes at a ward's meeting choose up to three priorities; each becomes a
tasking action with an owner; its outcome is reported back at the next PACT meeting and shown on
the area page ("You said, we did")."""

from __future__ import annotations

import datetime as dt

import pytest

from cdrp.analysis.errors import RefusedInput
from cdrp.community import pact
from cdrp.community.models import PactMeeting, PactPriority
from cdrp.meetings.agenda import close_action
from community_fixtures import area_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

VOTES = (
    "Speeding on Station Road, 14\nDog fouling on the rec, 9\nParking near the school, 7\nLitter, 3"
)


def test_pact_priority_becomes_an_action_and_its_outcome_shows_on_the_area_page(
    client, area_world, coordinator
):
    client.force_login(coordinator)
    held_on = dt.date.today() - dt.timedelta(days=10)
    response = client.post(
        "/community/lancashire-south/manage/pact/new/",
        {
            "group": area_world["tasking"].pk,
            "date": held_on.isoformat(),
            "ward": area_world["wards"]["E05005126"].pk,
            "period": "the next three months",
        },
    )
    assert response.status_code == 302, response.content.decode()
    meeting = PactMeeting.objects.get()
    assert meeting.meeting.public and meeting.meeting.group == area_world["tasking"]
    manage = response["Location"]
    assert (
        client.post(manage, {"form": "votes", "votes": VOTES, "attendees": 23}).status_code == 302
    )
    chosen = list(PactPriority.objects.filter(chosen=True).order_by("-votes"))
    assert [p.title for p in chosen] == [
        "Speeding on Station Road",
        "Dog fouling on the rec",
        "Parking near the school",
    ]
    assert PactPriority.objects.get(title="Litter").votes == 3
    speeding = chosen[0]
    # Each chosen priority has its own form, with its own ids and labels.
    html = client.get(manage).content.decode()
    for p in chosen:
        assert f'id="id_task{p.pk}_owner"' in html
        assert f"Who owns “{p.title}”" in html
    assert html.count('id="id_owner"') == 0
    assert 'action<span class="govuk-visually-hidden"> for “Dog fouling on the rec”' in html
    due = dt.date.today() + dt.timedelta(days=60)
    response = client.post(
        manage,
        {
            "form": "task",
            "priority": speeding.pk,
            "owner": area_world["officer"].pk,
            "due": due.isoformat(),
        },
    )
    assert response.status_code == 302
    speeding.refresh_from_db()
    action = speeding.action
    assert action.owner == area_world["officer"] and action.group == area_world["tasking"]
    assert action.hotspot == "E05005126" and action.priority == "Speeding on Station Road"
    client.logout()

    page = client.get("/community/area/E05005126/").content.decode()
    assert "Speeding on Station Road" in page and f"In progress, due {due:%-d %B %Y}" in page
    assert "14 votes" in page
    # the district page lists its wards' priorities too
    assert (
        "Speeding on Station Road</a> (Chorley East)"
        in client.get("/community/area/E07000118/").content.decode()
    )

    close_action(action, "Speed checks on six evenings; 41 drivers warned", dt.date.today())
    page = client.get("/community/area/E05005126/").content.decode()
    assert "Speed checks on six evenings; 41 drivers warned" in page
    said = page[page.index('id="said"') :]
    assert "You said: Speeding on Station Road" in said
    assert "We did: Speed checks on six evenings; 41 drivers warned" in said

    # reported back at the ward's next PACT meeting
    nxt = pact.arrange(
        area_world["tasking"],
        dt.date.today() + dt.timedelta(days=80),
        area_world["wards"]["E05005126"],
        "the three months after",
    )
    page = client.get(f"/community/lancashire-south/pact/{nxt.pk}/").content.decode()
    assert "Reported back: the last meeting" in page
    assert "Speeding on Station Road: done: Speed checks on six evenings" in page
    # the public page never names the owner
    assert (
        "PC Jones"
        not in client.get(f"/community/lancashire-south/pact/{meeting.pk}/").content.decode()
    )


def test_at_most_three_priorities_and_ties_must_be_named(area_world):
    meeting = pact.arrange(
        area_world["tasking"], dt.date.today(), area_world["wards"]["E05005125"], "spring"
    )
    pact.record_votes(meeting, {"A": 5, "B": 4, "C": 3, "D": 3})
    with pytest.raises(RefusedInput, match="tied for third place"):
        pact.choose(meeting)
    with pytest.raises(RefusedInput, match="at most 3"):
        pact.choose(meeting, ["A", "B", "C", "D"])
    assert [p.title for p in pact.choose(meeting, ["A", "B", "D"])] == ["A", "B", "D"]
    not_chosen = meeting.priorities.get(title="C")
    with pytest.raises(RefusedInput, match="Only a chosen priority"):
        pact.task(not_chosen, area_world["officer"], dt.date.today())


def test_a_ward_outside_the_partnership_is_refused(area_world, other_partnership):
    from cdrp.partnerships.models import Area

    elsewhere = Area.objects.create(code="E07000999", name="Elsewhere", level="district")
    ward = Area.objects.create(code="E05999998", name="Far ward", level="ward", parent=elsewhere)
    with pytest.raises(RefusedInput, match="not in the partnership"):
        pact.arrange(area_world["tasking"], dt.date.today(), ward, "spring")
