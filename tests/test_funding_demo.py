"""The funding demo on the real Lancashire data: the county fund split between the 12 current
partnerships covering the 14 districts, to the penny; Lancashire South's projects within their
money; and a second load that changes nothing."""

from __future__ import annotations

import io

import pytest

from cdrp.accounts.models import AuditEvent
from cdrp.funding import demo as funding_demo
from cdrp.funding import queries as funding_queries
from cdrp.funding.models import Evaluation, FundingStream, Project
from cdrp.partnerships.demo import DISTRICTS
from cdrp.partnerships.models import Partnership

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(demo_registry, reference_store, settings):
    settings.INCIDENT_STORE = reference_store[0]
    out = io.StringIO()
    funding_demo.load(out)
    return out.getvalue()


def test_the_county_fund_splits_to_the_penny_and_the_projects_fit_their_money(loaded):
    assert "split between 12 partnerships" in loaded
    stream = FundingStream.objects.get(name=funding_demo.SSCF)
    allocations = list(stream.allocations.select_related("partnership"))
    assert len(allocations) == 12
    assert sum(a.amount_pence for a in allocations) == stream.amount_pence == 1_250_000_00
    districts = [d["code"] for a in allocations for d in a.basis["districts"]]
    assert sorted(districts) == sorted(DISTRICTS)  # every district once
    south = next(a for a in allocations if a.partnership.slug == "lancashire-south")
    assert [d["name"] for d in south.basis["districts"]] == [
        "Chorley",
        "South Ribble",
        "West Lancashire",
    ]
    assert stream.formula["population_year"] == 2022
    assert stream.formula["crime_period"] == ["2021-12", "2022-11"]
    assert all(a.decision and a.decision.result == "carried" for a in allocations)
    assert Partnership.objects.filter(slug="burnley-csp", status="current").exists()
    assert "illustrative" in stream.conditions

    # Lancashire South's projects fit their money.
    projects = list(funding_queries.visible_projects(south.partnership))
    assert len(projects) == 3 and all(p.published and p.approval_decision for p in projects)
    for p in projects:
        assert p.spent_pence <= p.budget_pence + p.variations_pence
        assert p.approval_decision.meeting.group.kind == "strategy"
    assert 0 < sum(p.budget_pence for p in south.projects.all()) <= south.amount_pence
    joint = Project.objects.get(title__startswith="Night-time economy")
    assert [p.slug for p in joint.joint_with.all()] == ["preston-csp"]
    assert joint.variations.get().approved
    pilot = Evaluation.objects.get(project__title__startswith="Burglary")
    assert pilot.verdict != Evaluation.Verdict.PENDING
    counts = pilot.result["counts"]
    assert set(counts) == {"target", "buffer", "control"}
    assert counts["control"]["before"] > 0 and counts["control"]["after"] > 0
    assert len(pilot.target_areas) == funding_demo.PILOT_TARGETS

    # A second load changes nothing.
    audits = AuditEvent.objects.count()
    out = io.StringIO()
    funding_demo.load(out)
    assert "already split" in out.getvalue() and "already loaded" in out.getvalue()
    assert AuditEvent.objects.count() == audits


def test_the_public_sees_the_split_and_the_projects(client, loaded):
    south = "/plans/funding/lancashire-south/transparency/"
    page = client.get(south, secure=True).content.decode()
    assert "Safer and Stronger Communities Fund 2023/24" in page
    assert "£1,250,000.00" in page
    for title in ("Burglary target hardening in South Ribble", "Night-time economy safety"):
        assert title in page
    stream = FundingStream.objects.get(name=funding_demo.SSCF)
    detail = client.get(f"{south}streams/{stream.pk}/", secure=True).content.decode()
    assert "12 partnerships covering Lancashire&#x27;s 14 districts" in detail
    assert "Reconciles" in detail
