"""Registry JSON API: public structure, compliance and Popolo; contact details only for partner
members; coordinators add members and record decisions counted one vote per body."""

import datetime as dt

import pytest

from cdrp.accounts.models import ApiToken
from cdrp.meetings.models import Decision, Meeting
from cdrp.partnerships.exports import popolo_errors
from cdrp.partnerships.models import Membership, Seat

pytestmark = pytest.mark.django_db


def _auth(user):
    _, key = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {key}"}


def test_the_structure_is_public_without_contact_details(client, south_registry):
    data = client.get("/api/partnerships/lancashire-south/structure").json()
    rag = next(g for g in data["groups"] if g["slug"] == "rag")
    # Today's seats: the police authority's, the trust's and the Government Office's have
    # closed; the police and crime commissioner's and the integrated care board's opened.
    assert rag["quorum"] == 6 and len(rag["seats"]) == 19
    fire = next(s for s in rag["seats"] if s["organisation"] == "lancashire-fire-rescue")
    assert (
        fire["voting"] and fire["statutory"] and fire["members"][0]["person"] == "fire-area-manager"
    )
    assert "@example.org" not in str(data)
    owg = next(g for g in data["groups"] if g["slug"] == "owg")
    assert owg["reports_to"] == "rag"


def test_compliance_findings_are_public(client, south_registry):
    data = client.get("/api/partnerships/lancashire-south/compliance").json()
    statuses = {f["rule"]: f["status"] for f in data}
    assert statuses["RA-SEATS"] == "met" and statuses["PUBLIC-MEETING"] == "no_evidence"
    # The provisions applied, with citations, as `cdrp compliance --json` gives them.
    ra = next(f for f in data if f["rule"] == "RA-SEATS")
    assert {x["kind"] for x in ra["law"]} >= {"district_council", "police"}
    assert all(x["url"].startswith("https://www.legislation.gov.uk/") for x in ra["law"])
    assert all(x["in_force_from"] <= dt.date.today().isoformat() for x in ra["law"])


def test_popolo_gives_contacts_to_members_only_and_validates(client, south_registry, member):
    public = client.get("/api/partnerships/lancashire-south/popolo").json()
    assert popolo_errors(public) == [] and "@example.org" not in str(public)
    private = client.get("/api/partnerships/lancashire-south/popolo", headers=_auth(member)).json()
    assert popolo_errors(private) == [] and "@example.org" in str(private)


def test_a_persons_seats_and_load_with_contacts_only_for_members(
    client, south_registry, member, outsider
):
    data = client.get("/api/people/chorley-csm").json()
    assert data["meetings_per_year"] == 40 and data["hours_per_year"] == 68.0
    assert data["email"] is None and data["phone"] is None
    assert client.get("/api/people/chorley-csm", headers=_auth(outsider)).json()["email"] is None
    assert client.get("/api/people/chorley-csm", headers=_auth(member)).json()["email"] == (
        "chorley-csm@example.org"
    )
    assert client.get("/api/people/nobody").status_code == 404


def test_only_coordinators_add_members(client, south_registry, member, coordinator):
    seat = Seat.objects.get(group__slug="rag", organisation__slug="gonw")
    body = {"seat": seat.pk, "person": "yot-manager", "role": "substitute", "start": "2024-01-01"}
    url = "/api/partnerships/lancashire-south/groups/rag/memberships"
    assert client.post(url, body, content_type="application/json").status_code == 401
    assert (
        client.post(url, body, content_type="application/json", headers=_auth(member)).status_code
        == 403
    )
    response = client.post(url, body, content_type="application/json", headers=_auth(coordinator))
    assert response.status_code == 201 and response.json()["role"] == "substitute"
    assert Membership.objects.filter(seat=seat, person__slug="yot-manager").exists()
    bad = client.post(
        url,
        {**body, "end": "2023-01-01", "person": "ldat-officer"},
        content_type="application/json",
        headers=_auth(coordinator),
    )
    assert bad.status_code == 400 and "before it starts" in bad.json()["detail"]


def test_a_decision_counts_chorleys_three_members_once(client, south_registry, coordinator):
    ballots = [
        {"person": s, "choice": "for"}
        for s in ["chorley-chief-executive", "chorley-portfolio-member", "chorley-director"]
    ]
    ballots += [{"person": "south-ribble-chief-executive", "choice": "for"}]
    present = [
        "divisional-commander",
        "fire-area-manager",
        "pct-director",
        "west-lancashire-director",
    ]
    body = {
        "group": "rag",
        "date": "2026-06-01",
        "motion": "Adopt the plan",
        "ballots": ballots,
        "present": present,
    }
    response = client.post(
        "/api/partnerships/lancashire-south/decisions",
        body,
        content_type="application/json",
        headers=_auth(coordinator),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["votes_for"], data["bodies_present"], data["quorum"], data["result"]) == (
        2,
        6,
        6,
        "carried",
    )
    chorley = next(v for v in data["votes"] if v["body"] == "Chorley")
    assert chorley["cast_by"] == [
        "chorley-chief-executive",
        "chorley-director",
        "chorley-portfolio-member",
    ]


def test_a_vote_by_someone_without_a_seat_is_refused_and_nothing_is_written(
    client, south_registry, coordinator
):
    body = {
        "group": "rag",
        "date": "2026-06-02",
        "motion": "x",
        "ballots": [{"person": "yot-manager", "choice": "for"}],
    }
    response = client.post(
        "/api/partnerships/lancashire-south/decisions",
        body,
        content_type="application/json",
        headers=_auth(coordinator),
    )
    assert response.status_code == 400 and "has no voting seat" in response.json()["detail"]
    assert not Decision.objects.exists() and not Meeting.objects.exists()
