"""Per-view caching keyed on the data's version: what does not change between imports and
decisions is worked out once and served from the cache (Redis where configured, shared by every
server; this process's memory otherwise).

The *data version* is a short hash of the incident store's committed version (`Store.version`,
one listing), a generation counter in the cache that every save or delete of a cdrp record
bumps, and whatever the apps above register with `register_version_source` (accounts registers
the latest audit event, which every governance decision writes, so a decision taken on another
server changes the version even where the cache is this process's own). A new import or a
decision therefore changes the key: nothing is invalidated by hand, and old entries expire.

- `cached_view`: a view decorator for public pages; only anonymous GET/HEAD requests are served
  from the cache, and only whole 200 answers that set no cookie and carry no CSP nonce are
  stored. A served copy says ``X-Cdrp-Cache: hit``.
- `cached_value(name, parts, compute)`: the same for a computed value (the counts API).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db.models.signals import post_delete, post_save

__all__ = [
    "GENERATION_KEY",
    "bump_generation",
    "cached_value",
    "cached_view",
    "connect",
    "data_version",
    "register_version_source",
]

GENERATION_KEY = "cdrp:data-generation"
#: Records that change all the time without changing what a page shows.
_QUIET = {
    "core.rendereddocument",
    "core.taskprogress",
    "core.workerheartbeat",
    "accounts.auditevent",
}
_SOURCES: list[Callable[[], object]] = []


def register_version_source(source: Callable[[], object]) -> None:
    """Add something whose change should make every cached page stale (called by apps above
    cdrp.core at start-up: the hook through which core learns of them)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def data_version() -> str:
    """A short hash naming the current version of the data pages are drawn from."""
    from cdrp.store import Store

    try:
        store_version: object = Store(settings.INCIDENT_STORE).version()
    except Exception:  # an unreachable store: never served from the cache as if it were known
        store_version = None
    parts = [
        settings.INCIDENT_STORE,
        store_version,
        cache.get(GENERATION_KEY, 0),
        *(source() for source in _SOURCES),
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:20]


def _settings_changed(**kwargs: Any) -> None:
    """A setting was changed while running (a test's override): pages may show it."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)
    except Exception:  # noqa: S110 - the CACHES setting itself is being changed
        pass  # nosec B110: a cache being swapped has nothing to invalidate


def bump_generation(sender: Any = None, **kwargs: Any) -> None:
    """A cdrp record was saved or deleted: pages cached before are stale."""
    label = getattr(getattr(sender, "_meta", None), "label_lower", "")
    if not getattr(sender, "__module__", "").startswith("cdrp.") or label in _QUIET:
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet (or evicted): start it
        cache.set(GENERATION_KEY, 1, None)


def connect() -> None:
    post_save.connect(bump_generation, dispatch_uid="cdrp-cache-generation-save")
    post_delete.connect(bump_generation, dispatch_uid="cdrp-cache-generation-delete")
    setting_changed.connect(_settings_changed, dispatch_uid="cdrp-cache-settings")


def _key(*parts: object) -> str:
    text = json.dumps(parts, default=str, sort_keys=True)
    return "cdrp:view:" + hashlib.sha256(text.encode()).hexdigest()


def cached_value(name: str, parts: object, compute: Callable[[], Any], timeout: int | None = None):
    """`compute()` once per data version and `parts` (its inputs), then from the cache."""
    key = _key(name, parts, data_version())
    found = cache.get(key)
    if found is not None:
        return found
    value = compute()
    cache.set(key, value, timeout)
    return value


def cached_view(view: Callable | None = None, *, timeout: int | None = None):
    """Serve an anonymous GET of this view from the cache while the data version holds."""

    def decorate(func: Callable) -> Callable:
        name = f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def wrapped(request, *args, **kwargs):
            user = getattr(request, "user", None)
            if (
                request.method not in ("GET", "HEAD")
                or (user is not None and user.is_authenticated)
                or "messages" in request.COOKIES
            ):
                return func(request, *args, **kwargs)
            key = _key(name, request.get_host(), request.get_full_path(), data_version())
            found = cache.get(key)
            if found is not None:
                found["X-Cdrp-Cache"] = "hit"
                return found
            response = func(request, *args, **kwargs)
            storable = (
                response.status_code == 200
                and not getattr(response, "streaming", False)
                and not response.cookies
                and not response.has_header("Set-Cookie")
            )
            if storable and hasattr(response, "render") and not response.is_rendered:
                response.render()
            if storable and b'nonce="' not in response.content:
                cache.set(key, response, timeout)
                response["X-Cdrp-Cache"] = "miss"
            return response

        return wrapped

    return decorate(view) if view is not None else decorate
