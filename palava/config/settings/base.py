"""Settings shared by every environment. Values come from the environment.

Environment variables (see docs/operations.md):
``DATABASE_URL``, ``PALAVA_DATA_DIR``, ``PALAVA_SECRET_KEY``, ``PALAVA_DATA_KEY``,
``PALAVA_ALLOWED_HOSTS``, ``PALAVA_DEBUG``; optional ``PALAVA_PSEUDONYM_KEY``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from palava.config.env import data_dir, env_bool, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = data_dir()

DEBUG = env_bool("PALAVA_DEBUG", default=False)
SECRET_KEY = env_str("PALAVA_SECRET_KEY")
PALAVA_DATA_KEY = env_str("PALAVA_DATA_KEY")
# Optional: the pseudonym (HMAC) key; when unset it is derived from the oldest data key.
# See docs/adr/0002-encryption-and-pseudonyms.md.
PALAVA_PSEUDONYM_KEY = env_str("PALAVA_PSEUDONYM_KEY")
ALLOWED_HOSTS = env_list("PALAVA_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("PALAVA_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "palava.core",
    "palava.accounts",
    "palava.audit",
    "palava.missions",
    "palava.places",
    "palava.actors",
    "palava.feedback",
    "palava.assessments",
    "palava.engagement",
    "palava.context",
]

MIDDLEWARE = [
    "palava.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers are compressed for slow links (static files are pre-compressed by
    # WhiteNoise); Django pads compressed answers against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "palava.core.middleware.SecurityHeadersMiddleware",
    "palava.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "palava.config.urls"
WSGI_APPLICATION = "palava.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "palava.core.context_processors.palava",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------


def database_from_url(url: str, *, conn_max_age: int = 0) -> dict[str, Any]:
    """Parse ``DATABASE_URL``; SQLite gets WAL mode, a busy timeout and IMMEDIATE transactions.

    ``conn_max_age`` keeps a connection open across requests for that many seconds (opening a
    PostgreSQL connection costs several milliseconds, more than a whole webhook request).
    """
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=conn_max_age))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        }
    elif config["ENGINE"] in {
        "django.db.backends.postgresql",
        "django.db.backends.postgresql_psycopg2",
    }:
        config["ENGINE"] = "django.db.backends.postgresql"
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'palava.sqlite3'}")
DATABASES = {
    "default": database_from_url(
        DATABASE_URL, conn_max_age=int(env_str("PALAVA_DB_CONN_MAX_AGE", "60"))
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock-out: 5 failed log-ins within 30 minutes lock the username for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by IP address would lock a whole forward base (many staff behind one NAT address)
# out after five typos; see docs/adr/0003-authentication.md.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "token", "otp_token"]

OTP_TOTP_ISSUER = "Palava"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "palava.core.views.csrf_failure"

# --- Security headers ---------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ar", _("Arabic"))]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static files ---------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Any request body larger than this is refused with 413 before it is read (imports allow 50 MB).
PALAVA_MAX_REQUEST_BYTES = 64 * 1024 * 1024

# --- Inbound channels (feedback) ------------------------------------------------------------

# The address gateways call, e.g. "https://palava.example.org" (no trailing slash). Twilio signs
# the URL it called, which behind a proxy differs from what Django sees; webhook URLs shown to
# admins start with it. Empty: the request's own host.
PALAVA_PUBLIC_URL = env_str("PALAVA_PUBLIC_URL").rstrip("/")
# Proxies (addresses or CIDR networks) whose X-Forwarded-For is believed for the client address
# (web form rate limit, webhook IP allow-lists). Empty: REMOTE_ADDR only.
PALAVA_TRUSTED_PROXIES = env_list("PALAVA_TRUSTED_PROXIES")
# Public web form: at most this many submissions per client address per window (seconds).
PALAVA_WEBFORM_RATE_LIMIT = int(env_str("PALAVA_WEBFORM_RATE_LIMIT", "10"))
PALAVA_WEBFORM_RATE_WINDOW = int(env_str("PALAVA_WEBFORM_RATE_WINDOW", "600"))
# Seconds a web process keeps a channel for its webhook before reading it again (0: always read).
PALAVA_CHANNEL_CACHE_SECONDS = float(env_str("PALAVA_CHANNEL_CACHE_SECONDS", "2"))
# A triage run looks for new messages once more after this many seconds (see feedback.tasks).
PALAVA_TRIAGE_LINGER_SECONDS = 1.2

# --- Background tasks -----------------------------------------------------------------------

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PALAVA_SCHEDULER_INTERVAL = 5.0  # seconds between scheduler ticks in each worker

# --- Logging: never log request bodies or secrets -------------------------------------------

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "palava.core.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

# Outbound messages (replies, broadcasts, staff SMS): seconds before a gateway call times out
# (a timeout is retried with the same idempotency key) and attempts before a dead letter.
PALAVA_OUTBOUND_TIMEOUT = float(env_str("PALAVA_OUTBOUND_TIMEOUT", "10"))
PALAVA_OUTBOUND_MAX_ATTEMPTS = int(env_str("PALAVA_OUTBOUND_MAX_ATTEMPTS", "6"))
