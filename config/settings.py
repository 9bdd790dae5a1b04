"""Settings for Qinqing, read from the environment (12-factor).

Every variable is documented in `.env.example`. With nothing set, the platform runs on
the embedded default: SQLite in WAL mode with IMMEDIATE transactions, and jobs in the
same database. Production sets DATABASE_URL (PostgreSQL), SECRET_KEY, DEBUG=false and
ALLOWED_HOSTS; the same code runs any number of web and worker processes.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
VAR_DIR = Path(os.environ.get("QINQING_VAR_DIR", BASE_DIR / "var"))

# Development and tests get a fixed, clearly non-secret key; production must set one.
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-development-key-set-SECRET_KEY-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Ours first: where two catalogues translate the same words differently (Django
    # admin's "Filter" is 过滤器), the first app listed wins.
    "qinqing.common",
    "qinqing.accounts",
    "qinqing.audit",
    "qinqing.workdays",
    "qinqing.scheduling",
    "qinqing.notifications",
    "qinqing.deadlines",
    "qinqing.enterprises",
    "qinqing.policies",
    "qinqing.payments",
    "qinqing.integrity",
    "qinqing.contracts",
    "qinqing.ledger",
    "qinqing.supervision",
    "qinqing.demo",
    "qinqing.accounts.apps.AdminConfig",  # django.contrib.admin, its login in the user's language
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Listed so that /api/v1/docs renders ninja's own template with its bundled Swagger UI
    # from our static files; without it ninja loads Swagger UI from a CDN, which our CSP
    # (script-src 'self') blocks, and the page stays blank.
    "ninja",
    "csp",
    "template_partials.apps.SimpleAppConfig",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qinqing.common.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qinqing.accounts.middleware.SessionExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "OPTIONS": {
            # The partials loader (backport of Django 6's template partials) makes
            # "page.html#fragment" a template name, which htmx views render.
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "qinqing.accounts.context_processors.navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# --- Database -------------------------------------------------------------------------
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", VAR_DIR / "qinqing.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # JIT compilation costs seconds on the rule-compiled matching queries and the
        # work-queue joins and saves nothing on queries this short (bench/matching.py).
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
    # One test database per process, so that concurrent test runs never share one.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("POSTGRES_TEST_NAME", f"test_{DATABASES['default']['NAME']}_{os.getpid()}")
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction begins, so two
                # writers queue on busy_timeout instead of failing on lock upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
            # A file, not memory, so that the live server's threads share it; one per
            # process, so that concurrent test runs never share a database.
            "TEST": {
                "NAME": os.environ.get("SQLITE_TEST_PATH", str(VAR_DIR / f"test-{os.getpid()}.sqlite3"))
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Jobs: django.tasks API (backport), database backend in the same database ---------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "notifications", "scheduler"],
    }
}
# Scheduler and workers (qinqing/scheduling): missed periods caught up per job (older ones
# are recorded as skipped), when a silent worker counts as dead and its jobs are requeued,
# and how long finished job results are kept.
SCHEDULER_MAX_CATCH_UP = env_int("SCHEDULER_MAX_CATCH_UP", 24)
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 5)
WORKER_REAP_SECONDS = env_int("WORKER_REAP_SECONDS", 30)
WORKER_DEAD_AFTER_SECONDS = env_int("WORKER_DEAD_AFTER_SECONDS", 120)
WORKER_UNTRACKED_LOST_AFTER_SECONDS = env_int("WORKER_UNTRACKED_LOST_AFTER_SECONDS", 3600)
WORKER_MAX_LOST_ATTEMPTS = env_int("WORKER_MAX_LOST_ATTEMPTS", 5)
TASK_RESULT_RETENTION_DAYS = env_int("TASK_RESULT_RETENTION_DAYS", 14)
TASK_FAILED_RETENTION_DAYS = env_int("TASK_FAILED_RETENTION_DAYS", 90)

# --- Auth and sessions ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = ["qinqing.accounts.backends.LockoutModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "qinqing.accounts.passwords.CharacterClassValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
if env_bool("FAST_PASSWORD_HASHER", False):
    # Tests only: PBKDF2 at full strength costs seconds across a suite.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Lockout after repeated failures, per account and per client address.
LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
# Throttles per client address (qinqing/common/throttle.py): scope -> (requests, window
# seconds). Public lookups by receipt code, and submissions without an account. A limit
# of 0 switches a scope off.
QINQING_THROTTLES = {
    "receipt_lookup": (
        env_int("THROTTLE_RECEIPT_LOOKUPS", 30),
        env_int("THROTTLE_RECEIPT_LOOKUP_SECONDS", 600),
    ),
    "anonymous_submit": (
        env_int("THROTTLE_ANONYMOUS_SUBMITS", 10),
        env_int("THROTTLE_ANONYMOUS_SUBMIT_SECONDS", 3600),
    ),
}
# Idle and absolute session expiry, in minutes.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_ABSOLUTE_MINUTES = env_int("SESSION_ABSOLUTE_MINUTES", 12 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_MINUTES * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# API tokens expire after this many days.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)

# --- Security (production passes `manage.py check --deploy`) ---------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Client address used for per-address lockout; only trust X-Forwarded-For behind a proxy.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Content-Security-Policy: no inline scripts, no third-party origins.
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
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "qinqing" / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "uploads")},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("COLLECTSTATIC", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# The demo and tests serve static files straight from the app folders.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Upload limits held while a request is read (qinqing/common/upload_handlers.py): no byte
# of a file past its limit is kept, and the form says which file was too large. The
# largest material or piece of evidence (policies, ledger, contracts); uploads with a
# limit of their own, by URL name, as the name of the setting holding it; and the most
# the files of one request may carry together (DATA_UPLOAD_MAX_MEMORY_SIZE covers only
# the other fields).
POLICY_UPLOAD_MAX_BYTES = env_int("POLICY_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
UPLOAD_LIMIT_SETTINGS = {
    "enterprises:import": "ENTERPRISE_IMPORT_MAX_BYTES",
    "api:import_enterprises": "ENTERPRISE_IMPORT_MAX_BYTES",
}
UPLOAD_MAX_REQUEST_BYTES = env_int("UPLOAD_MAX_REQUEST_BYTES", 100 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "qinqing.common.upload_handlers.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Notifications --------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "qinqing.notifications.email.OutboxEmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qinqing@localhost")
SMS_BACKEND = os.environ.get("SMS_BACKEND", "qinqing.notifications.sms.OutboxSmsBackend")
# Failed e-mail/SMS sends are retried this many times in all, backing off from this delay.
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 5)
NOTIFICATIONS_RETRY_SECONDS = env_int("NOTIFICATIONS_RETRY_SECONDS", 60)
# Public address of the site, to turn links in e-mail and SMS into absolute ones.
SITE_URL = os.environ.get("SITE_URL", "")

# --- Enterprise registry ----------------------------------------------------------------
# Upload limits of a registry import, and the size up to which it runs while the admin
# waits (larger files are checked at once and imported by a worker job).
ENTERPRISE_IMPORT_MAX_BYTES = env_int("ENTERPRISE_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
ENTERPRISE_IMPORT_MAX_ROWS = env_int("ENTERPRISE_IMPORT_MAX_ROWS", 200_000)
ENTERPRISE_IMPORT_INLINE_MAX_BYTES = env_int("ENTERPRISE_IMPORT_INLINE_MAX_BYTES", 1024 * 1024)
# Rows in one Excel export of the registry list; beyond it the user narrows the search.
ENTERPRISE_EXPORT_MAX_ROWS = env_int("ENTERPRISE_EXPORT_MAX_ROWS", 100_000)

# --- Direct payment (qinqing/payments) ---------------------------------------------------
# The gateway class (a dotted path); the default is the simulated treasury.
# Open Contracting Data Standard exports (qinqing.contracts.ocds): the ocid prefix is a
# placeholder until the publisher registers its own "ocds-xxxxxx" prefix; the publisher's
# name defaults to the city at the root of the organisation tree.
OCDS_OCID_PREFIX = os.environ.get("OCDS_OCID_PREFIX", "ocds-qinqing-")
OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME", "")
PAYMENT_GATEWAY = os.environ.get("PAYMENT_GATEWAY", "qinqing.payments.gateways.treasury.SimulatedTreasury")
# A real gateway must give up on a call after PAYMENT_GATEWAY_TIMEOUT_SECONDS; a send is
# leased for PAYMENT_LEASE_SECONDS (longer, or the system check refuses to start), after
# which its outcome is resolved by asking the gateway by key.
PAYMENT_GATEWAY_TIMEOUT_SECONDS = env_int("PAYMENT_GATEWAY_TIMEOUT_SECONDS", 30)
PAYMENT_LEASE_SECONDS = env_int("PAYMENT_LEASE_SECONDS", 120)
# Back-off after an unreachable gateway (doubling, at most an hour), and how long a
# pending payment waits before the reconciliation enqueues its send job again.
PAYMENT_RETRY_SECONDS = env_int("PAYMENT_RETRY_SECONDS", 60)
PAYMENT_REQUEUE_AFTER_SECONDS = env_int("PAYMENT_REQUEUE_AFTER_SECONDS", 300)
# The simulated treasury's behaviour until an admin sets it (admin page or
# `manage.py treasury_mode`): normal, random, reject, timeout_before, timeout_after,
# duplicate, unavailable; in random, the rates (0..1) of each misbehaviour.
PAYMENT_TREASURY_BEHAVIOUR = os.environ.get("PAYMENT_TREASURY_BEHAVIOUR", "normal")
PAYMENT_TREASURY_FAIL_RATE = os.environ.get("PAYMENT_TREASURY_FAIL_RATE", "0")
PAYMENT_TREASURY_TIMEOUT_RATE = os.environ.get("PAYMENT_TREASURY_TIMEOUT_RATE", "0")
PAYMENT_TREASURY_DUPLICATE_RATE = os.environ.get("PAYMENT_TREASURY_DUPLICATE_RATE", "0")
PAYMENT_TREASURY_UNAVAILABLE_RATE = os.environ.get("PAYMENT_TREASURY_UNAVAILABLE_RATE", "0")

# --- Problem ledger (qinqing/ledger) ---------------------------------------------------
# Working days a 立行立改 (fix at once) problem gets; calendar days after closure during
# which the reporter may reopen a problem.
LEDGER_IMMEDIATE_DAYS = env_int("LEDGER_IMMEDIATE_DAYS", 3)
LEDGER_REOPEN_DAYS = env_int("LEDGER_REOPEN_DAYS", 30)
# The commission's own stages, in working days: a registered problem is to be assigned
# within LEDGER_DISPATCH_WORKING_DAYS, a verified one visited back within
# LEDGER_VISIT_WORKING_DAYS (a warning on the day, an alarm the working day after).
LEDGER_DISPATCH_WORKING_DAYS = env_int("LEDGER_DISPATCH_WORKING_DAYS", 2)
LEDGER_VISIT_WORKING_DAYS = env_int("LEDGER_VISIT_WORKING_DAYS", 5)
# Policy benefits: working days the department has to decide an objection (异议).
POLICY_OBJECTION_WORKING_DAYS = env_int("POLICY_OBJECTION_WORKING_DAYS", 5)
# The commission's dashboard computes its figures live while that takes less than
# LEDGER_DASHBOARD_SNAPSHOT_MS; beyond (a city's whole ledger), it shows a snapshot at
# most LEDGER_DASHBOARD_MAX_AGE_SECONDS old, recomputed by a job when a viewer finds it
# older (the page says as of when).
LEDGER_DASHBOARD_SNAPSHOT_MS = env_int("LEDGER_DASHBOARD_SNAPSHOT_MS", 300)
LEDGER_DASHBOARD_MAX_AGE_SECONDS = env_int("LEDGER_DASHBOARD_MAX_AGE_SECONDS", 300)

# --- Audit trail ----------------------------------------------------------------------
# The checkpoint signing key lives outside the database: a file path (created on first
# use when missing, mode 0600) or the key itself in AUDIT_SIGNING_KEY (base64, Ed25519).
AUDIT_SIGNING_KEY = os.environ.get("AUDIT_SIGNING_KEY", "")
AUDIT_SIGNING_KEY_FILE = Path(
    os.environ.get("AUDIT_SIGNING_KEY_FILE") or VAR_DIR / "keys" / "audit-ed25519.key"
)
# Signed checkpoints are also appended here, outside the database (JSON Lines).
AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("AUDIT_CHECKPOINT_FILE") or VAR_DIR / "audit" / "checkpoints.jsonl"
)
# When events get their place in the chain: "inline" (in the writer's transaction),
# "deferred" (just after it commits) or "" (inline on SQLite, deferred on PostgreSQL).
AUDIT_SEALING = os.environ.get("AUDIT_SEALING", "")

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs each stage of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}
