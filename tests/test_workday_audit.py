"""The audit trail for a working day: filtered by person, record, kind of change and dates,
50 a page with GOV.UK pagination, only the changed fields, long values summarised; who may see
which event is still decided by cdrp.accounts.policy.visible_audit_events."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from cdrp.accounts.models import AuditEvent
from cdrp.accounts.views import changed_fields, summarise_value

pytestmark = pytest.mark.django_db


def _event(
    partnership,
    *,
    actor="coordinator",
    action="update",
    model="plans.Plan",
    at=None,
    changes=None,
    repr_="A record",
    object_id="1",
):
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        model=model,
        object_id=object_id,
        object_repr=repr_,
        partnership=partnership,
        changes=changes or {"title": ["Old", "New"]},
        at=at or timezone.now(),
    )


def _cells(page: str) -> list[str]:
    return re.findall(r"“(Event \d+)”", page)


def test_long_values_are_summarised_and_unchanged_fields_left_out():
    document = {"title": "Strategic assessment", "sections": ["x" * 500], "built_at": "2022-12-01"}
    changed = {**document, "built_at": "2022-12-02", "sections": ["y" * 500]}
    text = summarise_value(document)
    assert text.startswith('{"title": "Strategic assessment"') and len(text) < 240
    assert text.endswith(f"… ({len(__import__('json').dumps(document)):,} characters)")
    assert summarise_value("short") == "short" and summarise_value(None) == "—"
    fields = changed_fields(
        {"document": [document, changed], "status": ["draft", "draft"], "title": ["A", "B"]}
    )
    assert [f["field"] for f in fields] == ["document", "title"]
    assert fields[0]["keys"] == ["built_at", "sections"] and "characters)" in fields[0]["after"]


def test_the_trail_is_filtered_by_person_record_change_and_dates(
    client, partnership, administrator
):
    old = timezone.now() - dt.timedelta(days=40)
    _event(partnership, actor="analyst", model="intelligence.Assessment", repr_="Built", at=old)
    _event(partnership, actor="coordinator", model="plans.Plan", repr_="Planned")
    _event(partnership, actor="coordinator", action="create", model="plans.Plan", repr_="Made")
    client.force_login(administrator)
    page = client.get("/accounts/audit/?person=analyst").content.decode()
    assert "Built" in page and "Planned" not in page and "Made" not in page
    page = client.get("/accounts/audit/?model=plans.Plan&action=create").content.decode()
    assert "Made" in page and "Planned" not in page and "Built" not in page
    since = (timezone.now() - dt.timedelta(days=1)).date().isoformat()
    page = client.get(f"/accounts/audit/?model=intelligence.Assessment&date_from={since}")
    assert "No changes match these filters" in page.content.decode()
    until = (old + dt.timedelta(days=1)).date().isoformat()
    page = client.get(f"/accounts/audit/?date_to={until}").content.decode()
    assert "Built" in page and "Planned" not in page
    # The filter form offers the people and kinds of record the reader may see.
    page = client.get("/accounts/audit/").content.decode()
    assert '<option value="analyst"' in page and '<option value="plans.Plan"' in page


def test_a_wrong_date_is_refused_naming_the_field(client, partnership, administrator):
    _event(partnership, repr_="Kept")
    client.force_login(administrator)
    page = client.get("/accounts/audit/?date_from=2022-13-45").content.decode()
    assert "There is a problem" in page and "From date must be a real date" in page
    assert 'href="#date_from"' in page and "Kept" in page
    page = client.get("/accounts/audit/?date_from=2022-03-02&date_to=2022-03-01").content.decode()
    assert "To date must be on or after the from date" in page


def test_fifty_a_page_with_numbered_pages_that_keep_the_filters(client, partnership, administrator):
    start = timezone.now() - dt.timedelta(hours=200)
    for n in range(120):
        _event(
            partnership, actor="analyst", repr_=f"Event {n:03d}", at=start + dt.timedelta(hours=n)
        )
    _event(partnership, actor="someone else", repr_="Not theirs")
    client.force_login(administrator)
    first = client.get("/accounts/audit/?person=analyst").content.decode()
    assert _cells(first)[:2] == ["Event 119", "Event 118"] and len(_cells(first)) == 50
    assert "120 changes match" in first and 'class="govuk-pagination"' in first
    assert 'href="?person=analyst&amp;page=3"' in first and 'aria-current="page"' in first
    last = client.get("/accounts/audit/?person=analyst&page=3").content.decode()
    assert _cells(last)[-1] == "Event 000" and len(_cells(last)) == 20
    assert "Not theirs" not in first + last


def test_a_whole_document_never_fills_the_page(client, partnership, administrator):
    body = {"sections": [{"text": "word " * 5000}]}
    _event(partnership, model="intelligence.Assessment", changes={"document": [None, body]})
    client.force_login(administrator)
    page = client.get("/accounts/audit/").content.decode()
    assert "word " * 30 in page and "word " * 40 not in page
    assert "characters)" in page


def test_the_visibility_rules_still_hold(client, partnership, other_partnership, administrator):
    _event(partnership, repr_="Ours")
    _event(other_partnership, repr_="Theirs")
    client.force_login(administrator)
    page = client.get("/accounts/audit/").content.decode()
    assert "Ours" in page and "Theirs" not in page
    # Filtering by another partnership's person or record shows nothing of theirs either.
    AuditEvent.objects.filter(object_repr="Theirs").update(actor="stranger")
    page = client.get("/accounts/audit/?person=stranger").content.decode()
    assert "Theirs" not in page and '<option value="stranger"' not in page
