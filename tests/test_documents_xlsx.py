"""The assessment's XLSX annex is cached like its PDF: rendered once per version of the record
(by the worker after a change, or by the first download), served with an ETag, 304 when the
browser holds that version, a new version after the record changes."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cdrp.core.models import RenderedDocument


class Counting:
    """Wraps the real annex writer and counts its calls."""

    def __init__(self, real):
        self.real, self.calls = real, 0

    def __call__(self, assessment) -> bytes:
        self.calls += 1
        return self.real(assessment)


def _url(saved) -> str:
    return f"/intelligence/assessments/lancashire-south/{saved.pk}/document.xlsx"


@pytest.mark.django_db
def test_the_annex_is_rendered_once_per_version_and_served_with_an_etag(
    client, member, saved, monkeypatch
):
    from cdrp.intelligence import documents

    counting = Counting(documents.annex_xlsx)
    monkeypatch.setattr(documents, "annex_xlsx", counting)
    client.force_login(member)
    first = client.get(_url(saved))
    second = client.get(_url(saved))
    assert (first.status_code, second.status_code, counting.calls) == (200, 200, 1)
    assert first.content[:2] == b"PK" and second.content == first.content
    assert first["ETag"] == second["ETag"] and first["ETag"].strip('"')
    assert first["Content-Type"] == documents.XLSX
    assert 'filename="assessment-' in first["Content-Disposition"]
    not_modified = client.get(_url(saved), HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert counting.calls == 1
    # A change to the record is a new version: rendered again, a new ETag.
    saved.title = "Retitled for the annex"
    saved.save_checked(saved.version)
    # (Its ETag is the bytes' hash: an annex whose rows did not change may keep it, and then a
    # 304 is the right answer, so the new render is what is checked.)
    third = client.get(_url(saved))
    assert third.status_code == 200 and counting.calls == 2
    assert third.content[:2] == b"PK"
    stored = RenderedDocument.objects.filter(kind="assessment-xlsx", object_id=str(saved.pk))
    assert stored.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_worker_renders_the_annex_beside_the_pdf(client, member, saved, monkeypatch):
    from cdrp.intelligence import assessment_tasks, documents

    monkeypatch.setattr(documents, "render_pdf", lambda *a, **k: b"%PDF-1.7 stand-in")
    counting = Counting(documents.annex_xlsx)
    monkeypatch.setattr(documents, "annex_xlsx", counting)
    assessment_tasks.render_when_saved(saved)
    call_command(
        "worker", "--batch", "--no-startup-delay", "--queue-name", "documents", verbosity=0
    )
    assert counting.calls == 1
    assert RenderedDocument.objects.filter(kind="assessment-xlsx").count() == 1
    client.force_login(member)
    response = client.get(_url(saved))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert counting.calls == 1  # served from the store
