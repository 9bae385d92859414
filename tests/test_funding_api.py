"""Funding API: members read everything, the public reads what is published, coordinators
record spend and a refusal is a 400 with the reason."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cdrp.funding import services as funding
from cdrp.funding.models import Spend
from test_funding_support import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db
API = "/api/partnerships/lancashire-south/funding"


def get(client, path):
    return client.get(API + path, secure=True)


def post(client, path, body):
    return client.post(API + path, json.dumps(body), content_type="application/json", secure=True)


@pytest.fixture
def proposed(partnership, lead, allocation):
    return funding.create_project(
        partnership, title="Proposed", lead_organisation=lead, budget_pence=10_00,
        allocation=allocation,
    )  # fmt: skip


def test_members_read_every_stream_allocation_and_project(client, member, project, proposed):
    funding.record_spend(project, dt.date(2023, 5, 1), 250_00, "Locks")
    client.force_login(member)
    streams = get(client, "/streams").json()
    assert [s["name"] for s in streams] == ["Community safety grant"]
    assert streams[0]["allocated_pence"] == 100_000_00
    assert streams[0]["allocations"][0]["amount"] == "£100,000.00"
    allocations = get(client, "/allocations").json()
    assert [a["amount_pence"] for a in allocations] == [100_000_00]
    projects = {p["title"]: p for p in get(client, "/projects").json()}
    assert set(projects) == {"Target hardening", "Proposed"}
    p = projects["Target hardening"]
    assert (p["budget_pence"], p["spent_pence"], p["remaining_pence"]) == (1_000_00, 250_00, 750_00)
    assert p["status"] == "active" and "Approve the projects" in p["approved_by"]
    detail = get(client, f"/projects/{project.pk}").json()
    assert detail["spend"][0]["description"] == "Locks"


def test_the_public_reads_only_published_records(client, project, proposed, stream):
    assert get(client, "/streams").json() == []
    assert get(client, "/projects").json() == []
    assert get(client, f"/projects/{project.pk}").status_code == 404
    funding.publish_stream(stream)
    funding.publish_project(project)
    assert [s["name"] for s in get(client, "/streams").json()] == ["Community safety grant"]
    assert [p["title"] for p in get(client, "/projects").json()] == ["Target hardening"]
    detail = get(client, f"/projects/{project.pk}").json()
    assert "spend" not in detail  # spend lines are for members
    assert get(client, f"/projects/{proposed.pk}").status_code == 404


def test_a_coordinator_records_spend_and_refusals_are_400_with_the_reason(
    client, coordinator, project, proposed
):
    client.force_login(coordinator)
    ok = post(
        client,
        f"/projects/{project.pk}/spend",
        {"date": "2023-05-01", "amount": "£900.00", "description": "Locks"},
    )
    assert ok.status_code == 201 and ok.json()["amount_pence"] == 900_00
    cases = [
        (project, {"amount": "100.01"}, "spend would reach £1,000.01 against a budget of £1,000"),
        (project, {"amount": "-5"}, "amount: must not be negative"),
        (project, {"amount_pence": -500}, "Amount must not be negative: got -£5.00"),
        (project, {}, "give the amount in pounds or amount_pence"),
        (proposed, {"amount": "1"}, "is not approved"),
    ]  # fmt: skip
    for target, money, words in cases:
        body = {"date": "2023-06-01", "description": "More", **money}
        response = post(client, f"/projects/{target.pk}/spend", body)
        assert response.status_code == 400, (money, response.content)
        assert words in response.json()["detail"], response.json()
    assert Spend.objects.count() == 1


def test_members_and_the_public_cannot_record_spend(client, member, project):
    body = {"date": "2023-05-01", "amount": "1", "description": "Locks"}
    assert post(client, f"/projects/{project.pk}/spend", body).status_code in (401, 403)
    client.force_login(member)
    assert post(client, f"/projects/{project.pk}/spend", body).status_code == 403
    assert not Spend.objects.exists()
