"""Per-view caching keyed on the data's version (cdrp.core.cache): an anonymous public page and
the counts API are worked out once, served again from the cache, and worked out afresh after an
import or a decision; in this process's memory by default, in Redis where configured."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

STREET = Path(__file__).resolve().parent.parent / "data" / "demo" / "police-uk-street-lancashire"


def _decision_elsewhere(partnership) -> None:
    """What a decision taken on another server leaves in the shared database: an audit event
    (written without this process's signals, as that server wrote it)."""
    from cdrp.accounts.models import AuditEvent

    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor="chair",
                action="create",
                model="meetings.decision",
                object_id="1",
                object_repr="A decision",
                partnership_id=partnership.pk,
            )
        ]
    )


def _overview_served_then_invalidated(client, partnership):
    from cdrp.partnerships.models import Partnership

    url = f"/partnerships/{partnership.slug}/"
    first = client.get(url)
    assert first.status_code == 200 and first["X-Cdrp-Cache"] == "miss"
    second = client.get(url)
    assert second["X-Cdrp-Cache"] == "hit" and second.content == first.content
    # A change the cache cannot see (an UPDATE sends no signal) leaves the cached page served:
    # the answer really comes from the cache.
    Partnership.objects.filter(pk=partnership.pk).update(name="Renamed Safety Partnership")
    third = client.get(url)
    assert third["X-Cdrp-Cache"] == "hit" and b"Renamed Safety Partnership" not in third.content
    # A decision (an audit event in the shared database) makes a new data version.
    _decision_elsewhere(partnership)
    fourth = client.get(url)
    assert fourth["X-Cdrp-Cache"] == "miss" and b"Renamed Safety Partnership" in fourth.content
    assert client.get(url)["X-Cdrp-Cache"] == "hit"
    # So does a save of any record through the ORM (the generation counter).
    Partnership.objects.get(pk=partnership.pk).save()
    assert client.get(url)["X-Cdrp-Cache"] == "miss"


@pytest.mark.django_db
def test_public_overview_is_cached_until_a_decision(client, partnership):
    from django.core.cache import cache

    cache.clear()
    _overview_served_then_invalidated(client, partnership)


@pytest.mark.django_db
def test_signed_in_pages_are_never_served_from_the_cache(client, partnership, member):
    url = f"/partnerships/{partnership.slug}/"
    client.get(url)
    client.force_login(member)
    answer = client.get(url)
    assert answer.status_code == 200 and not answer.has_header("X-Cdrp-Cache")


@pytest.mark.django_db
def test_public_overview_is_cached_in_redis_when_configured(client, partnership, settings):
    import redis

    prefix = f"cdrp-test-{uuid.uuid4().hex[:8]}"
    url = "redis://127.0.0.1:6379/13"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    server = redis.Redis.from_url(url)
    try:
        _overview_served_then_invalidated(client, partnership)
        assert server.keys(f"{prefix}:*"), "the pages were cached in Redis"
    finally:
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)
        server.close()


@pytest.mark.django_db
def test_counts_api_is_computed_once_per_store_version(client, fresh_store, settings, monkeypatch):
    from cdrp.intelligence import api
    from cdrp.store import import_police_uk

    settings.INCIDENT_STORE = fresh_store
    import_police_uk(fresh_store, [STREET / "2022-01"])
    calls = []
    real = api.counts
    monkeypatch.setattr(api, "counts", lambda *a, **k: calls.append(1) or real(*a, **k))

    def months():
        answer = client.get("/api/counts", {"by": "month", "from": "2022-01"})
        assert answer.status_code == 200
        return {r["month"]: r["count"] for r in answer.json()["rows"]}

    assert months() == {"2022-01": 16268}
    first = len(calls)  # the counts, and the protected grid's counts
    assert first >= 1
    assert months() == {"2022-01": 16268} and len(calls) == first  # from the cache
    import_police_uk(fresh_store, [STREET / "2022-02"])
    assert months() == {"2022-01": 16268, "2022-02": 14971}
    assert len(calls) > first


@pytest.mark.django_db
def test_public_plan_page_is_cached_until_a_record_changes(client, partnership):
    url = f"/plans/{partnership.slug}/published/"
    first = client.get(url)
    assert first.status_code == 200 and first["X-Cdrp-Cache"] == "miss"
    assert client.get(url)["X-Cdrp-Cache"] == "hit"
    partnership.name = "Another name"
    partnership.save()
    fresh = client.get(url)
    assert fresh["X-Cdrp-Cache"] == "miss" and b"Another name" in fresh.content


def test_a_redis_cache_url_puts_the_sessions_in_redis_backed_by_the_database(settings, db):
    """CDRP_CACHE_URL=redis://… gives the Redis cache and cached_db sessions (the settings as a
    server process reads them), and a signed-in session is then in Redis and in the database:
    read back from the database when Redis has lost it."""
    import json
    import os
    import subprocess  # noqa: S404 (this interpreter, a fixed script)
    import sys

    import redis
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.test import Client

    url = "redis://127.0.0.1:6379/13"
    prefix = f"cdrp-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CDRP_CACHE_URL": url, "CDRP_CACHE_PREFIX": prefix}
    env["DJANGO_SETTINGS_MODULE"] = "cdrp.settings"
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.SESSION_ENGINE, settings.CACHES['default']]))"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    engine, cache = json.loads(done.stdout.strip().splitlines()[-1])
    assert engine == "django.contrib.sessions.backends.cached_db"
    assert cache["BACKEND"].endswith("RedisCache") and cache["KEY_PREFIX"] == prefix

    settings.CACHES = {"default": cache}
    settings.SESSION_ENGINE = engine
    server = redis.Redis.from_url(url)
    try:
        user = get_user_model().objects.create_user("redis-session", password="a-long-password-1")
        client = Client()
        client.force_login(user)
        key = client.session.session_key
        assert Session.objects.filter(session_key=key).exists()
        in_redis = [k for k in server.scan_iter(f"{prefix}:*") if key.encode() in k]
        assert in_redis, "the session was cached in Redis"
        server.delete(*in_redis)
        assert client.get("/").context["user"] == user  # read back from the database
    finally:
        for found in server.scan_iter(f"{prefix}:*"):
            server.delete(found)
        server.close()
