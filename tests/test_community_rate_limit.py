"""The public forms' burst limit holds across server processes: it counts in Django's default
cache (CDRP_CACHE_URL: files in the data directory by default, Redis for several machines), so
posts spread over two processes are one burst, refused with a clear message. A cache backend
whose increment rewrites the entry (files) keeps the window from the first post."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
import time_machine
from django.http import HttpResponse
from django.test import RequestFactory

from cdrp import config
from cdrp.accounts.public_forms import rate_limited

CLIENT = "198.51.100.7"

# The other process: Django set up from the same settings, pointed at the same cache, posts five
# times from one connection to the survey scope and prints the answers' status codes.
OTHER_PROCESS = """
import json
import django
django.setup()
from django.http import HttpResponse
from django.test import RequestFactory
from cdrp.accounts.public_forms import rate_limited
view = rate_limited("survey")(lambda request: HttpResponse("thanks"))
post = lambda: view(RequestFactory().post("/s/", {"a": "b"}, REMOTE_ADDR="{CLIENT}"))
print(json.dumps([post().status_code for _ in range(5)]))
""".replace("{CLIENT}", CLIENT)


@rate_limited("survey")
def _survey(request):
    return HttpResponse("thanks")


def _post(address=CLIENT):
    return _survey(RequestFactory().post("/s/", {"a": "b"}, REMOTE_ADDR=address))


def _files(path) -> dict:
    return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": path}


def test_a_burst_spread_over_two_processes_is_refused_with_a_clear_message(
    settings, tmp_path, monkeypatch
):
    shared = str(tmp_path / "cache")
    # Both processes read the same setting (CDRP_CACHE_URL) as a deployment's servers would.
    monkeypatch.setenv("CDRP_CACHE_URL", f"file://{shared}")
    settings.CACHES = {"default": config.cache(tmp_path)}
    settings.CDRP_PUBLIC_FORM_LIMIT = 5
    settings.CDRP_PUBLIC_FORM_WINDOW = 600
    env = {
        **os.environ,
        "CDRP_CACHE_URL": f"file://{shared}",
        "CDRP_PUBLIC_FORM_LIMIT": "5",
        "CDRP_PUBLIC_FORM_WINDOW_SECONDS": "600",
        "DJANGO_SETTINGS_MODULE": "cdrp.settings",
    }
    done = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", OTHER_PROCESS],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [200] * 5

    # This process has counted nothing itself, yet the sixth post from that connection is
    # refused: the count is the shared one.
    refused = _post()
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many responses from your connection" in page
    assert "we cannot accept another one yet. Try again in 10 minutes." in page
    assert _post("203.0.113.9").status_code == 200  # another connection is not affected

    # With a cache of this process only, the same post would have been let through.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert _post().status_code == 200


def test_a_file_cache_keeps_the_window_from_the_first_post(settings, tmp_path):
    settings.CACHES = {"default": _files(str(tmp_path / "cache"))}
    settings.CDRP_PUBLIC_FORM_LIMIT = 2
    settings.CDRP_PUBLIC_FORM_WINDOW = 600
    start = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        assert [_post().status_code for _ in range(3)] == [200, 200, 429]
        # Past the cache's default timeout (300 s), which a rewritten entry would take.
        traveller.move_to(start + dt.timedelta(seconds=400))
        assert _post().status_code == 429
        traveller.move_to(start + dt.timedelta(seconds=601))
        assert _post().status_code == 200


def test_the_cache_is_chosen_by_cdrp_cache_url(monkeypatch, tmp_path):
    monkeypatch.delenv("CDRP_CACHE_URL", raising=False)
    default = config.cache(tmp_path)
    assert default["BACKEND"].endswith("FileBasedCache")
    assert default["LOCATION"] == str(tmp_path / "cache")
    monkeypatch.setenv("CDRP_CACHE_URL", "redis://cache.internal:6379/1")
    monkeypatch.setenv("CDRP_CACHE_PREFIX", "site-two")
    assert config.cache(tmp_path) == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/1",
        "KEY_PREFIX": "site-two",
        "TIMEOUT": 3600,
    }
    monkeypatch.setenv("CDRP_CACHE_URL", "file:///srv/cdrp/cache")
    assert config.cache(tmp_path)["LOCATION"] == "/srv/cdrp/cache"
    for bad in ("memcached://x:11211", "file://relative/path"):
        monkeypatch.setenv("CDRP_CACHE_URL", bad)
        with pytest.raises(config.ConfigError, match="CDRP_CACHE_URL"):
            config.cache(tmp_path)
