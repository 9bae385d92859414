"""Django settings for cdrp, read from the environment (see .env.example and cdrp.config)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE, NONE, SELF

from cdrp import config

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir()
SECRET_KEY = config.secret_key(DATA_DIR)
DEBUG = config.env_bool("CDRP_DEBUG", False)
ALLOWED_HOSTS = config.env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = config.env_list("CSRF_TRUSTED_ORIGINS", [])

# Incident store root: a local path or a URI DuckDB can read (s3://…); see cdrp.store.
INCIDENT_STORE = config.env_list("CDRP_INCIDENT_STORE", [str(DATA_DIR / "incidents")])[0]
DOCUMENTS_DIR = DATA_DIR / "documents"
# Uploaded papers: served only through views that check permissions, never as /media/.
MEDIA_ROOT = DOCUMENTS_DIR / "uploads"
# Upload limits hold while a request is read (cdrp.core.uploads): reading stops at the limit.
UPLOAD_MAX_BYTES = 2 * 1024 * 1024  # any file a form takes, unless its view allows more
PAPER_MAX_BYTES = 20 * 1024 * 1024
# Agenda and papers are due this many clear working days before a meeting (cdrp.meetings.deadlines).
MEETING_PAPERS_CLEAR_DAYS = 5
# A Word, Excel or OpenDocument paper is a zip archive, judged without unpacking it: refused if
# its parts would unpack to more than this, or one part is squeezed more than 100 to 1 (the
# zip-bomb threshold Apache POI uses, ZipSecureFile's minimum inflate ratio of 0.01).
PAPER_MAX_UNPACKED_BYTES = 250 * 1024 * 1024
PAPER_MAX_COMPRESSION_RATIO = 100
FILE_UPLOAD_HANDLERS = [
    "cdrp.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger files wait in a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # form fields and JSON bodies, without files
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Disclosure control: public counts from 1 to this minus 1 are withheld, with whatever else would
# reveal them (cdrp.accounts.policy, the one place that applies it).
CDRP_SUPPRESS_BELOW = config.env_int("CDRP_SUPPRESS_BELOW", 5, minimum=1)
# Keys that encrypt personal fields at rest, newest first (cdrp.sharing.crypto).
CDRP_FIELD_KEYS = config.field_keys(DATA_DIR)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "cdrp.core",
    "cdrp.accounts",
    "cdrp.partnerships",
    "cdrp.intelligence",
    "cdrp.meetings",
    "cdrp.plans",
    "cdrp.funding",
    "cdrp.performance",
    "cdrp.community",
    "cdrp.scrutiny",
    "cdrp.health",
    "cdrp.sharing",
    "cdrp.search",
    "cdrp.workday",
    "ninja",  # after cdrp.core: the API docs' Swagger UI from ninja's own static files, no CDN
    # Authentication (ASVS level 2, V2): sign-in throttling and two-factor codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]

MIDDLEWARE = [
    "cdrp.core.metrics.MetricsMiddleware",  # outermost: times the whole answer
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "cdrp.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cdrp.core.middleware.ControlCharactersMiddleware",
    # After messages (it says why it signed someone out), before the two-factor check.
    "cdrp.accounts.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cdrp.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cdrp.accounts.audit.AuditUserMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "cdrp.urls"
WSGI_APPLICATION = "cdrp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cdrp.accounts.context_processors.shell",
            ],
            "builtins": ["cdrp.core.templatetags.words"],
        },
    },
]

DATABASES = {"default": config.database(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Queues: "default" (imports, builds, reminders) and "documents" (PDFs rendered ahead of the
# first download); `cdrp serve` runs a worker for both.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "documents"],
    }
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {  # ASVS 2.1.1: at least 12 characters
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Authentication and sessions to OWASP ASVS level 2 (V2, V3); see cdrp.accounts.
AUTHENTICATION_BACKENDS = [
    "cdrp.accounts.backends.SignInThrottle",  # refuses a locked-out user name or address first
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: after this many failures a user name (from any address) and an address (for any user
# name) are each refused until the cool-off has passed since the last attempt.
AXES_FAILURE_LIMIT = config.env_int("CDRP_SIGN_IN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=config.env_int("CDRP_SIGN_IN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "cdrp.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "cdrp.accounts.throttle.client_ip"
# Proxies in front of the service that append the client's address to X-Forwarded-For (0: none).
TRUSTED_PROXY_COUNT = config.env_int("CDRP_TRUSTED_PROXIES", 0)
# Public forms (surveys, questions, subscriptions; cdrp.accounts.public_forms): posts per client
# per window, the largest post and the longest free-text answer.
CDRP_PUBLIC_FORM_LIMIT = config.env_int("CDRP_PUBLIC_FORM_LIMIT", 5, minimum=1)
CDRP_PUBLIC_FORM_WINDOW = config.env_int("CDRP_PUBLIC_FORM_WINDOW_SECONDS", 600, minimum=1)
CDRP_PUBLIC_FORM_MAX_BYTES = config.env_int("CDRP_PUBLIC_FORM_MAX_BYTES", 20_000, minimum=1000)
CDRP_PUBLIC_TEXT_MAX = config.env_int("CDRP_PUBLIC_TEXT_MAX", 2_000, minimum=100)
# Days the partnership gives itself to publish its response to a Community Call for Action
# (cdrp.scrutiny: from the committee's recommendations, or from a decision not to refer).
CDRP_CCFA_RESPONSE_DAYS = config.env_int("CDRP_CCFA_RESPONSE_DAYS", 28, minimum=1)
OTP_TOTP_ISSUER = config.env_list("CDRP_OTP_ISSUER", ["cdrp"])[0]
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the site administration never shows a device's secret
# A session ends after this long without a request, and after this long in any case (ASVS 3.3.2).
SESSION_IDLE_TIMEOUT = timedelta(minutes=config.env_int("CDRP_SESSION_IDLE_MINUTES", 30, minimum=1))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=config.env_int("CDRP_SESSION_HOURS", 12, minimum=1))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["cdrp.core.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # static files are served even before collectstatic has run

# Object storage (Amazon S3, or any S3-compatible service: MinIO, Ceph, moto in the tests) for
# several servers sharing one site (docs/DEPLOY.md). The incident store is there when
# CDRP_INCIDENT_STORE is s3://bucket/prefix; rendered documents and uploaded papers when
# CDRP_DOCUMENTS_STORE is s3://bucket/prefix (django-storages), else on disk under MEDIA_ROOT.
# Endpoint, key, secret and region from CDRP_S3_* (else the AWS_* names the AWS tools read).
CDRP_S3 = {
    "endpoint_url": os.environ.get("CDRP_S3_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL"),
    "access_key": os.environ.get("CDRP_S3_ACCESS_KEY_ID") or os.environ.get("AWS_ACCESS_KEY_ID"),
    "secret_key": (
        os.environ.get("CDRP_S3_SECRET_ACCESS_KEY") or os.environ.get("AWS_SECRET_ACCESS_KEY")
    ),
    "region": os.environ.get("CDRP_S3_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
}
DOCUMENTS_STORE = config.env_list("CDRP_DOCUMENTS_STORE", [""])[0]
if DOCUMENTS_STORE:
    STORAGES["default"] = config.s3_storage(DOCUMENTS_STORE, CDRP_S3)

# Cache and sessions (CDRP_CACHE_URL; cdrp.config.cache): files in the data directory by default,
# shared by the workers of one machine; Redis (redis://host:6379/0) shared by several servers. It
# holds the public forms' burst limits, the per-view caches of public pages and the counts API
# (cdrp.core.cache, keyed on the data's version) and, with Redis, the sessions (cached_db: Redis
# backed by the database). CDRP_CACHE_PREFIX keeps two sites on one Redis apart.
CACHES = {"default": config.cache(DATA_DIR)}
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Production hardening. CDRP_HTTPS=0 is for a laptop demo on http://127.0.0.1 only.
HTTPS = config.env_bool("CDRP_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and config.env_bool("CDRP_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and images only
# from this site, no inline script or event handler, no eval (Vega charts run with vega-embed's
# CSP-safe expression interpreter). A standalone document's inline <style> carries the nonce.
# A map tile server (CDRP_MAP_TILE_URL, e.g. https://tile.example.org/{z}/{x}/{y}.png) is the
# one other origin allowed, for images only.
MAP_TILE_URL = config.env_list("CDRP_MAP_TILE_URL", [""])[0]
# Its attribution, shown on the map (e.g. "© OpenStreetMap contributors"): required by most servers.
MAP_TILE_ATTRIBUTION = os.environ.get("CDRP_MAP_TILE_ATTRIBUTION", "")
_TILE_ORIGIN = "/".join(MAP_TILE_URL.split("/")[:3]) if "://" in MAP_TILE_URL else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# Permissions-Policy (cdrp.core.middleware): browser features the service never uses, switched off.
PERMISSIONS_POLICY = [
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation",
    "gyroscope", "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
    "publickey-credentials-get", "screen-wake-lock", "usb", "xr-spatial-tracking",
]  # fmt: skip

# Logs to standard error; CDRP_LOG_FORMAT=json writes one JSON object a line (for a log
# collector), CDRP_LOG_LEVEL sets the level (default WARNING).
LOG_FORMAT = config.env_list("CDRP_LOG_FORMAT", ["text"])[0]
if LOG_FORMAT not in {"text", "json"}:
    raise config.ConfigError(f"CDRP_LOG_FORMAT={LOG_FORMAT}: use text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cdrp.core.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {
        "handlers": ["console"],
        "level": config.env_list("CDRP_LOG_LEVEL", ["WARNING"])[0].upper(),
    },
}

# Who may read /metrics without signing in: addresses or networks of the monitoring system
# (comma-separated, e.g. 10.0.0.5,192.168.1.0/24). Site administrators always may.
MONITORING_ADDRESSES = config.env_list("CDRP_MONITORING_ADDRESSES", [])
# /healthz reports the worker unhealthy when its last heartbeat is older than this.
WORKER_STALE_SECONDS = config.env_int("CDRP_WORKER_STALE_SECONDS", 120, minimum=30)

NINJA_PAGINATION_PER_PAGE = 100

# Email (action reminders): printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if config.env_list("EMAIL_HOST", [])
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = config.env_list("EMAIL_HOST", ["localhost"])[0]
# The service's address as people reach it, for links in e-mails (notifications, alerts).
CDRP_SITE_URL = config.env_list("CDRP_SITE_URL", ["http://localhost:8000/"])[0]
DEFAULT_FROM_EMAIL = config.env_list("DEFAULT_FROM_EMAIL", ["cdrp@localhost"])[0]
