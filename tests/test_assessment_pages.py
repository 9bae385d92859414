"""Assessment pages: build as a task, the document page, stale flag, lifecycle and public copy."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

SOUTH = ["E07000118", "E07000126", "E07000127"]


def _url(name, record, **kw):
    return reverse(f"intelligence:{name}", kwargs={"partnership": "lancashire-south", **kw})


@pytest.mark.django_db(transaction=True)
def test_an_analyst_queues_a_build_that_the_worker_saves(
    client, analyst, south_districts, reference_store, settings
):
    from cdrp.core.models import TaskProgress
    from cdrp.intelligence.models import Assessment

    settings.INCIDENT_STORE = reference_store[0]
    client.force_login(analyst)
    response = client.post(
        reverse("intelligence:assessment-build", kwargs={"partnership": "lancashire-south"}),
        {"kind": "strategic", "end": "2022-11", "months": "12"},
    )
    assert response.status_code == 302 and "/tasks/" in response["Location"]
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    record = Assessment.objects.get()
    assert record.partnership == south_districts and record.built_by == analyst
    assert record.document["totals"]["E07000118"] == 11007
    progress = TaskProgress.objects.get()
    assert progress.finished and not progress.failed and progress.requested_by == analyst


@pytest.mark.django_db
def test_a_member_may_read_but_not_build(client, member, south_districts):
    client.force_login(member)
    url = reverse("intelligence:assessment-build", kwargs={"partnership": "lancashire-south"})
    assert client.post(url, {"kind": "strategic"}).status_code == 403
    listing = client.get(
        reverse("intelligence:assessment-list", kwargs={"partnership": "lancashire-south"})
    )
    assert listing.status_code == 200 and b"Build an assessment" not in listing.content


@pytest.mark.django_db
def test_a_refresh_without_an_annual_assessment_is_refused_with_a_message(
    client, analyst, south_districts
):
    from cdrp.intelligence.models import Assessment

    client.force_login(analyst)
    url = reverse("intelligence:assessment-build", kwargs={"partnership": "lancashire-south"})
    response = client.post(url, {"kind": "refresh", "end": "2022-11"}, follow=True)
    assert b"A refresh needs an annual strategic assessment" in response.content
    response = client.post(url, {"kind": "strategic", "end": "Smarch 2022"}, follow=True)
    assert b"Enter the last month as a month and year, for example November 2022" in (
        response.content
    )
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_the_document_page_shows_every_section_charts_and_maps(client, member, saved):
    client.force_login(member)
    response = client.get(_url("assessment-detail", saved, pk=saved.pk))
    html = response.content.decode()
    assert response.status_code == 200
    for title in (
        "1. Levels and patterns",
        "2. Changes since the last assessment",
        "3. Why: what drove the change",
        "4. Effectiveness of last year",
        "5. Community views",
        "6. Comparison with similar areas",
        "7. Priorities",
    ):
        assert title in html
    assert "vendor/vega/vega-embed.min.js" in html
    assert html.count('class="cdrp-chart"') >= 5
    assert html.count('class="cdrp-map"') == 2
    assert 'id="t-levels-districts--E07000118"' in html
    assert "Out of date" not in html


@pytest.mark.django_db
def test_changed_inputs_flag_the_page_out_of_date_without_recomputing(client, member, chair, saved):
    fingerprint = saved.fingerprint
    november = next(p for p in fingerprint["partitions"] if p["month"] == "2022-11")
    november["ingest_id"] = "an-earlier-import"
    november["rows"] -= 5
    saved.fingerprint = fingerprint
    saved.save()
    client.force_login(member)
    html = client.get(_url("assessment-detail", saved, pk=saved.pk)).content.decode()
    assert "Out of date" in html and "lancashire 2022-11: re-imported" in html
    assert "11,007" in html  # the stored figures, not recomputed
    # An out-of-date assessment cannot be published.
    saved.status = "approved"
    saved.save()
    client.force_login(chair)
    response = client.post(_url("assessment-publish", saved, pk=saved.pk), follow=True)
    assert b"out of date: build it again to publish" in response.content


@pytest.mark.django_db
def test_the_lifecycle_runs_draft_reviewed_approved_published_with_the_right_roles(
    client, analyst, coordinator, chair, saved
):
    client.force_login(analyst)
    assert client.post(_url("assessment-review", saved, pk=saved.pk)).status_code == 403
    client.force_login(coordinator)
    client.post(_url("assessment-review", saved, pk=saved.pk), {"version": saved.version})
    saved.refresh_from_db()
    assert saved.status == "reviewed" and saved.reviewed_by == coordinator
    assert client.post(_url("assessment-approve", saved, pk=saved.pk)).status_code == 403
    client.force_login(chair)
    # Publishing before approval is refused, the status is unchanged.
    response = client.post(_url("assessment-publish", saved, pk=saved.pk), follow=True)
    assert b"cannot be moved to published" in response.content
    saved.refresh_from_db()
    assert saved.status == "reviewed"
    client.post(_url("assessment-approve", saved, pk=saved.pk), {"version": saved.version})
    saved.refresh_from_db()
    client.post(_url("assessment-publish", saved, pk=saved.pk), {"version": saved.version})
    saved.refresh_from_db()
    assert saved.status == "published" and saved.approved_by == chair
    assert saved.published_at is not None


@pytest.mark.django_db
def test_a_stale_edit_of_the_status_is_refused(client, coordinator, saved):
    client.force_login(coordinator)
    response = client.post(
        _url("assessment-review", saved, pk=saved.pk), {"version": saved.version - 1}, follow=True
    )
    assert "changed by someone else" in response.content.decode()
    saved.refresh_from_db()
    assert saved.status == "draft"


@pytest.mark.django_db
def test_only_published_assessments_are_public(client, saved):
    detail = _url("assessment-published-detail", saved, pk=saved.pk)
    assert client.get(detail).status_code == 404
    assert client.get(_url("assessment-detail", saved, pk=saved.pk)).status_code == 302
    saved.status = "published"
    saved.save()
    response = client.get(detail)
    assert response.status_code == 200 and b"7. Priorities" in response.content
    listing = client.get(_url("assessment-published", saved))
    assert detail.encode() in listing.content
    data = client.get(_url("assessment-published-download", saved, pk=saved.pk, fmt="json"))
    assert json.loads(data.content)["totals"]["E07000118"] == 11007
    assert (
        client.get(_url("assessment-published-download", saved, pk=saved.pk, fmt="xlsx"))
    ).status_code == 404


@pytest.mark.django_db
def test_partner_data_counts_below_the_threshold_are_suppressed_in_public(client, saved, settings):
    settings.CDRP_SUPPRESS_BELOW = 5
    document = saved.document
    document["sections"][0]["tables"].append(
        {
            "id": "partner-fires",
            "title": "Deliberate fires by ward",
            "source": "fire-deliberate-fires",
            "columns": [
                {"key": "ward", "label": "Ward", "format": "text"},
                {"key": "count", "label": "Fires", "format": "int"},
            ],
            "rows": [
                {"ward": "Astley", "count": 3, "_key": "a"},
                {"ward": "Buckshaw", "count": 0, "_key": "b"},
                {"ward": "Clayton", "count": 12, "_key": "c"},
            ],
            "note": "",
        }
    )
    saved.document = document
    saved.status = "published"
    saved.save()
    data = client.get(_url("assessment-published-download", saved, pk=saved.pk, fmt="json"))
    rows = json.loads(data.content)["sections"][0]["tables"][-1]["rows"]
    # 12 is withheld with the 3, which the table's total would otherwise give away; zero shown.
    assert [r["count"] for r in rows] == ["[c]", 0, "[c]"]
    # police.uk tables (open data) are left as published.
    levels = json.loads(data.content)["sections"][0]["tables"][0]["rows"]
    assert levels[0]["count"] == 11007
    page = client.get(_url("assessment-published-detail", saved, pk=saved.pk)).content.decode()
    assert "[c]" in page and "a count below 5, or a figure from which one could be" in page


@pytest.mark.django_db
def test_the_annex_downloads_for_members(client, member, saved):
    client.force_login(member)
    csv = client.get(_url("assessment-download", saved, pk=saved.pk, fmt="csv"))
    assert csv["Content-Type"] == "text/csv" and b"11007" in csv.content
    xlsx = client.get(_url("assessment-download", saved, pk=saved.pk, fmt="xlsx"))
    assert xlsx.content[:2] == b"PK"
    assert client.get(_url("assessment-download", saved, pk=saved.pk, fmt="doc")).status_code == 404
