"""Django settings for cdrp, read from the environment (see .env.example and cdrp.config)."""

from __future__ import annotations

from pathlib import Path

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
PAPER_MAX_BYTES = 20 * 1024 * 1024
# Disclosure control: public counts from 1 to this minus 1 are withheld, with whatever else would
# reveal them (cdrp.accounts.policy, the one place that applies it).
CDRP_SUPPRESS_BELOW = config.env_int("CDRP_SUPPRESS_BELOW", 5, minimum=1)

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
    "cdrp.core",
    "cdrp.accounts",
    "cdrp.partnerships",
    "cdrp.intelligence",
    "cdrp.meetings",
    "cdrp.plans",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cdrp.accounts.audit.AuditUserMiddleware",
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
                "cdrp.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {"default": config.database(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # static files are served even before collectstatic has run

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

NINJA_PAGINATION_PER_PAGE = 100

# Email (action reminders): printed to the console unless an SMTP server is configured.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if config.env_list("EMAIL_HOST", [])
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = config.env_list("EMAIL_HOST", ["localhost"])[0]
DEFAULT_FROM_EMAIL = config.env_list("DEFAULT_FROM_EMAIL", ["cdrp@localhost"])[0]
