"""The six hallmarks self-assessment on the demo (Lancashire South, 2022/23): evidence computed
from the records with links that open them, the group's scores, the trend, the PDF; and the
skills review feeding the compliance rule."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from django.urls import reverse

from conftest import user_with_role

pytestmark = pytest.mark.django_db
YEAR = 2022


@pytest.fixture
def health_demo(south_with_incidents):
    from cdrp.accounts.audit import acting_as
    from cdrp.health import demo as health_demo
    from cdrp.meetings import demo as meetings_demo
    from cdrp.plans import demo as plans_demo

    out = io.StringIO()
    with acting_as(None, "test"):
        plans_demo.load(out, {})
        health_demo.load(out, {})
        meetings_demo.finish(out, {})
    return south_with_incidents


def test_every_hallmark_has_three_evidence_links_that_open_their_records(health_demo, client):
    from cdrp.health import services
    from cdrp.health.hallmarks import HALLMARKS

    report = services.report(health_demo, YEAR)
    assert [s["hallmark"].key for s in report["sections"]] == [h.key for h in HALLMARKS]
    client.force_login(user_with_role("coord", health_demo, "coordinator"))
    page = client.get(
        reverse("health:hallmarks", kwargs={"partnership": health_demo.slug}), {"year": YEAR}
    )
    assert page.status_code == 200
    html = page.content.decode()
    opened = set()
    for section in report["sections"]:
        links = [link for row in section["rows"] for link in row["evidence"].links]
        assert len(links) >= 3, (section["hallmark"].title, links)
        for link in links:
            assert f'href="{link.url}"' in html.replace("&amp;", "&")
            if link.url in opened:
                continue
            response = client.get(link.url)
            assert response.status_code == 200, (link.title, link.url, response.status_code)
            opened.add(link.url)
    # The records the demo made are what the evidence says.
    rows = {r["criterion"].id: r for s in report["sections"] for r in s["rows"]}
    assert rows["SKILL-REVIEW"]["evidence"].status == "met"
    assert rows["COMM-PUBLIC"]["evidence"].status == "met"
    assert rows["LEAD-MEETS"]["evidence"].summary.startswith("4 meetings held in 2022/23")
    # The community app records consultations; this fixture closes no survey in 2022/23.
    assert rows["COMM-CONSULT"]["evidence"].status == "not_met"
    assert rows["ACCT-CCFA"]["evidence"].status == "met"  # no call was due in 2022/23
    # The group's scores, per year, and the trend.
    assert rows["LEAD-MEETS"]["score"].score == 3
    assert [t["year"] for t in report["trend"]] == ["2021/22", "2022/23"]
    assert report["trend"][0]["cells"][5] == 1 and report["trend"][1]["cells"][5] == 2


def test_a_criterion_changes_when_its_record_does(health_demo):
    from cdrp.accounts.audit import acting_as
    from cdrp.health import hallmarks, skills
    from cdrp.health.models import SkillsReview
    from cdrp.meetings.agenda import close_action

    year = hallmarks.Year(YEAR)
    before = hallmarks.CRITERIA["SKILL-TRAINING"].compute(health_demo, year)
    assert before.status == "partly"
    assert "2 training actions, 0 done" in before.summary
    review = SkillsReview.objects.get(partnership=health_demo)
    with acting_as(None, "test"):
        for item in review.training.all():
            close_action(item.action, "Held", dt.date(2023, 1, 20))
    after = hallmarks.CRITERIA["SKILL-TRAINING"].compute(health_demo, year)
    assert after.status == "met" and "2 training actions, 2 done" in after.summary
    # Removing the review: the annual review criterion (the compliance rule) is no longer met.
    with acting_as(None, "test"):
        review.delete()
    gone = hallmarks.CRITERIA["SKILL-REVIEW"].compute(health_demo, year)
    assert gone.status == "not_met" and gone.links == []
    assert (
        skills.reviews_evidence
        in __import__("cdrp.partnerships.evidence").partnerships.evidence._providers[
            "skills_review"
        ]
    )


def test_the_report_pdf_has_page_numbers_and_whole_tables(health_demo, client, tmp_path, settings):
    from django.urls import resolve

    from cdrp.health import services
    from test_health_close import pdf_links

    settings.CDRP_SITE_URL = "https://cdrp.example.org/"
    client.force_login(user_with_role("member1", health_demo, "member"))
    url = reverse("health:hallmarks-pdf", kwargs={"partnership": health_demo.slug})
    response = client.get(url, {"year": YEAR})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # Each evidence item links to its record at the service's address (first six a criterion).
    uris = pdf_links(response.content)
    report = services.report(health_demo, YEAR)
    shown = {
        "https://cdrp.example.org" + link.url
        for s in report["sections"]
        for row in s["rows"]
        for link in row["evidence"].links[:6]
        if link.url.startswith("/")
    }
    assert shown and shown <= set(uris)
    assert all(u.startswith("https://cdrp.example.org/") for u in uris)
    for uri in sorted(shown)[:5]:  # each opens its record
        path = uri.removeprefix("https://cdrp.example.org")
        resolve(path.split("#")[0].split("?")[0])
        assert client.get(path).status_code == 200
    path = tmp_path / "hallmarks.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) >= 7
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in page
    # The summary table is whole: every hallmark's row on one page.
    summary = [p for p in pages if "Scores run from 1 (weak)" in p]
    assert len(summary) == 1
    for title in (
        "Empowered and effective leadership",
        "Engaged communities",
        "Appropriate skills and knowledge",
    ):
        assert title in summary[0]


def test_scores_need_edit_and_are_audited(health_demo, client):
    from cdrp.accounts.models import AuditEvent
    from cdrp.health.models import CriterionScore

    url = reverse("health:hallmarks-score", kwargs={"partnership": health_demo.slug})
    client.force_login(user_with_role("m", health_demo, "member"))
    assert (
        client.post(url, {"year": YEAR, "criterion": "LEAD-MEETS", "score": 4}).status_code == 403
    )
    client.force_login(user_with_role("c", health_demo, "coordinator"))
    client.post(url, {"year": YEAR, "criterion": "LEAD-MEETS", "score": 4, "judgement": "Strong"})
    score = CriterionScore.objects.get(assessment__year=YEAR, criterion="LEAD-MEETS")
    assert score.score == 4 and score.judgement == "Strong"
    assert AuditEvent.objects.filter(
        model="health.CriterionScore", object_id=str(score.pk), actor="c"
    ).exists()
