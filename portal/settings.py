"""Settings of the directive portal.

Every value comes from the environment (django-environ). The defaults run with no services:
SQLite under var/, Celery's filesystem transport under var/celery/, e-mail written to var/mail/.
"""

import os
import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from common.backoff import longest_chain_seconds
from common.installation_key import installation_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
# A file of VARIABLE=value lines read before anything else (the process's own environment wins):
# ENV_FILE, by default .env beside manage.py; in production /etc/portal/portal.env, the file the
# systemd units read too (deploy/portal.env.example, deploy/manage).
environ.Env.read_env(os.environ.get("ENV_FILE", str(BASE_DIR / ".env")), overwrite=False)
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]"]),
)

DEBUG = env.bool("DEBUG", default=False)
# The test suite runs with DEBUG=False like production, but never holds real secrets.
TESTING = "pytest" in sys.modules
# Production: SECRET_KEY from the environment, or the portal refuses to start. Development and
# the tests: a key made once per installation in VAR_DIR/secret_key (mode 0600), never a
# constant that anyone could read here and forge acknowledgement links with.
# A key once published in this file is refused even where it is long enough.
PUBLISHED_SECRET_KEYS = ("dev-only-insecure-key-never-use-in-production",)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = installation_secret_key(VAR_DIR / "secret_key")
if not DEBUG and not TESTING and (SECRET_KEY in PUBLISHED_SECRET_KEYS or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 32 characters when DEBUG=False."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
REQUIRE_SERVICES = env.bool("REQUIRE_SERVICES", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "django_filters",
    "django_celery_beat",
    "auditlog",
    "portal.apps.AxesConfig",  # django-axes, named in Vietnamese
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "health_check",
    "recipients",
    "directives",
]

MIDDLEWARE = [
    "portal.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.MalformedRequestMiddleware",
    "portal.middleware.RequestSizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # In place of LocaleMiddleware: Vietnamese whatever the browser asks, English when chosen.
    "portal.middleware.LanguageMiddleware",
    "portal.middleware.ApiLanguageMiddleware",
    "common.sessions.SessionRefreshMiddleware",
    "portal.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.AuditlogMiddleware",
    "recipients.middleware.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# The cache (the PDFs' signature checks, by hash): per process by default; in production a Redis
# that every web process and worker share, e.g. CACHE_URL=redis://redis:6379/1.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Down or slow, it costs time and never a page (common/cache.py): a second at most to
    # connect or answer, then the page goes on without it.
    CACHES["default"]["BACKEND"] = "common.cache.ForgivingRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 1, "socket_timeout": 1}
    )
# Whether every web process and worker reads the same cache: what is kept there under a version
# that a change sets anew (permissions, units' names) is only kept with a shared one.
CACHE_IS_SHARED = "locmem" not in CACHES["default"]["BACKEND"].lower()
# The clerk's dashboard counts a year of letters: counted at most once a minute per clerk.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60)
# The inbox's letter count and its filter's issuers and fields, kept in a shared cache until a
# letter reaches or leaves the inbox and at most this long (directives/selectors/inbox.py).
INBOX_CACHE_SECONDS = env.int("INBOX_CACHE_SECONDS", default=300)
# A user's permissions kept in the cache between requests, read again after any change of roles
# (recipients/permissions.py): only with a cache every process shares, so 0 (off) by default
# with the per-process one.
PERMISSION_CACHE_SECONDS = env.int(
    "PERMISSION_CACHE_SECONDS",
    default=300 if CACHE_IS_SHARED else 0,
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "recipients.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "recipients.permissions.CachedModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The reverse proxies in front of the portal (README "Configuration"): nginx in production, none
# under `make run`. The client's address is read through them (common/client_ip.py) for the
# login lockout and for the `ip` of every Event. 0 ignores X-Forwarded-For altogether.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)
# Login lockout: AXES_FAILURE_LIMIT failures lock one username from one address for the
# cool-off, never the username everywhere nor the address for everyone (behind a proxy, or in an
# office behind one NAT, that would let anyone lock everyone out).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# The code of the login's second step is never written into axes' record of a failure.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]

# Two-factor login (django-otp: a TOTP authenticator app, backup codes; README "Two-factor
# login"). Signers, clerks and administrators must use it where their unit's setting says so,
# everywhere with OTP_REQUIRED=1 (production sets it); anyone may turn it on on their profile.
# A wrong code counts as a failed login for the lockout above and the login rate limit, and
# each device waits OTP_*_THROTTLE_FACTOR × 2^(failures − 1) seconds before the next try.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Cổng văn bản điều hành")
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = env.int("OTP_THROTTLE_FACTOR", default=1)
OTP_BACKUP_CODES = env.int("OTP_BACKUP_CODES", default=10)
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# What an administrator changes is recorded (django-auditlog: who, when, from which address, the
# old and the new values), shown in the admin's "History" of each record and its "Log entries".
# Directives keep their own append-only history (Event), which no admin page can change.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "recipients.Unit", "exclude_fields": ["search_text"]},  # seal image included
    {
        "model": "recipients.RecipientGroup",
        "m2m_fields": ["members"],
        "exclude_fields": ["search_text"],
    },
    {
        # Roles are group membership; the password is recorded as changed, never its hash.
        "model": "recipients.User",
        "m2m_fields": ["groups", "user_permissions"],
        "mask_fields": ["password"],
        "exclude_fields": ["last_login"],
    },
    {"model": "auth.Group", "m2m_fields": ["permissions"]},
    "recipients.SigningKeyStore",
    # Two-factor devices: enrolled, reset (deleted); never their secret, nor each login's
    # counters (a change of only those records nothing).
    {
        "model": "otp_totp.TOTPDevice",
        "exclude_fields": [
            "key",
            "last_t",
            "drift",
            "throttling_failure_timestamp",
            "throttling_failure_count",
            "last_used_at",
        ],
    },
    {
        "model": "otp_static.StaticDevice",
        "exclude_fields": [
            "throttling_failure_timestamp",
            "throttling_failure_count",
            "last_used_at",
        ],
    },
    "directives.Register",
    "directives.CancelledNumber",
)
AUDITLOG_MASK_CALLABLE = "portal.middleware.audit_mask"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language a person picked (portal.middleware.LanguageMiddleware; signed-in people's choice
# is their User.language): a year, and as guarded as the session's cookie.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# whitenoise knows no media type for TrueType (the letter's fonts, static/fonts).
WHITENOISE_MIMETYPES = {".ttf": "font/ttf"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# Uploads: a file above FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file, never memory; the
# form fields of a request (files apart) are refused above DATA_UPLOAD_MAX_MEMORY_SIZE. A request
# whose Content-Length exceeds REQUEST_MAX_BYTES (VERIFY_REQUEST_MAX_BYTES on /verify/) is a 413
# before its body is read (portal.middleware.RequestSizeMiddleware); nginx refuses it before
# that (deploy/nginx.conf, client_max_body_size: keep the two equal).
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
VERIFY_UPLOAD_MAX_BYTES = env.int("VERIFY_UPLOAD_MAX_BYTES", default=30 * 1024 * 1024)
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=100 * 1024 * 1024)
VERIFY_REQUEST_MAX_BYTES = env.int(
    "VERIFY_REQUEST_MAX_BYTES", default=VERIFY_UPLOAD_MAX_BYTES + 1024 * 1024
)
# An Office file (DOCX, XLSX, ODT) is refused when its parts inflate to more than this in all
# (a "zip bomb"), or hold more than OFFICE_MAX_PARTS entries (common/uploads.py).
OFFICE_MAX_INFLATED_BYTES = env.int("OFFICE_MAX_INFLATED_BYTES", default=200 * 1024 * 1024)
OFFICE_MAX_PARTS = env.int("OFFICE_MAX_PARTS", default=5000)
# Rate limits (common/ratelimit.py, counted in CACHES["default"]: in production the shared
# Redis, or each process counts apart): "<requests>/<seconds>" per client address.
RATELIMIT_ENABLED = env.bool("RATELIMIT_ENABLED", default=True)
RATELIMIT_VERIFY = env.str("RATELIMIT_VERIFY", default="20/600")  # PDFs checked on /verify/
RATELIMIT_ACK = env.str("RATELIMIT_ACK", default="120/600")  # acknowledgement links opened
RATELIMIT_LOGIN = env.str("RATELIMIT_LOGIN", default="100/600")  # login attempts (POST)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: file backend by default so that a new user sees every message under var/mail/.
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
_email = env.email_url("EMAIL_URL", default="filemail://")
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    _email["EMAIL_FILE_PATH"] = _email.get("EMAIL_FILE_PATH") or EMAIL_FILE_PATH
vars().update(_email)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cổng văn bản <noreply@portal.local>")
EMAIL_ATTACHMENT_MAX_BYTES = env.int("EMAIL_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
ACK_LINK_MAX_AGE_DAYS = env.int("ACK_LINK_MAX_AGE_DAYS", default=30)

# Celery: configured from these settings by portal/celery.py (CELERY_ namespace).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None) or None
if CELERY_BROKER_URL == "filesystem://":
    _celery_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        # The exchange-to-queue tables; kombu's default is "control/" in the working directory.
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
        # The worker polls the folder; with the default 1 s and late acks it takes only as many
        # messages per second as it has processes, so a demo fan-out would crawl.
        "polling_interval": 0.05,
    }
else:
    # Longer than the longest retry chain, so a late-acked task is never redelivered early.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=4 * 3600)
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Dispatch, notifications and reminders (directives/services/notices/, reminders.py) ---
# An e-mail that fails with an SMTP or connection error is retried NOTIFY_MAX_RETRIES times,
# waiting about BASE * 2**attempt seconds (with jitter, each wait capped at
# NOTIFY_RETRY_MAX_SECONDS; common/backoff.py). The PDF job retries by the same formula.
NOTIFY_MAX_RETRIES = env.int("NOTIFY_MAX_RETRIES", default=8)
NOTIFY_RETRY_BASE_SECONDS = env.float("NOTIFY_RETRY_BASE_SECONDS", default=30.0)
NOTIFY_RETRY_MAX_SECONDS = env.float("NOTIFY_RETRY_MAX_SECONDS", default=3600.0)
# A worker process keeps one SMTP connection for all its e-mails; it opens a new one after this
# many messages (servers cap messages per connection) or after this long idle (servers drop idle
# clients, Postfix after 300 s).
NOTIFY_SMTP_MAX_MESSAGES = env.int("NOTIFY_SMTP_MAX_MESSAGES", default=100)
NOTIFY_SMTP_MAX_IDLE_SECONDS = env.float("NOTIFY_SMTP_MAX_IDLE_SECONDS", default=60.0)
# Celery's Django fixup closes the database connection around every task unless this is set:
# a new PostgreSQL connection per e-mail cost ~15% of a fan-out's time. portal/celery.py closes
# a broken or CONN_MAX_AGE-old connection after each task instead, as Django does per request.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# Recovery (README, "Delivery under faults"). Beat runs the sweep every minute. It re-enqueues
# outbox rows left pending longer than NOTIFY_SWEEP_AFTER_MINUTES (a retry whose job was lost).
NOTIFY_SWEEP_AFTER_MINUTES = env.int("NOTIFY_SWEEP_AFTER_MINUTES", default=10)
# A claim ("sending") lasts this long: the SMTP dialogue of one e-mail times out well before
# (EMAIL_TIMEOUT per step), so a row held longer belongs to a job that died, and the job run
# again (a redelivered or retried job) or the sweep takes it back. Two timeouts and a margin.
NOTIFY_RECLAIM_AFTER_SECONDS = env.int(
    "NOTIFY_RECLAIM_AFTER_SECONDS", default=2 * EMAIL_TIMEOUT + 10
)
# A unit of an issued letter with no delivery row and no job waiting in the mail queue for
# this long lost its job with the broker's queue (Redis restarted empty): the sweep starts it.
NOTIFY_LOST_AFTER_SECONDS = env.int("NOTIFY_LOST_AFTER_SECONDS", default=90)
# The write that records e-mails the mail server accepted is retried on a new connection for
# this long when the database drops it; were it lost, the e-mails would go out again.
NOTIFY_RECORD_RETRY_SECONDS = env.int("NOTIFY_RECORD_RETRY_SECONDS", default=90)
# Reminders: working days before a deadline; overdue working days before the head is told.
REMINDER_DAYS_BEFORE = [int(n) for n in env.list("REMINDER_DAYS_BEFORE", default=["2", "1"])]
REMINDER_UNACKNOWLEDGED_DAYS = env.int("REMINDER_UNACKNOWLEDGED_DAYS", default=1)
ESCALATION_OVERDUE_DAYS = env.int("ESCALATION_OVERDUE_DAYS", default=3)
# The longest retry chain (sum of the capped waits) must stay shorter than the Redis visibility
# timeout below, or a late-acked retry could be handed to a second worker while still waiting.
NOTIFY_LONGEST_RETRY_SECONDS = longest_chain_seconds(
    NOTIFY_MAX_RETRIES, base=NOTIFY_RETRY_BASE_SECONDS, cap=NOTIFY_RETRY_MAX_SECONDS
)
if "visibility_timeout" in CELERY_BROKER_TRANSPORT_OPTIONS:
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = max(
        CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
        int(NOTIFY_LONGEST_RETRY_SECONDS) + 600,
    )
# A delivery e-mail carries the signed PDF up to this size, a download link above it.
NOTICE_ATTACH_MAX_BYTES = env.int("NOTICE_ATTACH_MAX_BYTES", default=EMAIL_ATTACHMENT_MAX_BYTES)
CELERY_TASK_ROUTES = {
    "directives.tasks.deliver_dispatch": {"queue": "mail"},
    "directives.tasks.deliver_dispatches": {"queue": "mail"},
    "directives.tasks.send_notification": {"queue": "mail"},
    "directives.tasks.deliver_directive": {"queue": "mail"},
    "directives.tasks.send_edxml": {"queue": "mail"},
    "directives.tasks.send_edxml_status": {"queue": "mail"},
}
# --- end of dispatch settings ---

# edXML exchange (QCVN 102:2016): the drop folders a gateway program reads and fills, and the
# limits on an incoming message (refused above them, nothing saved).
EDXML_OUTBOX_DIR = Path(env.str("EDXML_OUTBOX_DIR", default=str(VAR_DIR / "edxml" / "outbox")))
EDXML_INBOX_DIR = Path(env.str("EDXML_INBOX_DIR", default=str(VAR_DIR / "edxml" / "inbox")))
EDXML_MAX_BYTES = env.int("EDXML_MAX_BYTES", default=40 * 1024 * 1024)
EDXML_ATTACHMENT_MAX_BYTES = env.int("EDXML_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Another portal posts its messages to /exchange/edxml/ with this token (Authorization: Bearer);
# empty: the endpoint is off (404).
EDXML_PEER_TOKEN = env.str("EDXML_PEER_TOKEN", default="")
RATELIMIT_EDXML = env.str("RATELIMIT_EDXML", default="600/600")  # messages posted by a peer
# The other portal installations this one sends to over HTTPS, by OrganId, as JSON:
# {"000.00.00.G22": {"url": "https://portal.example.gov.vn/exchange/edxml/", "token": "..."}}.
# A message to an OrganId not listed goes to the drop folder (EDXML_OUTBOX_DIR).
EDXML_PEERS = env.json("EDXML_PEERS", default={})
EDXML_PEER_TIMEOUT = env.float("EDXML_PEER_TIMEOUT", default=30.0)  # seconds per post

# Digital signature (PAdES). A PKCS#12 file per issuing unit may live at
# SIGNING_P12_DIR/<UNIT CODE>.p12; otherwise SIGNING_P12 signs for every unit.
SIGNING_P12 = env.str("SIGNING_P12", default="")
SIGNING_P12_PASSWORD = env.str("SIGNING_P12_PASSWORD", default="")
SIGNING_P12_DIR = env.str("SIGNING_P12_DIR", default="")
SIGNING_TRUST_ROOTS = env.list("SIGNING_TRUST_ROOTS", default=[])
SIGNING_TSA_URL = env.str("SIGNING_TSA_URL", default="")
# Keys on tokens and remote services (documents/keys.py; per signer and unit in the admin):
# the default PKCS#11 module, CRL files (checked before signing, embedded as PAdES B-LT
# validation data by revocation.py), the remote service's client secret.
PKCS11_MODULE = env.str("PKCS11_MODULE", default="")
SIGNING_CRLS = env.list("SIGNING_CRLS", default=[])
SIGNING_REMOTE_CLIENT_SECRET = env.str("SIGNING_REMOTE_CLIENT_SECRET", default="")
DEV_PKI_DIR = VAR_DIR / "pki"
# Backups (`manage.py backup`, portal/backup.py): the folder of pg_dump and pg_restore when the
# ones on PATH are older than the server (e.g. /usr/lib/postgresql/15/bin).
PG_BIN_DIR = env.str("PG_BIN_DIR", default="")
# Signers' personal keys (PKCS#12, the password is the PIN entered at signing, never stored):
# SIGNER_P12_DIR/<username>.p12 with the certificate beside it as <username>.pem. In DEBUG
# without it, the development PKI's DEV_PKI_DIR/signers.
SIGNER_P12_DIR = env.str("SIGNER_P12_DIR", default="")
# The development token (`manage.py init_dev_pki` in DEBUG when SoftHSM2 is installed):
# DEV_PKI_DIR/token with its own softhsm2.conf, holding the demo's agency key and signers' keys.
# SoftHSM2 reads SOFTHSM2_CONF when its module is loaded, in the web process and the worker
# alike; the agency's key signs unattended with the PIN in DEV_TOKEN_PIN_ENV (the demo's
# documented PIN, README "Demo logins"). Never with DEBUG=False.
DEV_SOFTHSM2_MODULE = env.str("DEV_SOFTHSM2_MODULE", default="/usr/lib/softhsm/libsofthsm2.so")
DEV_TOKEN_PIN_ENV = "DEV_TOKEN_PIN"  # noqa: S105 - the name of a variable
if DEBUG and (DEV_PKI_DIR / "token" / "softhsm2.conf").is_file():
    os.environ.setdefault("SOFTHSM2_CONF", str(DEV_PKI_DIR / "token" / "softhsm2.conf"))
    os.environ.setdefault(DEV_TOKEN_PIN_ENV, "123456")

# The REST API (README "REST API"): personal tokens for programs, the session for the portal's
# own pages; every list paginated; token clients throttled per person.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "recipients.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["recipients.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_TOKEN_RATE", default="1200/hour")},
    "EXCEPTION_HANDLER": "directives.api.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Directive portal API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Send `Authorization: Bearer <token>` with a personal token made on your profile "
        "page (/recipients/profile/)."
    ),
    # Schema and docs for signed-in people only; Swagger UI and ReDoc from local files (the CSP).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DirectiveStatusEnum": "directives.models.Directive.Status",
        "AssignmentStatusEnum": "directives.models.Assignment.Status",
    },
}

# Content Security Policy: everything is served from the portal itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # No inline style but on the pages that show the letter's HTML in a srcdoc frame
        # (common.framing.letter_frame_styles: the draft and the directive's page).
        "style-src": ["'self'"],
        # The letter's bundled fonts (static/fonts), also from the preview's sandboxed frame,
        # which inherits this policy ('self' stays the portal) and fetches them with CORS.
        "font-src": ["'self'"],
        "script-src": ["'self'"],
        # PDF.js's worker (static/vendor/pdfjs), which draws the letter on phones.
        "worker-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        # No page is framed, elsewhere or here, but the PDFs the portal shows in its own pages
        # (portal.framing.pdf_frame: X-Frame-Options SAMEORIGIN and frame-ancestors 'self').
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
# HTTPS (README "Configuration"). nginx terminates TLS and says so in X-Forwarded-Proto.
# The tests speak plain HTTP to the test client: no redirect there unless they ask for it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG and not TESTING)
# The health probe of a load balancer or of systemd speaks plain HTTP to gunicorn directly.
SECURE_REDIRECT_EXEMPT = [r"^health/(web/)?$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Only once the domain is on the browsers' preload list (hstspreload.org); until then
# `check --deploy` warns (security.W021).
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A session ends after SESSION_COOKIE_AGE seconds without a request (8 hours: a working day).
# A signed-in user's session is saved again (its expiry and cookie pushed back) at most every
# SESSION_REFRESH_SECONDS (common.sessions.SessionRefreshMiddleware): Django's
# SESSION_SAVE_EVERY_REQUEST would write the session row on every page and every htmx poll.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
SESSION_SAVE_EVERY_REQUEST = False

# Logs (README "Logs"): one JSON object per line on stdout in production (python-json-logger),
# plain text with DEBUG; LOG_FORMAT=json|text chooses. Each line carries the request's id, path
# and user id, or the Celery task's name and id, when it was logged serving one (common/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "common.logs.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "timestamp": "time",  # ISO 8601, UTC
            "rename_fields": {"levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # Django's development server logs each request itself; the portal's line says more.
        "django.server": {"level": "WARNING"},
    },
}
# Celery leaves logging to Django's configuration above (portal/celery.py, setup_logging).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# The health endpoint /health/ (portal/health.py, django-health-check): the database, the cache,
# the media storage, Redis when it is the broker, and the Celery workers: every queue must have
# one that answers a ping within HEALTH_CELERY_TIMEOUT seconds. The probe stops waiting as soon
# as HEALTH_CELERY_WORKERS workers answered (set it to the number of workers of the installation;
# 0 waits for the whole timeout, which is never wrong). /health/web/ leaves the workers out.
HEALTH_CELERY_TIMEOUT = env.float("HEALTH_CELERY_TIMEOUT", default=2.0)
HEALTH_CELERY_WORKERS = env.int("HEALTH_CELERY_WORKERS", default=0)

for _sub in (
    "mail",
    "media",
    "celery/queue",
    "celery/processed",
    "celery/control",
    "pki",
    "staticfiles",
):
    (VAR_DIR / _sub).mkdir(parents=True, exist_ok=True)
