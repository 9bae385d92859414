"""Settings read from the environment, with one-line errors that name the setting.

Django's settings module calls these helpers; the CLI turns a ConfigError into one line on stderr.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

__all__ = [
    "ConfigError",
    "env_bool",
    "env_int",
    "env_list",
    "data_dir",
    "secret_key",
    "database",
    "cache",
]


class ConfigError(Exception):
    """A setting from the environment is unusable; the message names the setting."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a yes/no value (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """CDRP_DATA_DIR (default ./var): created if absent, and it must be a writable directory."""
    raw = os.environ.get("CDRP_DATA_DIR", "var")
    path = Path(raw).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ConfigError(f"CDRP_DATA_DIR={raw} is not a directory") from None
    except OSError as exc:
        raise ConfigError(f"CDRP_DATA_DIR={raw} cannot be created: {exc.strerror}") from None
    if not path.is_dir():
        raise ConfigError(f"CDRP_DATA_DIR={raw} is not a directory")
    if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        raise ConfigError(f"CDRP_DATA_DIR={raw} is not readable and writable by this user")
    return path


def secret_key(directory: Path) -> str:
    """SECRET_KEY from the environment, else from DATA_DIR/secret_key, generated on first run."""
    if key := os.environ.get("SECRET_KEY"):
        if len(key) < 50 or len(set(key)) < 5:
            raise ConfigError("SECRET_KEY is too short: use at least 50 random characters")
        return key
    path = directory / "secret_key"
    try:
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(64))
        return path.read_text().strip()
    except FileExistsError:
        return path.read_text().strip()  # another process created it first
    except OSError as exc:
        raise ConfigError(f"CDRP_DATA_DIR: cannot read or create {path}: {exc.strerror}") from None


_SQLITE_OPTIONS = {
    # WAL lets the web server read while a worker writes; IMMEDIATE avoids lock upgrades.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def database(directory: Path) -> dict[str, Any]:
    """DATABASE_URL (SQLite or PostgreSQL); default SQLite in the data directory."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(directory / "cdrp.sqlite3"),
            "OPTIONS": dict(_SQLITE_OPTIONS),
        }
    scheme = url.split(":", 1)[0].lower()
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(
            f"DATABASE_URL has scheme {scheme!r}: use postgres://user@host:port/name or sqlite:///path"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj_database_url raises several types for malformed URLs
        raise ConfigError(f"DATABASE_URL is malformed: {exc}") from None
    if config["ENGINE"].endswith("sqlite3"):
        config["OPTIONS"] = dict(_SQLITE_OPTIONS)
        config["CONN_MAX_AGE"] = 0
    elif not config.get("NAME"):
        raise ConfigError("DATABASE_URL names no database: add /name after the host")
    else:
        config.setdefault("OPTIONS", {})["connect_timeout"] = 5
    return dict(config)


def field_keys(directory: Path) -> list[str]:
    """The keys that encrypt personal fields at rest (cdrp.sharing.crypto), newest first.

    From CDRP_FIELD_KEYS (comma-separated Fernet keys) when it is set, even to nothing (then no
    personal record can be read or written, and saying so names the setting); otherwise from
    DATA_DIR/field_keys, generated on first run like the secret key (mode 0600)."""
    raw = os.environ.get("CDRP_FIELD_KEYS")
    if raw is not None:
        return [k.strip() for k in raw.split(",") if k.strip()]
    path = directory / "field_keys"
    try:
        if not path.exists():
            import base64

            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        text = path.read_text()
    except FileExistsError:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"CDRP_DATA_DIR: cannot read or create {path}: {exc.strerror}") from None
    return [k.strip() for k in text.replace("\n", ",").split(",") if k.strip()]


def s3_storage(uri: str, s3: dict[str, Any]) -> dict[str, Any]:
    """The STORAGES entry for django-storages' S3 backend from s3://bucket/prefix."""
    if not uri.startswith("s3://") or not uri[5:].strip("/"):
        raise ConfigError(f"CDRP_DOCUMENTS_STORE={uri!r}: use s3://bucket/prefix")
    bucket, _, prefix = uri[5:].partition("/")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": prefix.strip("/"),
        "file_overwrite": False,  # like files on disk: a second upload of a name gets a new one
        "default_acl": None,
        "querystring_auth": True,
    }
    names = {"endpoint_url": "endpoint_url", "access_key": "access_key", "secret_key": "secret_key"}
    for ours, theirs in names.items():
        if s3.get(ours):
            options[theirs] = s3[ours]
    if s3.get("region"):
        options["region_name"] = s3["region"]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def cache(directory: Path) -> dict[str, Any]:
    """CDRP_CACHE_URL: Django's default cache, which the public forms' burst limit counts in
    (cdrp.accounts.public_forms), so it must be shared by every process that answers requests.

    - unset: files in the data directory (``cache/``), shared by the workers of `cdrp serve` on
      one machine;
    - ``redis://host:6379/0`` (or ``rediss://``): Redis, shared by several machines;
    - ``file:///path``: files in that directory;
    - ``locmem://``: memory of one process only (tests; never for several workers).
    """
    url = os.environ.get("CDRP_CACHE_URL", "").strip()
    scheme = url.split(":", 1)[0].lower() if url else ""
    common: dict[str, Any] = {
        "KEY_PREFIX": os.environ.get("CDRP_CACHE_PREFIX", "").strip() or "cdrp",
        "TIMEOUT": 3600,
    }
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(directory / "cache"),
            **common,
        }
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, **common}
    if scheme == "file":
        path = url[len("file://") :]
        if not path.startswith("/"):
            raise ConfigError("CDRP_CACHE_URL=file:// needs an absolute path: file:///path")
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": path,
            **common,
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", **common}
    raise ConfigError(
        f"CDRP_CACHE_URL has scheme {scheme!r}: use redis://host:6379/0, file:///path or locmem://"
    )
