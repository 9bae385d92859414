"""/healthz names the database, the incident store and the task worker's last heartbeat; 503 only
when the database is unreachable."""

import pytest
from django.db import connection
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_store_and_worker(client, time_machine):
    from cdrp.core.management.commands.worker import beat

    time_machine.move_to("2026-12-07 10:00:00+00:00", tick=False)
    beat("worker-a", timezone.now())
    time_machine.move_to("2026-12-07 10:00:30+00:00", tick=False)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] == connection.vendor
    assert "root" in body["incident_store"]
    assert body["worker"] == {
        "ok": True,
        "last_seen_seconds": 30.0,
        "worker": "worker-a",
        "host": body["worker"]["host"],
    }


def test_healthz_says_degraded_when_no_worker_has_run_or_it_has_stopped(client, time_machine):
    from cdrp.core.management.commands.worker import beat

    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["worker"]["ok"] is False and "cdrp worker" in body["worker"]["error"]

    time_machine.move_to("2026-12-07 10:00:00+00:00", tick=False)
    beat("worker-a", timezone.now())
    time_machine.move_to("2026-12-07 10:05:00+00:00", tick=False)  # 300 s > 120 s
    response = client.get("/healthz")
    assert response.status_code == 200  # still in rotation: the pages work without a worker
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"]["last_seen_seconds"] == 300.0


def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {
        "vendor": connection.vendor,
        "name": response.json()["database"]["name"],
        "ok": False,
        "error": "connection refused",
    }
