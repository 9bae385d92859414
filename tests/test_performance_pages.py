"""Performance pages, quarterly report (HTML and PDF), downloads, manual series entry and the
performance API: on the demo plan and on small plans made here."""

from __future__ import annotations

import csv
import io
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from cdrp.accounts.models import ApiToken
from conftest import user_with_role

SOUTH = ["E07000118", "E07000126", "E07000127"]
SLUG = "lancashire-south"


def _url(name, **kw):
    return reverse(f"plans:{name}", kwargs={"partnership": SLUG, **kw})


def _auth(user):
    _, key = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def store(reference_store, settings):
    settings.INCIDENT_STORE = reference_store[0]
    return reference_store[0]


@pytest.fixture
def cohort(south_districts):
    """A partner measure: re-offenders out of the cohort, April to September 2022."""
    from cdrp.plans.models import ManualSeries, SeriesValue

    series = ManualSeries.objects.create(
        partnership=south_districts, slug="ppo", name="PPO re-offending", has_denominator=True
    )
    for month, value, of in [
        ("2022-04", 8, 60),
        ("2022-05", 7, 59),
        ("2022-06", 6, 60),
        ("2022-08", 7, 60),  # 2022-07 not supplied: missing, not zero
        ("2022-09", 6, 59),
    ]:
        SeriesValue.objects.create(series=series, month=month, value=value, denominator=of)
    return series


def _plan(south_districts, cohort, *, approved=True, burglary_target=None):
    from cdrp.plans.models import Indicator, Objective, Plan, Priority, Target

    plan = Plan.objects.create(
        partnership=south_districts,
        revision=1,
        title="Test plan 2022 to 2025",
        period_start="2022-04",
        period_end="2025-03",
    )
    burglary = Priority.objects.create(plan=plan, position=1, name="Burglary")
    objective = Objective.objects.create(priority=burglary, text="Fewer burglaries.")
    indicator = Indicator.objects.create(
        objective=objective, name="Burglary records", categories=["burglary"]
    )
    Target.objects.create(
        indicator=indicator,
        **(
            burglary_target
            or {
                "kind": "change",
                "value": Decimal("-5"),
                "baseline_start": "2021-04",
                "baseline_end": "2022-03",
            }
        ),
        period_start="2022-04",
        period_end="2023-03",
    )
    ppo = Priority.objects.create(plan=plan, position=2, name="Offenders")
    objective = Objective.objects.create(priority=ppo, text="Less re-offending.")
    reoffending = Indicator.objects.create(
        objective=objective, name="PPO re-offending", source="manual", series=cohort
    )
    Target.objects.create(
        indicator=reoffending,
        kind="absolute",
        value=Decimal("10"),
        period_start="2022-04",
        period_end="2023-03",
    )
    if approved:
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.APPROVED)
        plan.refresh_from_db()
    return plan


# --- The demo plan --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_plan_performance_page_report_pdf_downloads_and_api(demo_registry, store, client):
    """Lancashire South's demo plan (approved revision 1): statuses computed from the real
    data, exceptions first, the quarterly report as HTML and PDF, CSV and XLSX, the API."""
    from openpyxl import load_workbook

    from cdrp.accounts.audit import acting_as
    from cdrp.funding import demo as funding_demo
    from cdrp.performance.status import plan_performance
    from cdrp.plans import demo
    from cdrp.plans.models import Plan

    with acting_as(None, "test"):
        demo.load(io.StringIO(), {})
        funding_demo.load(io.StringIO(), {})
    plan = Plan.objects.get(partnership=demo_registry)
    assert plan.status == Plan.Status.APPROVED
    client.force_login(user_with_role("reader", demo_registry, "member"))
    response = client.get(_url("performance"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Figures as of <strong>November 2022</strong>, the latest month held" in html
    rows = plan_performance(plan, store, "2022-11")
    kinds = {r["target"].kind for r in rows}
    assert kinds == {"absolute", "change", "family"}
    assert {r["measure"] for r in rows} >= {"count", "rate", "harm", "proportion"}
    for row in rows:
        assert row["status"] in ("on track", "at risk", "off track"), row["reasoning"]
        assert row["indicator"].name in html
        assert row["sparkline"] in html
    exceptions = [r for r in rows if r["status"] in ("off track", "at risk")]
    assert f"Exceptions: {len(exceptions)} indicator" in html
    # Exceptions are listed before the tables of the priorities.
    assert html.index("Exceptions:") < html.index('class="govuk-table cdrp-perf-table"')
    assert "govuk-tag--red" in html and "govuk-tag--green" in html
    assert "July to September 2022" in html and "October to December 2022" in html
    # Funding follows performance: the projects commissioned against a priority sit beside it.
    asb = html.index(
        'cdrp-perf-table">\n  <caption class="govuk-table__caption govuk-table__caption--m">'
        "Anti-social behaviour"
    )
    assert "Commissioned against this priority: " in html[asb:]
    assert "Youth diversion in Chorley" in html[asb : html.index("Criminal damage", asb)]

    report = client.get(_url("performance-report", quarter="2022-Q3"))
    text = report.content.decode()
    assert report.status_code == 200 and "Prepared for the strategy group" in text
    assert "figures as of September 2022" in text
    assert text.index("Summary of exceptions") < text.index("How the status is decided")

    pdf = client.get(_url("performance-report-pdf", quarter="2022-Q3"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    pages = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Quarterly performance report" in pages and "Prepared for" in pages
    assert "Contents" in pages and "Summary of exceptions" in pages and "Page 2 of" in pages

    statuses = client.get(_url("performance-download", what="statuses", fmt="csv"))
    table = list(csv.DictReader(io.StringIO(statuses.content.decode())))
    assert len(table) == len(rows) and table[0]["Status"] == rows[0]["status"]
    series = client.get(
        _url("performance-download", what="indicators", fmt="xlsx") + "?as_of=2022-08"
    )
    book = load_workbook(io.BytesIO(series.content))
    header = [c.value for c in book.active[1]]
    assert header == ["Priority", "Indicator", "Measure", "Month", "Value"]
    months = {r[3] for r in book.active.iter_rows(min_row=2, values_only=True)}
    assert max(months) == "2022-08" and "2021-04" in months

    api = client.get("/api/partnerships/lancashire-south/performance?as_of=2022-11")
    data = api.json()
    assert api.status_code == 200 and data["plan_revision"] == 1
    assert [i["status"] for i in data["indicators"]] == [r["status"] for r in rows]
    assert data["indicators"][0]["value"] == rows[0]["value"]

    # The demo's draft assessment is built after the plan, so it reviews the plan's targets:
    # each in progress with the status the performance page gives as of November 2022.
    from cdrp.intelligence.assessments import staleness
    from cdrp.intelligence.models import Assessment
    from cdrp.store import Store

    draft = Assessment.objects.get(partnership=demo_registry, period_end="2022-11")
    section = next(s for s in draft.document["sections"] if s["id"] == "plan")
    outcomes = [r["outcome"] for r in section["tables"][0]["rows"]]
    assert outcomes == [f"in progress (8 of 12 months): {r['status']}" for r in rows]
    assert staleness(draft, Store(store)) == []


# --- Small plans ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_members_read_outsiders_and_anonymous_do_not(
    client, store, south_districts, cohort, member, outsider
):
    _plan(south_districts, cohort)
    assert client.get(_url("performance")).status_code == 302  # to sign in
    assert client.get("/api/partnerships/lancashire-south/performance").status_code == 401
    client.force_login(outsider)
    assert client.get(_url("performance")).status_code == 403
    assert client.get(_url("series")).status_code == 403
    assert (
        client.get(
            "/api/partnerships/lancashire-south/performance", headers=_auth(outsider)
        ).status_code
        == 403
    )
    client.force_login(member)
    assert client.get(_url("performance")).status_code == 200
    assert client.get(_url("series-value", series="ppo")).status_code == 403


@pytest.mark.django_db
def test_a_draft_plan_is_shown_with_a_notice_and_a_proportion_is_judged(
    client, store, south_districts, cohort, member
):
    _plan(south_districts, cohort, approved=False)
    client.force_login(member)
    html = client.get(_url("performance") + "?as_of=2022-09").content.decode()
    assert "Draft plan: revision 1 has not been approved by the strategy group" in html
    # 8 + 7 + 6 + 7 + 6 = 34 re-offended out of 60 + 59 + 60 + 60 + 59 = 298 (2022-07 missing).
    assert "So far 11.4%" in html and "34 of 298 in 5 of 12 months (July 2022 not held)" in html
    assert "target at most 10.0%" in html


@pytest.mark.django_db
def test_a_change_target_with_no_baseline_is_refused_clearly(
    client, store, south_districts, cohort, member
):
    _plan(south_districts, cohort, burglary_target={"kind": "change", "value": Decimal("-5")})
    client.force_login(member)
    html = client.get(_url("performance") + "?as_of=2022-09").content.decode()
    assert "Cannot judge" in html
    assert "This target cannot be judged: baseline_start: a change target needs a baseline" in html


@pytest.mark.django_db
def test_a_bad_month_or_quarter_is_refused(client, store, south_districts, cohort, member):
    _plan(south_districts, cohort)
    client.force_login(member)
    response = client.get(_url("performance") + "?as_of=2022-13")
    assert response.status_code == 400
    assert (
        "Month to show: enter a month and year, for example August 2022"
        in response.content.decode()
    )
    assert client.get(_url("performance-report", quarter="2022-Q5")).status_code == 404
    assert client.get(_url("performance-report", quarter="2023-Q1")).status_code == 404
    assert client.get(_url("performance-download", what="x", fmt="csv")).status_code == 404
    api = client.get("/api/partnerships/lancashire-south/performance?as_of=May", headers={})
    assert api.status_code == 400 and "as_of: expected a month as YYYY-MM" in api.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data,message",
    [
        ({"month": "2022/10", "value": "5", "denominator": "60"}, "Month: enter a month and year"),
        ({"month": "2022-10", "value": "-1", "denominator": "60"}, "Value: expected zero or more"),
        ({"month": "2022-10", "value": "1.5", "denominator": "60"}, "Value: expected a whole"),
        ({"month": "2022-10", "value": "5", "denominator": ""}, "Out of (denominator): enter"),
        ({"month": "2022-10", "value": "61", "denominator": "60"}, "is smaller than the value"),
    ],
)
def test_bad_series_entries_are_refused_and_nothing_is_written(
    client, south_districts, cohort, coordinator, data, message
):
    from cdrp.plans.models import SeriesValue

    client.force_login(coordinator)
    response = client.post(_url("series-value", series="ppo"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not SeriesValue.objects.filter(series=cohort, month="2022-10").exists()


@pytest.mark.django_db
def test_a_month_already_entered_is_replaced_only_with_its_version(
    client, south_districts, cohort, coordinator
):
    from cdrp.plans.models import SeriesValue

    client.force_login(coordinator)
    url = _url("series-value", series="ppo")
    ok = client.post(url, {"month": "2022-10", "value": "5", "denominator": "58"})
    assert ok.status_code == 302
    assert SeriesValue.objects.get(series=cohort, month="2022-10").value == 5
    again = client.post(url, {"month": "2022-10", "value": "4", "denominator": "58"})
    html = again.content.decode()
    assert again.status_code == 400 and "October 2022 already has a value (5 out of 58)" in html
    assert "Replace the value" in html
    row = SeriesValue.objects.get(series=cohort, month="2022-10")
    assert row.value == 5
    confirmed = client.post(
        url, {"month": "2022-10", "value": "4", "denominator": "58", "version": row.version}
    )
    assert confirmed.status_code == 302
    assert SeriesValue.objects.get(series=cohort, month="2022-10").value == 4
    stale = client.post(
        url, {"month": "2022-10", "value": "3", "denominator": "58", "version": row.version}
    )
    assert stale.status_code == 400 and "was changed by someone else" in stale.content.decode()
    assert SeriesValue.objects.get(series=cohort, month="2022-10").value == 4
    page = client.get(_url("series-detail", series="ppo")).content.decode()
    assert "2022-10" in page and "?month=2022-10" in page


@pytest.mark.django_db
def test_a_coordinator_adds_a_measure(client, south_districts, coordinator, member):
    from cdrp.plans.models import ManualSeries

    client.force_login(member)
    assert client.post(_url("series-create"), {"name": "Fires"}).status_code == 403
    client.force_login(coordinator)
    refused = client.post(_url("series-create"), {"name": ""})
    assert refused.status_code == 400 and "Name: enter the name" in refused.content.decode()
    made = client.post(_url("series-create"), {"name": "Deliberate fires", "source": "Fire"})
    assert made.status_code == 302
    series = ManualSeries.objects.get(partnership=south_districts)
    assert series.slug == "deliberate-fires" and not series.has_denominator
    twice = client.post(_url("series-create"), {"name": "Deliberate fires"})
    assert "already has a measure" in twice.content.decode()


@pytest.mark.django_db
def test_the_series_api(client, south_districts, cohort, coordinator, member):
    url = "/api/partnerships/lancashire-south/series"
    listed = client.get(url, headers=_auth(member)).json()
    assert listed[0]["slug"] == "ppo" and [v["month"] for v in listed[0]["values"]] == [
        "2022-04",
        "2022-05",
        "2022-06",
        "2022-08",
        "2022-09",
    ]
    post = f"{url}/ppo/values"
    body = {"month": "2022-07", "value": 5, "denominator": 60}
    assert (
        client.post(post, body, content_type="application/json", headers=_auth(member)).status_code
        == 403
    )
    made = client.post(post, body, content_type="application/json", headers=_auth(coordinator))
    assert made.status_code == 201 and made.json()["version"] == 1
    dup = client.post(post, body, content_type="application/json", headers=_auth(coordinator))
    assert dup.status_code == 400 and dup.json()["detail"].startswith("month: July 2022 already")
    replaced = client.post(
        post,
        {**body, "value": 6, "version": 1},
        content_type="application/json",
        headers=_auth(coordinator),
    )
    assert replaced.status_code == 200 and replaced.json()["value"] == 6
    stale = client.post(
        post,
        {**body, "value": 7, "version": 1},
        content_type="application/json",
        headers=_auth(coordinator),
    )
    assert stale.status_code == 409
    bad = client.post(
        post,
        {"month": "2022-12", "value": 5},
        content_type="application/json",
        headers=_auth(coordinator),
    )
    assert bad.status_code == 400 and bad.json()["detail"].startswith("denominator: enter")


def test_quarters_are_calendar_quarters_capped_at_the_last_month_held():
    from types import SimpleNamespace

    from cdrp.analysis.months import MonthError, quarter_label, quarter_months
    from cdrp.performance.report import available_quarters

    assert quarter_months("2022-Q3") == ("2022-07", "2022-09")
    assert quarter_label("2022-Q4") == "October to December 2022"
    with pytest.raises(MonthError, match="quarter: expected a calendar quarter as YYYY-Qn"):
        quarter_months("2022-3")
    plan = SimpleNamespace(period_start="2022-04", period_end="2025-03")
    quarters = available_quarters(plan, "2022-11")
    assert [q["quarter"] for q in quarters] == ["2022-Q4", "2022-Q3", "2022-Q2"]
    assert quarters[0]["as_of"] == "2022-11" and quarters[0]["partial"]
    assert quarters[1]["as_of"] == "2022-09" and not quarters[1]["partial"]
    assert available_quarters(plan, "2022-02") == []


@pytest.mark.django_db
def test_with_no_incident_data_yet_the_page_says_so(
    client, fresh_store, settings, south_districts, cohort, member
):
    settings.INCIDENT_STORE = fresh_store
    _plan(south_districts, cohort)
    client.force_login(member)
    response = client.get(_url("performance"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "No data yet for April 2022 to March 2023" in html  # the burglary indicator
    assert "No quarter of the plan has data yet" in html
    assert "PPO re-offending" in html


@pytest.mark.django_db
def test_a_manual_count_series_is_projected_like_a_count(south_districts):
    """Deliberate fires entered by hand, no denominator: 4 + 6 + 5 = 15 in April to June 2022
    and nothing entered for last year, so pro rata: 15 x 12 / 3 = 60, Garwood limits of 15
    times 4; against at most 50: the projection misses, but 50 is inside the interval."""
    from scipy.stats import chi2

    from cdrp.performance.status import indicator_status
    from cdrp.plans.models import (
        Indicator,
        ManualSeries,
        Objective,
        Plan,
        Priority,
        SeriesValue,
        Target,
    )

    series = ManualSeries.objects.create(partnership=south_districts, slug="fires", name="Fires")
    for month, value in [("2022-04", 4), ("2022-05", 6), ("2022-06", 5)]:
        SeriesValue.objects.create(series=series, month=month, value=value)
    plan = Plan.objects.create(
        partnership=south_districts,
        revision=1,
        title="P",
        period_start="2022-04",
        period_end="2025-03",
    )
    objective = Objective.objects.create(
        priority=Priority.objects.create(plan=plan, name="Fire"), text="Fewer fires."
    )
    indicator = Indicator.objects.create(
        objective=objective, name="Deliberate fires", source="manual", series=series
    )
    target = Target.objects.create(
        indicator=indicator,
        kind="absolute",
        value=Decimal("50"),
        period_start="2022-04",
        period_end="2023-03",
    )
    row = indicator_status(indicator, target, None, "2022-06")
    assert row["measure"] == "count" and row["value"] == 15 and row["projection"] == 60
    assert row["low"] == pytest.approx(4 * chi2.ppf(0.025, 30) / 2)
    assert row["high"] == pytest.approx(4 * chi2.ppf(0.975, 32) / 2)
    assert row["status"] == "at risk" and "pro rata (12/3)" in row["reasoning"]


def test_an_analyst_enters_a_month_but_cannot_define_a_measure(client, south_districts, cohort):
    from conftest import user_with_role

    client.force_login(user_with_role("an-analyst", south_districts, "analyst"))
    listing = client.get("/plans/performance/lancashire-south/series/").content.decode()
    assert "Enter a month" in listing and "Add a partner measure" not in listing
    assert client.get("/plans/performance/lancashire-south/series/new/").status_code == 403
    page = client.get(f"/plans/performance/lancashire-south/series/{cohort.slug}/value/")
    assert page.status_code == 200
