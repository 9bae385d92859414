"""Funding pages: who may see and do what, refusals shown on the form, money as £1,234.56,
downloads that reconcile, and a public transparency page that shows only what is published."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from cdrp.funding import services as funding
from cdrp.funding.models import FundingStream, Project, Spend
from conftest import FROZEN_TODAY
from test_funding_support import *  # noqa: F403 (fixtures)
from test_funding_support import decision

pytestmark = pytest.mark.django_db
BASE = "/plans/funding/lancashire-south/"


def get(client, url):
    return client.get(url, secure=True)


def post(client, url, data=None):
    return client.post(url, data or {}, secure=True)


@pytest.fixture
def hidden(partnership, lead, allocation):
    """A proposed project: never on the public pages."""
    return funding.create_project(
        partnership,
        title="Confidential pilot",
        lead_organisation=lead,
        budget_pence=5_00,
        allocation=allocation,
    )


def test_members_see_the_funding_page_with_money_as_pounds(client, member, project, stream):
    funding.record_spend(project, dt.date(2023, 5, 1), 123_45, "Locks")
    client.force_login(member)
    page = get(client, BASE).content.decode()
    assert "Community safety grant" in page and "£100,000.00" in page
    assert "Target hardening" in page
    assert "£1,000.00" in page and "£123.45" in page and "£876.55" in page  # budget, spent, left
    assert "Add a funding stream" not in page and "Commission a project" not in page


def test_anonymous_visitors_are_sent_to_sign_in_and_outsiders_refused(client, outsider, stream):
    response = get(client, BASE)
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    client.force_login(outsider)
    assert get(client, BASE).status_code == 403
    assert get(client, f"{BASE}streams/{stream.pk}/").status_code == 403


def test_a_member_cannot_write(client, member, project, stream, carried, partnership):
    client.force_login(member)
    before = (FundingStream.objects.count(), Spend.objects.count(), Project.objects.count())
    attempts = [
        (f"{BASE}streams/new/", {"name": "X", "source": "Y", "financial_year": "2023/24",
                                 "amount": "10"}),
        (f"{BASE}projects/{project.pk}/spend/", {"spend-date": "2023-05-01",
                                                 "spend-amount": "1", "spend-description": "x"}),
        (f"{BASE}projects/new/", {"title": "X"}),
        (f"{BASE}projects/{project.pk}/approve/", {"approve-decision": carried.pk}),
        (f"{BASE}streams/{stream.pk}/publish/", {"publish": "1"}),
        (f"{BASE}streams/{stream.pk}/allocation/", {"partnership": partnership.pk,
                                                    "amount": "1"}),
    ]  # fmt: skip
    for url, data in attempts:
        assert post(client, url, data).status_code == 403, url
    assert before == (FundingStream.objects.count(), Spend.objects.count(), Project.objects.count())


def test_a_coordinator_adds_a_stream_and_a_negative_amount_is_refused_on_the_form(
    client, coordinator
):
    client.force_login(coordinator)
    data = {"name": "Grant", "source": "PCC", "financial_year": "2024/25", "amount": "-5"}
    page = post(client, f"{BASE}streams/new/", data).content.decode()
    assert "There is a problem" in page
    assert "Amount: must not be negative, got &#x27;-5&#x27;" in page
    assert not FundingStream.objects.exists()
    data.update(amount="£12,500.50", financial_year="2024-25")
    page = post(client, f"{BASE}streams/new/", data).content.decode()
    assert "Financial year: expected the form YYYY/YY, such as 2023/24" in page
    data.update(financial_year="2024/25")
    response = post(client, f"{BASE}streams/new/", data)
    stream = FundingStream.objects.get()
    assert response.status_code == 302 and stream.amount_pence == 12_500_50


def test_an_allocation_beyond_the_stream_is_refused_on_the_stream_page(
    client, coordinator, stream, partnership, other_partnership
):
    funding.allocate(stream, partnership, 80_000_00)
    client.force_login(coordinator)
    url = f"{BASE}streams/{stream.pk}/allocation/"
    page = post(client, url, {"partnership": other_partnership.pk, "amount": "20,000.01"})
    text = page.content.decode()
    assert "There is a problem" in text
    assert "allocations would total £100,000.01, more than the stream&#x27;s £100,000.00" in text
    assert stream.allocations.count() == 1
    response = post(client, url, {"partnership": other_partnership.pk, "amount": "20,000.00"})
    assert response.status_code == 302
    page = get(client, f"{BASE}streams/{stream.pk}/").content.decode()
    assert "Reconciles" in page and "to the penny" in page


def test_overspend_is_refused_on_the_project_page(client, coordinator, project):
    client.force_login(coordinator)
    url = f"{BASE}projects/{project.pk}/spend/"
    ok = {"spend-date": "2023-05-01", "spend-amount": "900", "spend-description": "Locks"}
    assert post(client, url, ok).status_code == 302
    too_much = {**ok, "spend-amount": "100.01"}
    text = post(client, url, too_much).content.decode()
    assert "There is a problem" in text
    assert "spend would reach £1,000.01 against a budget of £1,000.00" in text
    assert "record and approve a variation first" in text
    assert Spend.objects.count() == 1


def test_a_coordinator_commissions_a_project_and_the_chair_approves_it(
    client, coordinator, chair, lead, allocation, carried
):
    client.force_login(coordinator)
    data = {
        "title": "CCTV in the town centre",
        "lead_organisation": lead.pk,
        "budget": "2,500",
        "allocation": allocation.pk,
    }
    response = post(client, f"{BASE}projects/new/", data)
    p = Project.objects.get(title="CCTV in the town centre")
    assert response.status_code == 302 and p.budget_pence == 2_500_00
    assert p.status == Project.Status.PROPOSED
    # The coordinator cannot approve; the chair can, citing the strategy group's decision.
    approve = f"{BASE}projects/{p.pk}/approve/"
    assert post(client, approve, {"approve-decision": carried.pk}).status_code == 403
    client.force_login(chair)
    page = get(client, f"{BASE}projects/{p.pk}/").content.decode()
    assert "Approve the projects" in page  # offered as the approving decision
    assert post(client, approve, {"approve-decision": carried.pk}).status_code == 302
    p.refresh_from_db()
    assert p.status == Project.Status.APPROVED and p.approval_decision == carried


def test_a_lost_decision_is_not_offered_and_is_refused(client, chair, partnership, lead, rag):
    group, person = rag
    lost = decision(group, person, "Approve the doomed project", carried=False)
    p = funding.create_project(partnership, title="Doomed", lead_organisation=lead, budget_pence=1)
    client.force_login(chair)
    page = get(client, f"{BASE}projects/{p.pk}/").content.decode()
    assert "Approve the doomed project" not in page
    text = post(client, f"{BASE}projects/{p.pk}/approve/", {"approve-decision": lost.pk})
    assert "Select a valid choice" in text.content.decode()
    p.refresh_from_db()
    assert p.status == Project.Status.PROPOSED


def test_variations_and_milestones_from_the_project_page(
    frozen_today, client, coordinator, chair, project, rag
):
    client.force_login(coordinator)
    base = f"{BASE}projects/{project.pk}/"
    post(client, base + "variations/", {"variation-amount": "250", "variation-reason": "More"})
    variation = project.variations.get()
    assert variation.amount_pence == 250_00 and not variation.approved
    post(client, base + "milestones/", {"milestone-title": "Launch", "milestone-due": "2023-06-01"})
    milestone = project.milestones.get()
    post(client, base + f"milestones/{milestone.pk}/complete/")
    milestone.refresh_from_db()
    assert milestone.completed_on == FROZEN_TODAY
    group, person = rag
    agreed = decision(group, person, "Approve the variation", on=dt.date(2023, 6, 1))
    client.force_login(chair)
    post(
        client,
        base + f"variations/{variation.pk}/approve/",
        {f"v{variation.pk}-decision": agreed.pk},
    )
    variation.refresh_from_db()
    assert variation.approved and variation.decision == agreed
    assert "£1,250.00" in get(client, base).content.decode()  # available with the variation


def test_spend_downloads_reconcile(client, member, project, partnership, lead, allocation):
    funding.record_spend(project, dt.date(2023, 5, 1), 123_45, "Locks, chains")
    funding.record_spend(project, dt.date(2023, 6, 1), 1_00, "Leaflets")
    client.force_login(member)
    response = get(client, f"{BASE}spend.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Disposition"] == 'attachment; filename="spend-lancashire-south.csv"'
    assert [r["amount_pence"] for r in rows] == ["12345", "100"]
    assert [r["amount_pounds"] for r in rows] == ["123.45", "1.00"]
    assert rows[0]["description"] == "Locks, chains"
    assert rows[0]["funded_from"] == "Community safety grant 2023/24"
    book = load_workbook(io.BytesIO(get(client, f"{BASE}spend.xlsx").content))
    sheet = book["Spend"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][-2:] == ("amount_pounds", "amount_pence")
    assert values[-1][0] == "Total" and values[-1][-1] == 12_445
    assert get(client, f"{BASE}spend.pdf").status_code == 404


def test_the_transparency_page_is_public_and_shows_only_published(
    client, project, hidden, stream, partnership
):
    funding.record_spend(project, dt.date(2023, 5, 1), 400_00, "Locks")
    url = f"{BASE}transparency/"
    page = get(client, url).content.decode()
    assert "No funding streams have been published" in page
    assert "Target hardening" not in page and "Confidential pilot" not in page
    funding.publish_stream(stream)
    funding.publish_project(project)
    page = get(client, url).content.decode()
    assert "Community safety grant 2023/24" in page and "£100,000.00" in page
    assert "Target hardening" in page and "£400.00" in page and "Not yet evaluated" not in page
    assert "No evaluation planned" in page
    assert "Confidential pilot" not in page
    assert "Locks" not in page  # spend lines stay internal
    assert get(client, f"{BASE}transparency/projects/{project.pk}/").status_code == 200
    assert get(client, f"{BASE}transparency/projects/{hidden.pk}/").status_code == 404
    assert get(client, f"{BASE}transparency/streams/{stream.pk}/").status_code == 200
    funding.publish_stream(stream, False)
    assert get(client, f"{BASE}transparency/streams/{stream.pk}/").status_code == 404


def test_a_chair_publishes_from_the_pages(client, chair, coordinator, project, stream):
    client.force_login(coordinator)
    assert post(client, f"{BASE}projects/{project.pk}/publish/").status_code == 403
    client.force_login(chair)
    post(client, f"{BASE}projects/{project.pk}/publish/", {"publish": "1"})
    post(client, f"{BASE}streams/{stream.pk}/publish/", {"publish": "1"})
    project.refresh_from_db()
    stream.refresh_from_db()
    assert project.published and stream.published and stream.published_at is not None


def test_every_funding_page_renders_for_a_coordinator(client, coordinator, project, stream):
    client.force_login(coordinator)
    for url in [
        BASE,
        f"{BASE}streams/new/",
        f"{BASE}streams/{stream.pk}/",
        f"{BASE}projects/new/",
        f"{BASE}projects/{project.pk}/",
        f"{BASE}projects/{project.pk}/evaluation/",
    ]:
        assert get(client, url).status_code == 200, url


def test_a_coordinator_runs_the_formula_from_the_stream_page(
    client, coordinator, stream, partnership, other_partnership, fresh_store, settings
):
    from cdrp.partnerships.models import Area

    settings.INCIDENT_STORE = fresh_store
    for p, code, name in [
        (partnership, "E07000118", "Chorley"),
        (other_partnership, "E07000123", "Preston"),
    ]:
        area, _ = Area.objects.get_or_create(
            code=code, defaults={"name": name, "level": "district"}
        )
        p.districts.set([area])
    client.force_login(coordinator)
    url = f"{BASE}streams/{stream.pk}/allocate/"
    data = {
        "partnerships": [partnership.pk, other_partnership.pk],
        "population_weight": "60",
        "crime_weight": "50",
        "population_year": "2020",
        "crime_start": "2021-12",
        "crime_end": "2022-11",
    }
    text = post(client, url, data).content.decode()
    assert "There is a problem" in text
    assert "weights: the weights must add to exactly 1, they add to 1.1" in text
    assert not stream.allocations.exists()
    data.update(population_weight="100", crime_weight="0")
    assert post(client, url, data).status_code == 302
    allocations = {a.partnership.slug: a for a in stream.allocations.all()}
    assert sum(a.amount_pence for a in allocations.values()) == stream.amount_pence
    assert allocations["lancashire-south"].basis["population_year"] == 2020
    stream.refresh_from_db()
    assert stream.formula["weights"] == {"population": "1", "crime": "0"}
    page = get(client, f"{BASE}streams/{stream.pk}/").content.decode()
    assert "Split between 2 partnerships covering 2 districts" in page
    assert "Residents, ONS mid-2020 estimate" in page and "Reconciles" in page
