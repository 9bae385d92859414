"""/healthz names the database and the incident store; 503 when the database is unreachable."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_store(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] == connection.vendor
    assert "root" in body["incident_store"]


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
