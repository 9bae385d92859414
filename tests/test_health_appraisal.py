"""The closer-working appraisal of the three district partnerships Lancashire South replaced,
as they stood before the merger: the planner's meetings and person-hours for each option, the
people they share, border hot-spots, and the committee report (page and PDF)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from django.urls import reverse

from conftest import user_with_role

pytestmark = pytest.mark.django_db
SLUGS = ["chorley-csp", "south-ribble-csp", "west-lancashire-csp"]


@pytest.fixture
def districts(south_with_incidents):
    from cdrp.accounts.audit import acting_as
    from cdrp.health import demo
    from cdrp.partnerships.models import Partnership

    with acting_as(None, "test"):
        demo._venues()
    return [Partnership.objects.get(slug=s) for s in SLUGS]


def test_status_quo_and_merger_are_the_planners_figures(districts, settings):
    from cdrp.analysis.planner import plan
    from cdrp.health.appraisal import appraise, option_specs, schedule_figures
    from cdrp.meetings.services import plan_year, planner_inputs

    result = appraise(districts, settings.INCIDENT_STORE)
    assert result["as_at"] == dt.date(2008, 3, 31)  # the day before the merger's pilot
    assert result["year"] == "2007/08" and result["unplanned"] == []
    options = {o.key: o for o in result["options"]}
    assert list(options) == [
        "status_quo",
        "consecutive",
        "shared_groups",
        "joint",
        "merger",
        "shared_services",
    ]
    # Status quo: each partnership's year as plan_year schedules it.
    meetings = hours = 0.0
    for p in districts:
        schedule, inputs = plan_year(p, 2007, time_limit=5)
        f = schedule_figures(schedule, inputs)
        meetings += f.meetings
        hours += f.person_hours
    assert options["status_quo"].figures.meetings == meetings
    assert options["status_quo"].figures.person_hours == pytest.approx(hours)
    # Merger: the merged groups solved by the planner give the same figures.
    inputs = [planner_inputs(p, 2007) for p in districts]
    kinds = {str(g.pk): g.kind for p in districts for g in p.all_groups()}
    specs = option_specs(options["merger"], inputs, kinds)
    venues = [v for i in inputs for v in i.venues]
    schedule = plan(specs, venues, inputs[0].start, inputs[0].end, inputs[0].rules, time_limit=10)
    solved = schedule_figures(
        schedule,
        type(inputs[0])(specs, venues, inputs[0].rules, inputs[0].start, inputs[0].end, {}),
    )
    assert options["merger"].figures.meetings == solved.meetings
    assert options["merger"].figures.person_hours == pytest.approx(solved.person_hours)
    # The Chorley report's reasoning: fewer meetings, the same people in all three.
    assert options["merger"].figures.meetings < options["status_quo"].figures.meetings
    assert options["merger"].saving_hours > 0
    assert options["consecutive"].figures == options["status_quo"].figures
    assert len(result["people"]) >= 5  # police, fire, health, county, probation sit in all three
    assert all(len(e["partnerships"]) >= 2 for e in result["people"])
    assert result["hotspots"]["done"] and result["hotspots"]["lsoas"] > 200
    assert result["hotspots"]["border_lsoas"] > 20  # the districts do touch
    # The WDQ around the shared borders: a row per partnership, its band and the band across;
    # the bands and the LSOAs on no border share out every record of the 12 months.
    wdq = result["hotspots"]["wdq"]
    assert wdq["done"] and wdq["after"] == "December 2021 to November 2022"
    assert wdq["before"] == "December 2020 to November 2021"
    rows = wdq["rows"]
    assert sorted(r["partnership"] for r in rows) == sorted(p.name for p in districts)
    assert (
        sum(r["target"][1] for r in rows) + rows[0]["control"][1] == (result["hotspots"]["records"])
    )
    assert sum(r["target_lsoas"] for r in rows) == result["hotspots"]["border_lsoas"]
    assert any(r["quotient"] is not None for r in rows)
    for r in rows:
        a0, a1 = r["target"]
        c0, c1 = r["control"]
        assert r["wdq"].success_measure == pytest.approx(a1 / c1 - a0 / c0)
    # Joint arrangements and the merger save the same hours; the merger also saves two
    # assessments and two plans a year, so it is recommended (as the Chorley report did).
    assert options["merger"].saving_hours == options["joint"].saving_hours
    assert options["merger"].documents_saved == 4
    assert result["recommended"].key == "merger"
    assert [t["date"] for t in result["timetable"]][1] == dt.date(2008, 4, 1)


def test_the_report_page_and_pdf(districts, client, tmp_path, settings):
    from cdrp.partnerships.models import Partnership
    from test_health_close import pdf_links

    settings.CDRP_SITE_URL = "https://cdrp.example.org/"

    south = Partnership.objects.get(slug="lancashire-south")
    url = reverse("health:appraisal", kwargs={"partnership": south.slug})
    client.force_login(
        user_with_role("outsider", Partnership.objects.get(slug="chorley-csp"), "member")
    )
    assert client.get(url).status_code == 403
    client.force_login(user_with_role("coord", south, "coordinator"))
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for heading in (
        "1. Background",
        "2. Options",
        "3. Figures",
        "4. Recommendation",
        "5. Risks",
        "6. Timetable",
    ):
        assert heading in html
    # The WDQ around the shared borders, with a figure and its reading.
    assert 'id="wdq-table"' in html and "Weighted displacement quotient" in html
    assert re.search(r"numeric\">−?\d\.\d\d</td>", html)
    assert "across the border" in html
    response = client.get(reverse("health:appraisal-pdf", kwargs={"partnership": south.slug}))
    assert response.status_code == 200
    # Its links open the records at the service's address: the partnerships, the people.
    uris = pdf_links(response.content)
    for p in districts:
        assert "https://cdrp.example.org" + p.get_absolute_url() in uris
    people = [u for u in uris if "/people/" in u or "/person" in u]
    assert people and all(u.startswith("https://cdrp.example.org/") for u in uris)
    assert client.get(people[0].removeprefix("https://cdrp.example.org")).status_code == 200
    path = tmp_path / "appraisal.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) >= 3
    for number, page_text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in page_text
    # The options table is whole: every option on the page that has its caption.
    table = [p for p in pages if "meetings and person-hours a year" in p]
    assert len(table) == 1
    # (titles wrap in the narrow column: their first words)
    for word in ("Status", "Consecutive", "Shared", "Joint", "Full", "services"):
        assert word in table[0]
    assert "Weighted displacement quotient around the shared borders" in text
