"""Safecase settings: one module, driven by environment variables (see .env.example).

Defaults are safe: without ``SAFECASE_DEBUG=1`` Safecase runs with production security settings
and refuses to start without a real secret key. ``make run`` writes a development ``.env``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str
from safecase.core.crypto import parse_keys

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines from .env without overriding the real environment."""
    if not path.is_file():
        return
    for raw_line in path.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip()
        # The real environment wins, whether it sets NAME or NAME_FILE.
        if key in os.environ or f"{key}_FILE" in os.environ:
            continue
        if key.endswith("_FILE") and key[: -len("_FILE")] in os.environ:
            continue
        value = value.split(" #", 1)[0].strip().strip("'\"")
        os.environ[key] = value


if not env_bool("SAFECASE_IGNORE_DOTENV"):
    _load_dotenv(BASE_DIR / ".env")

DEBUG = env_bool("SAFECASE_DEBUG", default=False)
# Demo personas may log in without MFA only while this is on, and never with DEBUG off.
SAFECASE_DEMO = env_bool("SAFECASE_DEMO", default=False) and DEBUG

_DEV_SECRET_PREFIX = "dev-only-"  # noqa: S105 - marks the insecure development key
SECRET_KEY = env_str("SAFECASE_SECRET_KEY")
if not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith(_DEV_SECRET_PREFIX)
):
    raise ImproperlyConfigured(
        "SAFECASE_SECRET_KEY must be set to a random value of at least 50 characters when "
        "SAFECASE_DEBUG is off. Generate one with: python -c 'import secrets; "
        "print(secrets.token_urlsafe(64))'"
    )
if not SECRET_KEY:
    SECRET_KEY = _DEV_SECRET_PREFIX + "not-secret-development-key-0123456789abcdefghij"

ALLOWED_HOSTS = env_list("SAFECASE_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("SAFECASE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "safecase.core",
    "safecase.accounts",
    "safecase.access",
    "safecase.audit",
    "safecase.people",
    "safecase.concerns",
    "safecase.cases",
    "safecase.cases.risk",
    "safecase.cases.referrals",
    "safecase.cases.casetasks",
    "safecase.cases.investigations",
    "safecase.cases.decisions",
    "safecase.cases.allegations",
    "safecase.cases.learning",
    "safecase.cases.notes",
    "safecase.partnerships",
    "safecase.partnerships.knownto",
    "safecase.partnerships.transfers",
    "safecase.sharing",
    "safecase.insight",
    "safecase.notifications",
    "safecase.api",
    "safecase.api.webhooks",
    "safecase.web",
    "safecase.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safecase.core.middleware.RequestIdMiddleware",
    "safecase.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "safecase.accounts.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safecase.accounts.middleware.ActorMiddleware",
    "safecase.accounts.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes last, as its documentation asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "safecase.web.context_processors.navigation",
            ],
        },
    },
    # Row-heavy fragments only, included from Django templates with {% jinja %} (ADR 0019); they
    # live in each app's jinja2/ folder. No context processors: the including page ran them.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "safecase.web.jinja.environment"},
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default: WAL so readers never block the writer, synchronous=FULL so an
# acknowledged commit survives power loss, IMMEDIATE transactions so writers queue instead of
# failing with "database is locked" on upgrade. PostgreSQL is chosen with DATABASE_URL.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'safecase.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("SAFECASE_DB_CONN_MAX_AGE", 60))
# Both keep their connection between requests (SAFECASE_DB_CONN_MAX_AGE), health-checked before
# reuse: opening a SQLite connection costs more than a small page's queries (the PRAGMAs, then
# parsing the whole schema on the first statement: ~6 ms a request here; ADR 0003).
_db["CONN_HEALTH_CHECKS"] = True
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "safecase.accounts.backends.EmailBackend",
]
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
    {"NAME": "safecase.accounts.validators.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour (security bar A8)

# Lockout (django-axes): per account and source address first, so that an attacker cannot lock
# a victim out from afar after a handful of guesses.
AXES_FAILURE_LIMIT = env_int("SAFECASE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("SAFECASE_LOGIN_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "safecase.accounts.views_auth.locked_out"
# The same client address the audit trail records (X-Forwarded-For only from a trusted proxy).
AXES_CLIENT_IP_CALLABLE = "safecase.core.middleware.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# And per account from any address, with a higher limit, so that guesses spread over many
# addresses are stopped too. The price: anyone who knows an address can lock it for one cool-off
# at a time (safecase/accounts/lockout.py). Never below the per-address limit.
AXES_HANDLER = "safecase.accounts.lockout.AccountWideLockoutHandler"
SAFECASE_LOGIN_ACCOUNT_FAILURE_LIMIT = env_int(
    "SAFECASE_LOGIN_ACCOUNT_FAILURE_LIMIT", max(20, AXES_FAILURE_LIMIT)
)
if SAFECASE_LOGIN_ACCOUNT_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "SAFECASE_LOGIN_ACCOUNT_FAILURE_LIMIT must be at least SAFECASE_LOGIN_FAILURE_LIMIT."
    )

OTP_TOTP_ISSUER = env_str("SAFECASE_OTP_ISSUER", "Safecase")
OTP_TOTP_TOLERANCE = 1

# --- Sessions -------------------------------------------------------------------------------
SAFECASE_SESSION_IDLE_SECONDS = env_int("SAFECASE_SESSION_IDLE_MINUTES", 30) * 60
SAFECASE_SESSION_ABSOLUTE_SECONDS = env_int("SAFECASE_SESSION_ABSOLUTE_HOURS", 10) * 3600
# How long a fresh authenticator code allows exports before another is asked for (A5).
SAFECASE_STEP_UP_SECONDS = max(1, env_int("SAFECASE_STEP_UP_MINUTES", 5)) * 60
SESSION_COOKIE_AGE = SAFECASE_SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_COOKIES = env_bool("SAFECASE_SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    # The __Host- prefix pins the cookie to this exact host, over HTTPS, for path /.
    SESSION_COOKIE_NAME = "__Host-safecase-session"
    CSRF_COOKIE_NAME = "__Host-safecase-csrf"
else:
    SESSION_COOKIE_NAME = "safecase-session"
    CSRF_COOKIE_NAME = "safecase-csrf"

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("SAFECASE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SAFECASE_HSTS_PRELOAD", default=True)
SECURE_SSL_REDIRECT = env_bool("SAFECASE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Only trust X-Forwarded-Proto / X-Forwarded-For when a proxy we control sets them.
SAFECASE_TRUSTED_PROXY = env_bool("SAFECASE_TRUSTED_PROXY", default=False)
if SAFECASE_TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No inline script or style anywhere: everything comes from our own static files.
SAFECASE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# --- Safeguarding defaults (per-organisation configuration comes later) ----------------------
# An untriaged concern older than this is shown as overdue on the lead's queue.
SAFECASE_TRIAGE_OVERDUE_HOURS = env_int("SAFECASE_TRIAGE_OVERDUE_HOURS", 24)
# Closures beyond the England and Wales bank holidays (safecase/core/calendar.py), as ISO dates:
# working-day deadlines (a LADO referral's follow-up) skip them.
SAFECASE_EXTRA_HOLIDAYS = env_list("SAFECASE_EXTRA_HOLIDAYS")

# --- Break-glass (docs/sharing.md) -----------------------------------------------------------
# How long a lead's break-glass opening of a restricted record lasts.
SAFECASE_BREAK_GLASS_MINUTES = env_int("SAFECASE_BREAK_GLASS_MINUTES", 60)

# --- Known-to check across a partnership (docs/known-to.md) ---------------------------------
# The key of the identifiers' digests; derived from SECRET_KEY when empty. Changing either
# means `manage.py known_to_rebuild`.
SAFECASE_KNOWN_TO_KEY = env_str("SAFECASE_KNOWN_TO_KEY", "")
SAFECASE_KNOWN_TO_CHECKS_PER_HOUR = env_int("SAFECASE_KNOWN_TO_CHECKS_PER_HOUR", 30)

# --- Record transfer (docs/transfers.md) ------------------------------------------------------
# The installation's keys (base64 of 32 random bytes each): Ed25519 to sign the bundles it
# sends, X25519 to open the bundles sent to it. Derived from SECRET_KEY when empty (development
# and tests); set both in production, and keep them with the file keys.
SAFECASE_TRANSFER_SIGNING_KEY = env_str("SAFECASE_TRANSFER_SIGNING_KEY")
SAFECASE_TRANSFER_ENCRYPTION_KEY = env_str("SAFECASE_TRANSFER_ENCRYPTION_KEY")
# Other installations whose bundles this one accepts (see docs/transfers.md for the format).
SAFECASE_TRANSFER_TRUSTED_SENDERS = env_str("SAFECASE_TRANSFER_TRUSTED_SENDERS")
SAFECASE_INSTALLATION_NAME = env_str("SAFECASE_INSTALLATION_NAME", "Safecase")
# Working days the receiver has to act before the file is escalated (domain.md: 5).
SAFECASE_TRANSFER_RESPONSE_WORKING_DAYS = env_int("SAFECASE_TRANSFER_RESPONSE_WORKING_DAYS", 5)
SAFECASE_TRANSFER_BUNDLE_DAYS = env_int("SAFECASE_TRANSFER_BUNDLE_DAYS", 30)
SAFECASE_TRANSFER_DOWNLOAD_HOURS = env_int("SAFECASE_TRANSFER_DOWNLOAD_HOURS", 72)

# --- Outgoing webhooks (docs/webhooks.md) ---------------------------------------------------
# Hosts a webhook may reach over plain http (and at a private or loopback address): none in
# production; e.g. "127.0.0.1" for a receiver on the same machine while developing.
SAFECASE_WEBHOOK_ALLOW_HTTP_HOSTS = env_list("SAFECASE_WEBHOOK_ALLOW_HTTP_HOSTS")
SAFECASE_WEBHOOK_TIMEOUT_SECONDS = env_int("SAFECASE_WEBHOOK_TIMEOUT_SECONDS", 5)
# Seconds to wait before each retry of a failed delivery; given up after the last.
SAFECASE_WEBHOOK_RETRY_SCHEDULE = [
    int(seconds)
    for seconds in env_list(
        "SAFECASE_WEBHOOK_RETRY_SCHEDULE", ["60", "300", "1800", "7200", "21600", "43200"]
    )
]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Attachments (security bar F1-F3, D1) ---------------------------------------------------
# Files are encrypted (AES-256-GCM, safecase.core.crypto) before they reach storage and are kept
# under generated names in a directory that is never served: there is no MEDIA_URL route, and
# downloads go through authorisation-checked views (safecase.core.files.attachment_response).
try:
    SAFECASE_FILE_KEYS = parse_keys(env_str("SAFECASE_FILE_KEYS"))
except ValueError as exc:
    raise ImproperlyConfigured(f"SAFECASE_FILE_KEYS: {exc}") from exc
if not SAFECASE_FILE_KEYS and DEBUG:
    # Development only: a key derived from the (development) secret key, so a checkout works
    # with no set-up and files survive restarts. Production refuses to start without real keys.
    SAFECASE_FILE_KEYS = {"dev": hashlib.sha256(f"{SECRET_KEY}:file-key".encode()).digest()}
# With a single key it is the current one; during a rotation name the new one explicitly.
SAFECASE_FILE_KEY_ID = env_str(
    "SAFECASE_FILE_KEY_ID", next(iter(SAFECASE_FILE_KEYS)) if len(SAFECASE_FILE_KEYS) == 1 else ""
)
if SAFECASE_FILE_KEY_ID not in SAFECASE_FILE_KEYS and (SAFECASE_FILE_KEYS or not DEBUG):
    raise ImproperlyConfigured(
        "SAFECASE_FILE_KEYS must hold at least one key ('id:<base64 of 32 random bytes>') and "
        "SAFECASE_FILE_KEY_ID must name one of them. Generate a key with: python -c "
        "\"import base64, os; print('k1:' + base64.b64encode(os.urandom(32)).decode())\""
    )
SAFECASE_MAX_UPLOAD_BYTES = env_int("SAFECASE_MAX_UPLOAD_MB", 10) * 1024 * 1024
MEDIA_ROOT = Path(env_str("SAFECASE_FILES_DIR", str(BASE_DIR / "var" / "files")))
# Uploads stay in memory (never a plaintext temporary file on disk) up to the upload limit.
FILE_UPLOAD_MAX_MEMORY_SIZE = SAFECASE_MAX_UPLOAD_BYTES + 64 * 1024
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Virus scanning before a file can be downloaded (security bar F2, safecase.core.scanning,
# docs/adr/0008): clamd (default outside development), clamscan, or off (files unscanned and
# marked clean: development only; `manage.py check` warns about it with DEBUG off).
SAFECASE_AV_MODE = env_str("SAFECASE_AV_MODE", "off" if DEBUG else "clamd").strip().lower()
if SAFECASE_AV_MODE not in ("off", "clamscan", "clamd"):
    raise ImproperlyConfigured("SAFECASE_AV_MODE must be off, clamscan or clamd.")
SAFECASE_AV_CLAMD_SOCKET = env_str("SAFECASE_AV_CLAMD_SOCKET", "/var/run/clamav/clamd.ctl")
SAFECASE_AV_CLAMSCAN = env_str("SAFECASE_AV_CLAMSCAN", "clamscan")
SAFECASE_AV_DATABASE = env_str("SAFECASE_AV_DATABASE")
SAFECASE_AV_TIMEOUT_SECONDS = env_int("SAFECASE_AV_TIMEOUT_SECONDS", 120)

# --- I18N and time --------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("SAFECASE_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "SAFECASE_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("SAFECASE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("SAFECASE_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("SAFECASE_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("SAFECASE_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("SAFECASE_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("SAFECASE_FROM_EMAIL", "safecase@localhost")

# --- Background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("SAFECASE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "safecase.api.authentication.ApiTokenAuthentication",
        "safecase.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["safecase.access.drf.DenyUndeclared"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "safecase.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "safecase.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Safecase API",
    "DESCRIPTION": "Safeguarding case management. Every endpoint applies the same access policy "
    "as the web interface; records outside your scope answer 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
SAFECASE_API_TOKEN_MAX_DAYS = env_int("SAFECASE_API_TOKEN_MAX_DAYS", 365)

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "safecase.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("SAFECASE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
