"""Every versioned edit needs the version it was made from: a form (or API call) sent without it
is refused with a clear message and nothing is saved, on every page that carries a version."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from cdrp.intelligence.models import Assessment
from cdrp.meetings.models import Meeting, Minutes
from cdrp.partnerships.models import Group, Partnership, Person
from cdrp.plans.models import ManualSeries, Objective, Plan, Priority, SeriesValue
from test_funding_support import decision, strategy_group

pytestmark = pytest.mark.django_db
MISSING = "sent without the version of the record it changes"
BASE = "/partnerships/lancashire-south"


def _page(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


@pytest.fixture
def group(partnership):
    g = Group(partnership=partnership, slug="owg", name="Officer group", kind="officer")
    g.save()
    return g


@pytest.mark.parametrize(
    "url, form, record",
    [
        (
            "/groups/owg/edit/",
            {"name": "Renamed", "slug": "owg", "kind": "officer", "meeting_frequency": "monthly"},
            "group",
        ),
        ("/edit/", {"name": "Renamed", "status": "current", "level": "district"}, "partnership"),
        ("/people/someone/edit/", {"name": "Renamed", "slug": "someone"}, "person"),
    ],
)
def test_a_registry_edit_without_its_version_is_refused(
    client, coordinator, partnership, group, url, form, record
):
    person = Person(slug="someone", name="Someone")
    person.save()
    client.force_login(coordinator)
    response = client.post(BASE + url, {"meeting_hours": "2", **form})
    assert response.status_code == 200 and MISSING in _page(response)
    held = {"group": Group, "partnership": Partnership, "person": Person}[record].objects
    assert not held.filter(name="Renamed").exists()
    # With the version it was opened at, the same edit is saved.
    version = {"group": group, "partnership": partnership, "person": person}[record].version
    response = client.post(BASE + url, {"meeting_hours": "2", **form, "version": version})
    assert response.status_code == 302 and held.filter(name="Renamed").exists()


def test_a_new_record_needs_no_version(client, coordinator, partnership):
    client.force_login(coordinator)
    response = client.post(f"{BASE}/people/new/", {"name": "Newcomer", "slug": "newcomer"})
    assert response.status_code == 302 and Person.objects.filter(slug="newcomer").exists()


@pytest.fixture
def plan(partnership):
    draft = Plan(
        partnership=partnership,
        revision=1,
        title="Plan",
        period_start="2024-04",
        period_end="2027-03",
    )
    draft.save()
    priority = Priority(plan=draft, name="Burglary", categories=["burglary"])
    priority.save()
    Objective(priority=priority, text="Reduce burglary").save()
    return draft


def test_plan_edits_without_their_version_are_refused(client, coordinator, plan):
    client.force_login(coordinator)
    url = "/plans/lancashire-south/revision/1/"
    priority = plan.priorities.get()
    objective = priority.objectives.get()
    attempts = [
        (
            "edit/",
            {"title": "Renamed", "period_start": "2024-04", "summary": "", "change_note": ""},
        ),
        (f"priorities/{priority.pk}/", {"name": "Renamed", "rationale": "", "categories": []}),
        (f"objectives/{objective.pk}/", {"text": "Renamed"}),
    ]
    for path, form in attempts:
        response = client.post(url + path, form)
        assert response.status_code == 200 and MISSING in _page(response), path
    assert not Plan.objects.filter(title="Renamed").exists()
    assert not Priority.objects.filter(name="Renamed").exists()
    assert not Objective.objects.filter(text="Renamed").exists()


def test_plan_approval_without_its_version_is_refused(client, chair, partnership, plan):
    group, person = strategy_group(partnership)
    carried = decision(group, person, "Approve the plan")
    client.force_login(chair)
    url = "/plans/lancashire-south/revision/1/approve/"
    response = client.post(url, {"decision": carried.pk}, follow=True)
    assert MISSING in _page(response)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT
    client.post(url, {"decision": carried.pk, "version": plan.version})
    plan.refresh_from_db()
    assert plan.status == Plan.Status.APPROVED


def test_minutes_without_their_version_are_refused_new_or_not(client, coordinator, group):
    meeting = Meeting(group=group, date=dt.date(2024, 1, 10))
    meeting.save()
    client.force_login(coordinator)
    url = f"/meetings/lancashire-south/meeting/{meeting.pk}/minutes/edit"
    response = client.post(url, {"text": "First"})
    assert response.status_code == 400 and MISSING in _page(response)
    assert not Minutes.objects.exists()
    assert client.post(url, {"text": "First", "version": "0"}).status_code == 302
    response = client.post(url, {"text": "Overwritten"})
    assert response.status_code == 400 and MISSING in _page(response)
    assert Minutes.objects.get().text == "First"


def test_an_assessment_moves_on_only_with_its_version(client, coordinator, partnership):
    assessment = Assessment.objects.create(
        partnership=partnership,
        title="Strategic assessment",
        period_start="2021-12",
        period_end="2022-11",
        document={"sections": [], "summary": []},
        fingerprint={},
        built_at=timezone.now(),
    )
    client.force_login(coordinator)
    url = f"/intelligence/assessments/lancashire-south/{assessment.pk}/review/"
    assert MISSING in _page(client.post(url, follow=True))
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT
    client.post(url, {"version": assessment.version})
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.REVIEWED


def test_the_api_replaces_a_month_only_with_its_version(client, analyst, partnership):
    series = ManualSeries(partnership=partnership, slug="reoffending", name="Re-offending")
    series.save()
    SeriesValue(series=series, month="2024-01", value=7).save()
    client.force_login(analyst)
    url = "/api/partnerships/lancashire-south/series/reoffending/values"
    body = {"month": "2024-01", "value": 9}
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and "already has a value" in response.json()["detail"]
    assert SeriesValue.objects.get().value == 7
