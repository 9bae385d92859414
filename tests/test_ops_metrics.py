"""/metrics in the Prometheus format, for administrators and the monitoring addresses only; JSON
logs by setting."""

from __future__ import annotations

import json
import logging

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from cdrp.core.logs import JsonFormatter

pytestmark = pytest.mark.django_db


def _families(response) -> dict:
    return {f.name: f for f in text_string_to_metric_families(response.content.decode())}


def _value(family, **labels) -> float:
    return next(
        s.value for s in family.samples if all(s.labels.get(k) == v for k, v in labels.items())
    )


def test_anonymous_visitors_and_members_cannot_read_the_metrics(client, member):
    response = client.get("/metrics")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    client.force_login(member)
    assert client.get("/metrics").status_code == 403


def test_a_monitoring_address_reads_them_without_signing_in(client, settings):
    settings.MONITORING_ADDRESSES = ["10.1.2.0/24"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.1.3.7").status_code == 302


def test_request_latency_is_labelled_by_route_not_by_address(client, superuser, partnership):
    client.force_login(superuser)
    for _ in range(3):
        assert client.get(f"/partnerships/{partnership.slug}/").status_code == 200
    families = _families(client.get("/metrics"))
    histogram = families["cdrp_request_seconds"]
    routes = {s.labels["route"] for s in histogram.samples}
    assert "/partnerships/<slug:partnership>/" in routes
    assert not any(partnership.slug in r for r in routes)
    counts = [
        s.value
        for s in histogram.samples
        if s.name == "cdrp_request_seconds_count"
        and s.labels["route"] == "/partnerships/<slug:partnership>/"
        and s.labels["status"] == "2xx"
    ]
    assert counts and counts[0] >= 3


def test_queue_worker_and_store_figures(client, superuser, reference_store, settings, time_machine):
    from django_tasks_db.models import DBTaskResult

    from cdrp.core.management.commands.worker import beat

    root, results = reference_store
    settings.INCIDENT_STORE = root
    time_machine.move_to("2026-12-07 10:00:00+00:00", tick=False)
    now = timezone.now()
    for minutes in (0, 10):
        DBTaskResult.objects.create(
            status="READY",
            args_kwargs={"args": [], "kwargs": {}},
            task_path="cdrp.core.tasks.nothing",
            queue_name="documents",
            backend_name="default",
            run_after=now,
            exception_class_path="",
            traceback="",
        )
        DBTaskResult.objects.filter(enqueued_at__gte=now).update(
            enqueued_at=now - timezone.timedelta(minutes=minutes)
        )
    beat("worker-a", now)
    time_machine.move_to("2026-12-07 10:00:40+00:00", tick=False)
    client.force_login(superuser)
    families = _families(client.get("/metrics"))
    assert _value(families["cdrp_task_queue_depth"], queue="documents") == 2
    assert _value(families["cdrp_task_queue_depth"], queue="default") == 0
    assert _value(families["cdrp_task_queue_oldest_seconds"], queue="documents") == 640.0
    assert _value(families["cdrp_worker_last_seen_seconds"]) == 40.0
    imported = sum(r.imported for r in results)
    assert _value(families["cdrp_import_rows"], outcome="imported") == imported
    assert _value(families["cdrp_store_rows"]) == imported
    assert _value(families["cdrp_store_bytes"]) > 0


def test_json_log_lines():
    record = logging.LogRecord("cdrp.import", logging.WARNING, __file__, 1, "%s rows", (3,), None)
    record.partnership = "lancashire-south"
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["logger"] == "cdrp.import"
    assert line["message"] == "3 rows" and line["partnership"] == "lancashire-south"
    assert line["time"].endswith("+00:00")
