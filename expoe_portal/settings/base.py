"""Settings shared by every environment.

Values come from the environment (django-environ). A `.env` file is read only when
DJANGO_READ_DOT_ENV_FILE is true, so that a stray file never changes production.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Pages show and accept UK time (what the team and partners live by); the database and the API
# keep UTC.
TIME_ZONE = "Europe/London"
LANGUAGE_CODE = "en-gb"
USE_I18N = False
USE_TZ = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "django_fsm",
    "django_fsm_log",
    "bootstrap",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "expoe_portal",
    "accounts",
    "partners",
    "number_pool",
    "onboarding",
    "customers",
    "porting",
    "escalations",
    "reconciliation",
    "events",
    "integrations",
]

MIDDLEWARE = [
    # First, so that a request's time (expoe_portal/metrics.py) includes every middleware below.
    "expoe_portal.metrics.RequestMetricsMiddleware",
    # Before anything reads the body: an over-size request is refused unread (413).
    "expoe_portal.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Second factor (#17): OTPMiddleware tells a verified session from one that passed only the
    # password; ours keeps the latter on the second-factor step (or enrolment) and logout.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "expoe_portal.middleware.ApiUtcMiddleware",
    "accounts.middleware.StaffIdleTimeoutMiddleware",
    # Axes must come last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "expoe_portal.urls"
WSGI_APPLICATION = "expoe_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "expoe_portal.navigation.navigation",
            ],
            # Rule ids off every page, their help for staff (expoe_portal/rules.py); durations in days and hours.
            "builtins": ["expoe_portal.templatetags.rule_help", "expoe_portal.templatetags.durations"],
        },
    },
]

# SQLite is the embedded default for the demo. WAL lets the web process read while the worker
# writes; IMMEDIATE transactions take the write lock up front so two writers queue on the busy
# timeout instead of failing with "database is locked" half-way through a transaction.
DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn's estimate, told the user's names and email: refuses "acmeacme" and the like (#17).
    {"NAME": "accounts.passwords.ZxcvbnValidator", "OPTIONS": {"min_score": 3}},
]
# A password-reset link works once, for this many seconds (#17).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: a working day, ended when the browser closes, renewed while the user is active.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 9)
# Staff (who can provision for any partner) are signed out after this many idle minutes; a page's
# own polling does not count as activity (accounts/middleware.py).
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Login throttling: five failures for one username from one address lock that pair out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Failed log-ins (page or API) from one address, whatever the usernames, within the window: past the
# limit the login page answers 429 until the window ends (accounts/throttles.py). Password-reset
# requests are limited per address and per email address the same way.
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=20)
LOGIN_FAILURES_WINDOW_MINUTES = env.int("LOGIN_FAILURES_WINDOW_MINUTES", default=15)
PASSWORD_RESETS_PER_ADDRESS = env.int("PASSWORD_RESETS_PER_ADDRESS", default=10)
PASSWORD_RESETS_PER_EMAIL = env.int("PASSWORD_RESETS_PER_EMAIL", default=3)
PASSWORD_RESETS_WINDOW_MINUTES = env.int("PASSWORD_RESETS_WINDOW_MINUTES", default=60)

# Second factor (#17, accounts/second_factor.py): TOTP (an authenticator app), passkeys (WebAuthn),
# recovery codes. With STAFF_MFA_REQUIRED every staff user (superusers too) must enrol at their next
# login; local and test settings turn it off so that the demo's logins work without a phone.
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=True)
OTP_TOTP_ISSUER = "EXPO.e provisioning"
# Wrong codes: django-otp's throttling on the device (kept in the database, so every process sees it)
# makes each further try wait 2, 4, 8 ... seconds after consecutive failures.
OTP_TOTP_THROTTLE_FACTOR = 2
OTP_STATIC_THROTTLE_FACTOR = 2
# Passkeys only as a second factor, after the password (and its lockout), never instead of it.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "EXPO.e provisioning portal"
_PORTAL = urlsplit(env("PORTAL_BASE_URL", default="http://127.0.0.1:8000"))
if _PORTAL.scheme == "https":
    _PASSKEY_ORIGIN, _PASSKEY_HOST = f"https://{_PORTAL.netloc}", _PORTAL.hostname or ""
else:
    # WebAuthn needs https, or plain http on localhost (a name, not an address): the demo's
    # passkeys work at http://localhost:8000.
    _PASSKEY_ORIGIN, _PASSKEY_HOST = f"http://localhost:{_PORTAL.port or 80}", "localhost"
OTP_WEBAUTHN_RP_ID = env("OTP_WEBAUTHN_RP_ID", default=_PASSKEY_HOST)
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("OTP_WEBAUTHN_ALLOWED_ORIGINS", default=[_PASSKEY_ORIGIN])

# Content-Security-Policy: no inline scripts anywhere; every script is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded port documents (porting/storage.py): a private directory, or with PORTAL_S3_BUCKET an
# S3-compatible bucket that every web and worker host shares. Without an access key, boto3 finds
# its credentials itself (AWS_* variables, an instance role).
PORTAL_S3_BUCKET = env("PORTAL_S3_BUCKET", default="")
if PORTAL_S3_BUCKET:
    DOCUMENT_STORAGE = {
        "BACKEND": "porting.storage_s3.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": PORTAL_S3_BUCKET,
            "location": env("PORTAL_S3_PREFIX", default=""),  # a folder of a shared bucket
            "endpoint_url": env("PORTAL_S3_ENDPOINT_URL", default="") or None,  # not AWS: MinIO, Ceph ...
            "region_name": env("PORTAL_S3_REGION", default="") or None,
            "access_key": env("PORTAL_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("PORTAL_S3_SECRET_ACCESS_KEY", default="") or None,
        },
    }
else:
    DOCUMENT_STORAGE = {"BACKEND": "porting.storage.PrivateDocumentStorage"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "documents": DOCUMENT_STORAGE,
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="UC Provisioning <voiceprovisioning@exponential-e.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------------
# With REDIS_URL the broker is Redis; without it, kombu's filesystem transport, so the demo
# needs no server and a real worker process still runs the tasks.
REDIS_URL = env("REDIS_URL", default="")
BROKER_DIR = VAR_DIR / "broker"
# Redis redelivers a task not acknowledged within this time; the hard time limit below stays
# under it, so a task is never redelivered while its first run is still alive.
# All three can be shortened together (the worker acceptance tests do, to see redelivery in seconds).
CELERY_REDIS_VISIBILITY_TIMEOUT = env.int("CELERY_REDIS_VISIBILITY_TIMEOUT", default=3600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
if not CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_REDIS_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured("Need CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < visibility timeout.")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_REDIS_VISIBILITY_TIMEOUT}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
# The queue every task goes to (tests that start a worker use one of their own on the shared Redis).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection before and after every task unless told to
# reuse it: a new PostgreSQL connection for every build step. It is reused, and Django's own rules
# (CONN_MAX_AGE, CONN_HEALTH_CHECKS) retire it around each task as around a request (celery.py).
CELERY_DB_REUSE_MAX = 1_000_000
# A build step spends its time waiting on a platform, not on the CPU: one worker process runs
# CELERY_WORKER_CONCURRENCY of them at once in threads (they share its BroadWorks sessions and HTTP
# clients). Threads enforce no time limit; the work heartbeat stands in (expoe_portal/work.py).
CELERY_WORKER_POOL = env("CELERY_WORKER_POOL", default="threads")
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=8)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": 60 * 60 * 6,
    },
}

# One cache that every process and host shares (the API's throttles; the dashboards' figures and
# the data versions a change bumps to invalidate them): Redis when there is one, files under var/
# otherwise (the demo's web and worker processes share those). Its keys carry a prefix of their own
# beside the broker's; REDIS_CACHE_URL may give it another database. (Never `cache.clear()` on a
# database the broker shares: it empties the database.)
# Throttles (the token endpoint, log-in failures, password-reset requests) count in "throttles":
# the same Redis, or without one the database (a table `createcachetable` makes), because files are
# shared only by the processes of one host, and a limit counted per host is no limit (#17).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "portal-cache",
        },
        "throttles": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "portal-throttle",
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        },
        "throttles": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_throttle_cache",
        },
    }

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so a request without credentials gets 401 with a WWW-Authenticate header.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "expoe_portal.api.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "expoe_portal.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "expoe_portal.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "10/minute"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# API tokens (#17): a token lasts API_TOKEN_DAYS unless its creator asks for fewer or more days, never
# more than API_TOKEN_MAX_DAYS; its last use is written at most once per API_TOKEN_LAST_USED_SECONDS.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
API_TOKEN_LAST_USED_SECONDS = env.int("API_TOKEN_LAST_USED_SECONDS", default=60)
SPECTACULAR_SETTINGS = {
    "TITLE": "EXPO.e provisioning portal API",
    "DESCRIPTION": "Partners, onboarding, customer builds, numbers, ports and escalations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Without deep links an operation's path is plain text, not a link inside its expand button
    # (axe-core: nested-interactive, #16).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # One name per choice set, so that generated clients get stable enum types.
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "partners.choices.OrderStatus",
        "OnboardingStatusEnum": "partners.choices.ONBOARDING_STATUSES",
        "SlaStateEnum": "expoe_portal.choices.SlaState",
        "AccountPlatformEnum": "onboarding.choices.AccountPlatform",
        "AccountStatusEnum": "onboarding.choices.AccountStatus",
        "TrainingPlatformEnum": "onboarding.choices.TrainingPlatform",
        "BulkUploadStatusEnum": "customers.choices.BulkUploadStatus",
        "DriftStateEnum": "reconciliation.choices.DriftState",
        "StateEnum": "escalations.choices.ESCALATION_STATES",  # (beside drift's own "state")
    },
}

# --- Portal -------------------------------------------------------------------------------
# O7: the two portal URLs are settings, never literals in templates.
PARTNER_PORTAL_URL = env("PARTNER_PORTAL_URL", default="https://ucaasprov.hostedcomm.com/app/#!/")
END_CUSTOMER_PORTAL_URL = env("END_CUSTOMER_PORTAL_URL", default="https://ucaas.hostedcomm.com/app/#!/")
# G1: the clone service provider every customer group is cloned from.
CLONE_SERVICE_PROVIDER_ID = env("CLONE_SERVICE_PROVIDER_ID", default="ExpoePartner")
HEALTHZ_BROKER_TIMEOUT = env.float("HEALTHZ_BROKER_TIMEOUT", default=2.0)

# --- /metrics (Prometheus; expoe_portal/metrics.py) -------------------------------------------------
# Scraped with `Authorization: Bearer <METRICS_TOKEN>` (empty: no token access), or directly (not
# through a proxy) from an address in METRICS_ALLOWED_NETWORKS. PROMETHEUS_MULTIPROC_DIR, set in the
# environment before the processes start, is where every process of the host writes its metrics.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
PROMETHEUS_MULTIPROC_DIR = env("PROMETHEUS_MULTIPROC_DIR", default="")
# Other hosts' (containers') directories on a shared volume that a scrape adds, e.g. the worker's.
METRICS_EXTRA_DIRS = env.list("METRICS_EXTRA_DIRS", default=[])
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network.strip(), strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {exc}") from exc

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Axes logs usernames and addresses of failed logins, never passwords.
        "axes": {"level": "WARNING"},
    },
}
CSRF_FAILURE_VIEW = "expoe_portal.views.csrf_failure"
DJANGO_TABLES2_TEMPLATE = "includes/table.html"

# O1: the order confirmation is due this many hours after the signed order arrives; an order
# is "at risk" in the last ONBOARDING_SLA_AT_RISK_HOURS before that.
ONBOARDING_CONFIRMATION_SLA_HOURS = env.int("ONBOARDING_CONFIRMATION_SLA_HOURS", default=48)
ONBOARDING_SLA_AT_RISK_HOURS = env.int("ONBOARDING_SLA_AT_RISK_HOURS", default=12)
# E2: the escalation evaluator (idempotent, safe to overlap); links in its emails start with PORTAL_BASE_URL.
CELERY_BEAT_SCHEDULE["evaluate-escalations"] = {"task": "escalations.tasks.evaluate_escalations", "schedule": 300}
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# Nightly reconciliation (#15): every built customer against the platforms, read-only, at 02:30 UTC
# (Celery's default time zone): after the day's builds and ports, before the working day.
# A2: a generated password kept for its one showing on the hand-over page is wiped, unseen, this
# many days after the build made its administrator (daily, at 03:15 UTC).
HANDOVER_PASSWORD_DAYS = env.int("HANDOVER_PASSWORD_DAYS", default=30)
CELERY_BEAT_SCHEDULE["expire-handover-passwords"] = {
    "task": "customers.tasks.expire_handover_passwords",
    "schedule": crontab(hour=3, minute=15),
}
CELERY_BEAT_SCHEDULE["reconcile-nightly"] = {
    "task": "reconciliation.tasks.reconcile_nightly",
    "schedule": crontab(hour=env.int("RECONCILE_HOUR", default=2), minute=env.int("RECONCILE_MINUTE", default=30)),
}

# K2: the Akixi licence types a customer partition can be "licensed for" (they drive billing).
AKIXI_LICENCES = env.list("AKIXI_LICENCES", default=["Reporting Standard", "Reporting Professional", "Wallboards"])
# BroadWorks group extension length: the default and the range BroadWorks accepts.
GROUP_EXTENSION_LENGTH_DEFAULT = env.int("GROUP_EXTENSION_LENGTH_DEFAULT", default=4)
GROUP_EXTENSION_LENGTH_MIN = 2
GROUP_EXTENSION_LENGTH_MAX = 6
# Key for the few secrets kept until a build uses them (admin passwords, A2). Derived from the
# secret key unless set; rotating it only affects builds still waiting to run.
PORTAL_ENCRYPTION_KEY = env("PORTAL_ENCRYPTION_KEY", default="")

# Durable work (expoe_portal/work.py): the database holds when each unit of platform work is due
# and which worker holds it; messages only wake workers. A worker renews its lease every third of
# WORK_LEASE_SECONDS while it works, so a dead worker's work is taken back within one lease plus a
# sweep; a due item whose message was lost is sent again after WORK_REQUEUE_AFTER.
WORK_LEASE_SECONDS = env.int("WORK_LEASE_SECONDS", default=45)
WORK_REQUEUE_AFTER = env.int("WORK_REQUEUE_AFTER", default=30)
WORK_SWEEP_INTERVAL = env.int("WORK_SWEEP_INTERVAL", default=15)  # seconds between sweeper runs
# Transient failures: retry delays double from the base up to the cap (always well under the Redis
# visibility timeout). A build step gives up after BUILD_STEP_MAX_ATTEMPTS.
WORK_RETRY_BASE_DELAY = env.int("WORK_RETRY_BASE_DELAY", default=5)
WORK_RETRY_MAX_DELAY = env.int("WORK_RETRY_MAX_DELAY", default=300)
BUILD_STEP_MAX_ATTEMPTS = env.int("BUILD_STEP_MAX_ATTEMPTS", default=6)
PLATFORM_WORK_MAX_ATTEMPTS = env.int("PLATFORM_WORK_MAX_ATTEMPTS", default=6)  # partner accounts, ported numbers
# Emails: an unreachable mail server is retried from 30 s doubling to 15 min, 9 tries in all.
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=9)
EMAIL_RETRY_BASE_DELAY = env.int("EMAIL_RETRY_BASE_DELAY", default=30)
EMAIL_RETRY_MAX_DELAY = env.int("EMAIL_RETRY_MAX_DELAY", default=900)
if not 0 < WORK_SWEEP_INTERVAL <= WORK_LEASE_SECONDS:
    raise ImproperlyConfigured("Need 0 < WORK_SWEEP_INTERVAL <= WORK_LEASE_SECONDS.")
# Every durable work queue; beat's one sweeper and health go through them all.
WORK_QUEUES = [
    "customers.builds.BUILD_STEPS",
    "onboarding.partner_accounts.PARTNER_ACCOUNTS",
    "porting.platform.PORTED_NUMBERS",
    "expoe_portal.outbox.EMAILS",
    "events.delivery.WEBHOOK_DELIVERIES",
]
# Webhooks (#18, API.md): a failed delivery is tried again from WEBHOOK_RETRY_BASE_DELAY doubling to
# WEBHOOK_RETRY_MAX_DELAY, until WEBHOOK_RETRY_FOR after its event; each attempt waits WEBHOOK_TIMEOUT.
WEBHOOK_RETRY_BASE_DELAY = env.int("WEBHOOK_RETRY_BASE_DELAY", default=30)
WEBHOOK_RETRY_MAX_DELAY = env.int("WEBHOOK_RETRY_MAX_DELAY", default=900)
WEBHOOK_RETRY_FOR = env.int("WEBHOOK_RETRY_FOR", default=24 * 3600)
# A second bound (24 h at the capped delay is under 100 attempts): with tasks run in-process (tests,
# CELERY_TASK_ALWAYS_EAGER) a countdown is not waited for, so the clock alone would never stop them.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=100)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10)
# Only local and test settings let endpoints be plain HTTP or on private, loopback or link-local
# addresses (a partner's endpoint must never reach into our own network).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
WEBHOOK_ALLOW_HTTP = False
CELERY_BEAT_SCHEDULE["sweep-due-work"] = {"task": "expoe_portal.tasks.sweep_work", "schedule": WORK_SWEEP_INTERVAL}
# Workers and beat write a heartbeat row this often; health calls a process gone after HEALTH_STALE_AFTER.
PROCESS_HEARTBEAT_INTERVAL = env.int("PROCESS_HEARTBEAT_INTERVAL", default=15)
HEALTH_STALE_AFTER = env.int("HEALTH_STALE_AFTER", default=60)
CELERY_BEAT_SCHEDULER = "expoe_portal.heartbeats:RecordingScheduler"

# --- Bounds on what one request may carry (#17, expoe_portal/bounds.py) ---------------------------
# Numbers one request may name, ranges expanded: a port request, a range added to a pool, a change of
# a customer's numbers, a bulk upload in all. 10,000: the next issue asks for port requests that large.
NUMBERS_PER_REQUEST_MAX = env.int("NUMBERS_PER_REQUEST_MAX", default=10_000)
# A body without files (JSON, a form). The largest legitimate one pastes the cap's numbers: 10,000
# lines of up to 40 characters, at most 1.2 MB form-encoded; this leaves room and refuses the rest.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 2**20)
# The fields and files one form may post: our largest form (a customer build request with its
# administrators and reporting users) posts well under 200 fields; an upload is one file.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1_000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Uploads up to this size are held in memory, larger ones spooled to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 2**20)
# Each upload's own limit, checked with a message naming it (porting/documents.py, customers/bulk_sheet.py).
PORTING_DOCUMENT_MAX_BYTES = 10 * 2**20  # a scanned letter of authority or bill
CUSTOMER_BULK_UPLOAD_MAX_BYTES = 5 * 2**20  # a spreadsheet of customers
# A body with files: the largest upload with room for its form fields. Anything bigger is refused
# before it is read (expoe_portal.middleware.RequestSizeLimitMiddleware), as 413.
UPLOAD_REQUEST_MAX_BYTES = max(PORTING_DOCUMENT_MAX_BYTES, CUSTOMER_BULK_UPLOAD_MAX_BYTES) + 2**20

# --- The platforms (the defaults are the simulators `make run` starts) ----------------------------
BROADWORKS_HOST = env("BROADWORKS_HOST", default="127.0.0.1")
BROADWORKS_PORT = env.int("BROADWORKS_PORT", default=2208)
BROADWORKS_TLS = env.bool("BROADWORKS_TLS", default=False)  # real platforms: TLS on 2209
BROADWORKS_USERNAME = env("BROADWORKS_USERNAME", default="portal-admin")
BROADWORKS_PASSWORD = env("BROADWORKS_PASSWORD", default="simulator")
BROADWORKS_TIMEOUT = env.float("BROADWORKS_TIMEOUT", default=30)
# Logged-in OCI-P sessions each process keeps open at most (one per thread calling at the same time).
BROADWORKS_SESSIONS = env.int("BROADWORKS_SESSIONS", default=4)
# O2: a new partner's clone group is copied from this group in the clone service provider (G1). The
# guide does not name it: an assumption to confirm with the platform owners (docs/integrations.md).
BROADWORKS_CLONE_TEMPLATE_GROUP_ID = env("BROADWORKS_CLONE_TEMPLATE_GROUP_ID", default="EXPOE-MASTER-CLONE")
# O2: the partner's service provider is authorised for what that template uses, and for these user
# services besides (C6: call recording, which a build authorises on groups that record calls).
# Off only to show what BroadWorks does without it (a partner's first build is refused).
BROADWORKS_AUTHORISE_SERVICE_PROVIDER = env.bool("BROADWORKS_AUTHORISE_SERVICE_PROVIDER", default=True)
BROADWORKS_EXTRA_USER_SERVICES = env.list("BROADWORKS_EXTRA_USER_SERVICES", default=["Call Recording"])
AKIXI_BASE_URL = env("AKIXI_BASE_URL", default="http://127.0.0.1:8602/CCS/API/v1")
AKIXI_API_KEY = env("AKIXI_API_KEY", default="akixi-sim-key")
AKIXI_TIMEOUT = env.float("AKIXI_TIMEOUT", default=30)
CALLCABINET_BASE_URL = env("CALLCABINET_BASE_URL", default="http://127.0.0.1:8603/api/v1")
CALLCABINET_API_KEY = env("CALLCABINET_API_KEY", default="callcabinet-sim-key")
CALLCABINET_TIMEOUT = env.float("CALLCABINET_TIMEOUT", default=30)
CALLCABINET_MODE = env("CALLCABINET_MODE", default="api")  # "manual": the co-ordinator types it in
# In manual mode the Call Cabinet client asks the portal what co-ordinators confirmed. Dotted paths,
# so that the client (integrations/) imports no domain app.
CALLCABINET_CONFIRMED_REFERENCE = "customers.selectors.callcabinet_confirmed_reference"
CALLCABINET_CONFIRMED_RESELLER = "onboarding.selectors.callcabinet_reseller_confirmed"
# The class each build step talks to per platform (a dotted path).
BROADWORKS_GATEWAY = env("BROADWORKS_GATEWAY", default="integrations.broadworks.gateway.BroadWorksGateway")
CALLCABINET_GATEWAY = env("CALLCABINET_GATEWAY", default="integrations.callcabinet.client.callcabinet_gateway")

# --- Akixi: the login, every reporting user's scope, and manual mode (integrations/akixi/README.md) --
# With AKIXI_API_KEY empty, the client uses Akixi's documented session login with these (HTTPS only).
AKIXI_USERNAME = env("AKIXI_USERNAME", default="")
AKIXI_PASSWORD = env("AKIXI_PASSWORD", default="")
# K4: a reporting user's Scope names the Telephony Server holding the customer partitions and the
# Akixi environment (our assumption, to confirm with Akixi; the defaults are the simulator's).
AKIXI_TELSYS_ID = env.int("AKIXI_TELSYS_ID", default=1)
AKIXI_CM_ENVIRONMENT_ID = env("AKIXI_CM_ENVIRONMENT_ID", default="akixi-sim-environment")
# "api" (default) or "manual": a co-ordinator types the values into Akixi and confirms them on the
# build page (or records the reseller account on the onboarding order); the client asks the
# portal what was confirmed through these.
AKIXI_MODE = env("AKIXI_MODE", default="api")
AKIXI_CONFIRMED_RESELLER = "onboarding.selectors.akixi_reseller_confirmed"
AKIXI_CONFIRMED_PARTITION = "customers.selectors.akixi_confirmed_partition"
AKIXI_CONFIRMED_USER = "customers.selectors.akixi_confirmed_user"
# The factory picks the gateway AKIXI_MODE asks for.
AKIXI_GATEWAY = env("AKIXI_GATEWAY", default="integrations.akixi.client.akixi_gateway")
