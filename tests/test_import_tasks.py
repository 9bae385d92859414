"""Imports as background tasks: queued in the database, run by `cdrp worker`, progress recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus

from cdrp.core.models import TaskProgress
from cdrp.intelligence.tasks import import_partner_task, import_police_uk_task

ROOT = Path(__file__).resolve().parent.parent
STREET = ROOT / "data" / "demo" / "police-uk-street-lancashire"
PARTNER = Path(__file__).resolve().parent / "data" / "partner"


@pytest.mark.django_db(transaction=True)
def test_a_queued_police_uk_import_runs_in_the_worker_and_reports_progress(
    fresh_store, settings, analyst
):
    settings.INCIDENT_STORE = fresh_store
    result = import_police_uk_task.enqueue([str(STREET / "2022-01")], analyst.pk)
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    (summary,) = result.return_value
    assert (summary["status"], summary["read"], summary["imported"]) == ("imported", 16_268, 16_268)
    row = TaskProgress.objects.get(task_id=result.id)
    assert row.finished and not row.failed and row.requested_by == analyst


@pytest.mark.django_db(transaction=True)
def test_a_queued_partner_import_returns_its_summary(fresh_store, settings):
    from test_sharing_import_gate import fire_agreement

    settings.INCIDENT_STORE = fresh_store
    refused = import_partner_task.enqueue(
        str(PARTNER / "fire-deliberate-fires.csv"), str(PARTNER / "fire-deliberate-fires.yaml")
    )
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    refused.refresh()  # no agreement covers the fire service's data yet: nothing imported
    assert refused.return_value["status"] == "refused"
    assert "no information sharing agreement covers" in refused.return_value["message"]
    fire_agreement()
    result = import_partner_task.enqueue(
        str(PARTNER / "fire-deliberate-fires.csv"), str(PARTNER / "fire-deliberate-fires.yaml")
    )
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    result.refresh()
    assert result.return_value["imported"] == 7 and result.return_value["quarantined"] == 3


@pytest.mark.django_db(transaction=True)
def test_a_queued_import_that_would_shrink_a_month_is_refused_until_confirmed(
    fresh_store, settings, analyst, tmp_path
):
    import gzip

    from cdrp.store import counts, imports

    settings.INCIDENT_STORE = fresh_store
    first = import_police_uk_task.enqueue([str(STREET / "2022-01")], analyst.pk)
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    first.refresh()
    lines = gzip.decompress(
        (STREET / "2022-01" / "2022-01-lancashire-street.csv.gz").read_bytes()
    ).splitlines()
    fewer = tmp_path / "2022-01-lancashire-street.csv"
    fewer.write_bytes(b"\n".join(lines[:1_001]) + b"\n")

    refused = import_police_uk_task.enqueue([str(fewer)], analyst.pk)
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    refused.refresh()
    (summary,) = refused.return_value
    assert summary["status"] == "refused"
    assert "16,268 rows → 1,000 rows" in summary["message"]
    assert counts(fresh_store, []).column("count").to_pylist() == [16_268]

    confirmed = import_police_uk_task.enqueue(
        [str(fewer)], analyst.pk, replace=True, reason="a withdrawn month"
    )
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    confirmed.refresh()
    assert confirmed.return_value[0]["status"] == "imported"
    assert counts(fresh_store, []).column("count").to_pylist() == [1_000]
    (replacement,) = imports(fresh_store)[0]["replacements"]
    assert replacement["by"] == "analyst (background task)"
    assert (replacement["reason"], replacement["confirmed"]) == ("a withdrawn month", True)
