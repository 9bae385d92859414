"""Documents cached by record version: each PDF is rendered once per version of what it shows,
stored (core.RenderedDocument), served with an ETag and 304 on If-None-Match; the assessment's
PDF is rendered by the worker when the record changes."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from cdrp.core import documents as stored
from cdrp.core.models import RenderedDocument
from conftest import user_with_role
from test_plans import _assessment, draft  # noqa: F401 (the plan fixture)

SOUTH = ["E07000118", "E07000126", "E07000127"]
PDF = "application/pdf"


class Renderer:
    """A stand-in for WeasyPrint that counts its renders and makes distinct bytes each time."""

    def __init__(self):
        self.calls = 0

    def __call__(self, *args, **kwargs) -> bytes:
        self.calls += 1
        return f"%PDF-1.7 render {self.calls}".encode()


# The store and its answers ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_document_is_rendered_once_per_version_and_old_versions_are_pruned():
    render = Renderer()
    first = stored.cached("thing-pdf", 7, [1], render, PDF)
    again = stored.cached("thing-pdf", 7, [1], render, PDF)
    assert render.calls == 1 and again.pk == first.pk and again.content() == b"%PDF-1.7 render 1"
    newer = stored.cached("thing-pdf", 7, [2], render, PDF)
    assert render.calls == 2 and newer.etag != first.etag
    other = stored.cached("thing-pdf", 8, [1], render, PDF)  # another record, same version
    assert render.calls == 3 and other.pk != first.pk
    for version in range(3, 3 + stored.KEEP + 2):
        stored.cached("thing-pdf", 7, [version], render, PDF)
    assert RenderedDocument.objects.filter(kind="thing-pdf", object_id="7").count() == stored.KEEP


@pytest.mark.django_db
def test_the_answer_carries_an_etag_and_is_304_when_the_browser_has_that_version():
    doc = stored.cached("thing-pdf", 1, ["a"], lambda: b"%PDF body", PDF)
    factory = RequestFactory()
    full = stored.response(factory.get("/x"), doc, "thing.pdf")
    assert full.status_code == 200 and full.content == b"%PDF body"
    assert full["ETag"] == f'"{doc.etag}"' and 'filename="thing.pdf"' in full["Content-Disposition"]
    assert "no-cache" in full["Cache-Control"] and "private" in full["Cache-Control"]
    same = stored.response(factory.get("/x", HTTP_IF_NONE_MATCH=full["ETag"]), doc, "thing.pdf")
    assert same.status_code == 304 and same.content == b"" and same["ETag"] == full["ETag"]
    older = stored.response(factory.get("/x", HTTP_IF_NONE_MATCH='"old"'), doc, "thing.pdf")
    assert older.status_code == 200


# The assessment -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_assessment_pdf_is_rendered_once_per_version(client, member, saved, monkeypatch):
    from cdrp.intelligence import documents

    render = Renderer()
    monkeypatch.setattr(documents, "render_pdf", render)
    client.force_login(member)
    url = f"/intelligence/assessments/lancashire-south/{saved.pk}/document.pdf"
    first = client.get(url)
    second = client.get(url)
    assert (first.status_code, second.status_code, render.calls) == (200, 200, 1)
    assert second.content == first.content == b"%PDF-1.7 render 1"
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    saved.title = "Retitled"
    saved.save_checked(saved.version)  # a new version of the record
    third = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert third.status_code == 200 and render.calls == 2 and third["ETag"] != first["ETag"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_renders_the_pdf_when_the_assessment_changes(
    client, coordinator, saved, monkeypatch
):
    from cdrp.intelligence import assessment_tasks, documents

    render = Renderer()
    monkeypatch.setattr(documents, "render_pdf", render)
    assessment_tasks.render_when_saved(saved)  # as the build task does after saving
    call_command(
        "worker", "--batch", "--no-startup-delay", "--queue-name", "documents", verbosity=0
    )
    assert render.calls == 1
    client.force_login(coordinator)
    url = f"/intelligence/assessments/lancashire-south/{saved.pk}/document.pdf"
    assert client.get(url).content == b"%PDF-1.7 render 1" and render.calls == 1
    # Reviewing it (a page's POST) queues the new version's PDF; the worker renders it.
    response = client.post(
        f"/intelligence/assessments/lancashire-south/{saved.pk}/review/",
        {"version": saved.version},
    )
    assert response.status_code == 302
    call_command(
        "worker", "--batch", "--no-startup-delay", "--queue-name", "documents", verbosity=0
    )
    assert render.calls == 2
    assert client.get(url).content == b"%PDF-1.7 render 2" and render.calls == 2


# The plan, the quarterly report, the tactical pack ---------------------------------------------


@pytest.mark.django_db
def test_the_plan_pdf_is_rendered_once_per_version(client, draft, monkeypatch):  # noqa: F811
    from cdrp.plans import documents

    render = Renderer()
    monkeypatch.setattr(documents, "render_pdf", render)
    coordinator = user_with_role("p-coordinator", draft.partnership, "coordinator")
    client.force_login(coordinator)
    url = f"/plans/lancashire-south/revision/{draft.revision}/plan.pdf"
    first = client.get(url)
    assert client.get(url).content == first.content and render.calls == 1
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    priority = draft.priorities.first()
    priority.name = "Renamed priority"
    priority.save()  # what the plan shows changed, not the plan record itself
    assert client.get(url).status_code == 200 and render.calls == 2


@pytest.mark.django_db
def test_the_quarterly_report_pdf_is_rendered_once_per_content(monkeypatch):
    from cdrp.performance import report

    render = Renderer()
    monkeypatch.setattr(report, "render_report_pdf", render)
    data = {"label": "July to September 2022", "rows": [{"indicator": "Burglary", "value": 12}]}
    first = report.report_pdf(data, "1:2022-Q3")
    assert report.report_pdf(copy.deepcopy(data), "1:2022-Q3").pk == first.pk
    assert render.calls == 1
    data["rows"][0]["value"] = 13
    assert report.report_pdf(data, "1:2022-Q3").pk != first.pk and render.calls == 2


@pytest.mark.django_db
def test_the_tactical_pdf_is_built_once_per_version_of_its_inputs(
    client, south_with_incidents, monkeypatch
):
    from cdrp.intelligence import documents, tactical_views

    render = Renderer()
    packs = []
    real = tactical_views.tactical_assessment
    monkeypatch.setattr(documents, "render_tactical_pdf", render)
    monkeypatch.setattr(
        tactical_views, "tactical_assessment", lambda *a, **k: packs.append(1) or real(*a, **k)
    )
    client.force_login(user_with_role("t-member", south_with_incidents, "member"))
    url = "/intelligence/tactical/lancashire-south/pack.pdf?month=2022-11"
    first = client.get(url)
    second = client.get(url)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (render.calls, len(packs)) == (1, 1)  # the second neither builds nor renders
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    other = client.get("/intelligence/tactical/lancashire-south/pack.pdf?month=2022-10")
    assert other.status_code == 200 and (render.calls, len(packs)) == (2, 2)
    bad = client.get("/intelligence/tactical/lancashire-south/pack.pdf?month=2031-01")
    assert bad.status_code == 400 and "no data for January 2031" in bad.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_download_waits_for_the_workers_render_and_says_so(client, member, saved, monkeypatch):
    from cdrp.intelligence import assessment_tasks, documents

    render = Renderer()
    monkeypatch.setattr(documents, "render_pdf", render)
    assessment_tasks.render_when_saved(saved)  # queued, no worker has taken it yet
    client.force_login(member)
    url = f"/intelligence/assessments/lancashire-south/{saved.pk}/document.pdf"
    waiting = client.get(url)
    assert waiting.status_code == 202 and waiting["Retry-After"] == "5"
    text = waiting.content.decode()
    assert "Preparing the PDF of" in text and 'http-equiv="refresh"' in text
    assert render.calls == 0  # the page did not render it a second time
    call_command(
        "worker", "--batch", "--no-startup-delay", "--queue-name", "documents", verbosity=0
    )
    ready = client.get(url)
    assert ready.status_code == 200 and ready.content == b"%PDF-1.7 render 1"
    assert render.calls == 1


@pytest.mark.django_db(transaction=True)
def test_an_old_queued_render_with_no_worker_is_not_waited_for(client, member, saved, monkeypatch):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from cdrp.intelligence import assessment_tasks, documents

    render = Renderer()
    monkeypatch.setattr(documents, "render_pdf", render)
    assessment_tasks.render_when_saved(saved)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(minutes=10))
    client.force_login(member)
    url = f"/intelligence/assessments/lancashire-south/{saved.pk}/document.pdf"
    assert client.get(url).status_code == 200 and render.calls == 1
