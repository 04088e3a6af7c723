"""Settings shared by every environment; read from the environment and `.env` (django-environ)."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")
# Variables still unset fall back to the embedded cluster of `make run`/`make test`
# (scripts/localdb.py writes its URLs there); read_env never overrides what is set.
environ.Env.read_env(BASE_DIR / ".localdb" / "database.env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "procrastinate.contrib.django",
    "callbot_site",
    "console",
    "webhooks",
    "accounts",
    "idempotency",
    "interactions",
    "crm",
    "handoff",
    "analytics",
    "berinia_sync",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below; callbot_site/csp.py).
    "callbot_site.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL character in a URL, query or form is a 400 before any view or query (PostgreSQL refuses it).
    "core.middleware.RefuseNulMiddleware",
    # A lost database outside the API's views: a 503 page (or the API's error shape) with Retry-After, no 500.
    "callbot_site.unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Two-factor: request.user.is_verified(); supervisors, superusers and enrolled agents must pass the
    # TOTP step before any page or API call with their session (accounts/two_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.RequireTwoFactorMiddleware",
    # Every POST under /api/v1/ with an Idempotency-Key: one transaction, first response replayed.
    "idempotency.middleware.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes must come last: it turns lock-outs into a response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "callbot_site.urls"
WSGI_APPLICATION = "callbot_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "callbot_site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        **env.db("DATABASE_URL"),
        "CONN_MAX_AGE": env.int("CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
    },
    "berinia": {
        **env.db("BERINIA_DATABASE_URL"),
        "CONN_MAX_AGE": env.int("CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
    },
}

# --- Connection pooling (docs/deployment.md, "Connection pooling"; measured in docs/benchmarks.md) ---
# DATABASE_POOLER=pgbouncer: the URLs point at PgBouncer in transaction mode, where two transactions of one
# Django connection may run on two server connections, so no state may outlive a transaction: no prepared
# statement (procrastinate's worker connections take these OPTIONS too) and no WITH HOLD cursor
# (`.iterator()`). CONN_MAX_AGE stays: PgBouncer pools, the client link to it is kept.
# DATABASE_POOL=true: Django's psycopg pool in each process instead of CONN_MAX_AGE (which it requires at 0).
DATABASE_POOLER = env("DATABASE_POOLER", default="")
DATABASE_POOL = env.bool("DATABASE_POOL", default=False)
PREPARE_ONLY_MARKED_STATEMENTS = 2**31 - 1  # psycopg's prepare_threshold: never reached
if DATABASE_POOLER not in ("", "pgbouncer"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"DATABASE_POOLER={DATABASE_POOLER!r}: allowed are 'pgbouncer' or empty (direct).")
for _database in DATABASES.values():
    _database.setdefault("OPTIONS", {})
    if DATABASE_POOLER == "pgbouncer":
        _database["OPTIONS"]["prepare_threshold"] = None
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        # Direct: a statement the code marks `prepare=True` (the claim, handoff/services/claiming.py) is planned once
        # per connection; Django's own queries are never prepared (no connection runs one this often). Django's
        # default (None) would turn `prepare=True` off as well.
        _database["OPTIONS"].setdefault("prepare_threshold", PREPARE_ONLY_MARKED_STATEMENTS)
    if DATABASE_POOL:
        _database["CONN_MAX_AGE"] = 0
        _database["OPTIONS"]["pool"] = {
            "min_size": 1,
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
            "timeout": 10,  # waiting longer for a connection: OperationalError, a 503 like an outage
        }
# --- end of Connection pooling ---
DATABASE_ROUTERS = ["core.routers.BeriniaRouter"]

# --- Read replica (core/replica.py; docs/deployment.md, "Read replica") ---
# With REPLICA_DATABASE_URL, the dashboard, /api/v1/metrics/… and the escalation reports read from a streaming
# replica; the console, every write and every read inside a transaction stay on the primary. A replica that
# refuses connections or lags more than REPLICA_MAX_LAG_SECONDS (0: never checked) is left alone for
# REPLICA_RETRY_SECONDS and those reads go to the primary.
REPLICA_CONNECT_TIMEOUT_SECONDS = env.int("REPLICA_CONNECT_TIMEOUT_SECONDS", default=2)  # libpq's minimum is 2
REPLICA_RETRY_SECONDS = env.int("REPLICA_RETRY_SECONDS", default=30)
REPLICA_MAX_LAG_SECONDS = env.int("REPLICA_MAX_LAG_SECONDS", default=30)
REPLICA_LAG_CHECK_SECONDS = env.int("REPLICA_LAG_CHECK_SECONDS", default=5)  # per process, at most this often
if env("REPLICA_DATABASE_URL", default=""):
    _replica = env.db("REPLICA_DATABASE_URL")
    # The primary's connection choices (persistence, pooler options) apply to the replica as well, with a short
    # connect timeout: a replica that is down must cost a request little before it reads from the primary.
    _replica_options = {**DATABASES["default"].get("OPTIONS", {}), **_replica.get("OPTIONS", {})}
    _replica_options["connect_timeout"] = REPLICA_CONNECT_TIMEOUT_SECONDS
    if isinstance(_replica_options.get("pool"), dict):
        _replica_options["pool"] = {**_replica_options["pool"], "timeout": REPLICA_CONNECT_TIMEOUT_SECONDS}
    DATABASES["replica"] = {
        **_replica,
        "OPTIONS": _replica_options,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False),
        "CONN_HEALTH_CHECKS": True,
        # Tests: the alias reads the default test database (a real replica of the test cluster has it too).
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = [*DATABASE_ROUTERS, "core.replica.ReplicaRouter"]
# --- end of Read replica ---
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Where `manage.py backup_db` writes dumps when given no path (git-ignored inside the checkout).
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Session rows are keyed by a hash of the cookie value: a dump of the table logs nobody in (core/sessions.py).
SESSION_ENGINE = "core.sessions"
# Agents work a day-long shift in the console; a session does not outlive it.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=10 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Password guessing on the admin login: lock the username+IP after 5 failures for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client address is REMOTE_ADDR, or — only when REMOTE_ADDR is one of these proxies (addresses or
# CIDR networks, e.g. the load balancer's subnet) — the rightmost untrusted X-Forwarded-For hop
# (callbot_site/client_ip.py; docs/deployment.md, "Behind a load balancer"). Empty: no proxy is believed.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "callbot_site.client_ip.client_ip"
# The lock-out answer (429): the console's page with the time left and what to do (callbot_site/lockout.py).
AXES_LOCKOUT_CALLABLE = "callbot_site.lockout.lockout_response"

# Content-Security-Policy (django-csp): scripts, styles, fonts and requests from this origin only; no
# inline script or style (a template that needs one takes `request.csp_nonce`, which adds the nonce to
# that response only); never framed, no plugins, forms post here. Exceptions per URL name, in
# callbot_site/csp.py, for Redoc (its own injected styles). docs/deployment.md, "Content-Security-Policy".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Two-factor authentication (django-otp, TOTP + single-use recovery codes): accounts/two_factor.py.
OTP_TOTP_ISSUER = "Callbot console"

# API tokens (accounts.ApiToken): stored as SHA-256 digests, shown once (docs/api.md, "Getting a token").
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=365)  # 0: tokens never expire
API_TOKEN_ROTATION_GRACE = timedelta(hours=env.int("API_TOKEN_ROTATION_GRACE_HOURS", default=24))
API_TOKEN_LAST_USED_EVERY = timedelta(minutes=1)  # at most one last-used write per token and minute

# Hostile-input bounds (docs/api.md, "Limits"): a JSON body over API_MAX_BODY_BYTES is a 413, one nested
# deeper than API_MAX_JSON_DEPTH a 400, both before parsing. A turn body is 1-2 KB and a few levels deep.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)
# Web requests only (callbot_site/wsgi.py): a statement running longer is cancelled and the API answers 503,
# before gunicorn's 30 s worker timeout would kill the worker without an answer. 0: no bound.
STATEMENT_TIMEOUT_MS = env.int("STATEMENT_TIMEOUT_MS", default=25_000)

# Webhooks to the bots (webhooks/; docs/api.md, "Webhooks"). Secrets derive from WEBHOOKS_SIGNING_KEY, a
# dedicated key kept out of the database (webhooks/signing.py): required wherever events are delivered.
WEBHOOKS_SIGNING_KEY = env("WEBHOOKS_SIGNING_KEY", default="")
WEBHOOKS_ALLOW_INSECURE_LOCALHOST = env.bool("WEBHOOKS_ALLOW_INSECURE_LOCALHOST", default=False)
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=5.0)
WEBHOOKS_SECRET_ROTATION_GRACE = timedelta(hours=env.int("WEBHOOKS_SECRET_ROTATION_GRACE_HOURS", default=24))
# Retries (procrastinate RetryStrategy): wait WAIT + BASE ** n seconds before retry n; by default 10
# retries at 3 s, 9 s … 16.4 h, the last one about 24.6 h after the first attempt.
WEBHOOKS_RETRY_MAX_ATTEMPTS = env.int("WEBHOOKS_RETRY_MAX_ATTEMPTS", default=10)
WEBHOOKS_RETRY_WAIT_SECONDS = env.int("WEBHOOKS_RETRY_WAIT_SECONDS", default=0)
WEBHOOKS_RETRY_EXPONENTIAL_BASE = env.int("WEBHOOKS_RETRY_EXPONENTIAL_BASE", default=3)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Bots, agents and supervisors; views that need a narrower role say so (docs/api.md).
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.IsCallbotClient"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "core.api.renderers.BrowsableApiRenderer",
    ],
    # JSONParser bounded by API_MAX_BODY_BYTES (413) and API_MAX_JSON_DEPTH (400) before json.loads.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.BoundedJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.CallbotAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    # Per client account: a burst window and a sustained one (docs/api.md, "Throttling").
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.ClientBurstThrottle",
        "core.api.throttling.ClientSustainedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "client_burst": env("API_THROTTLE_BURST_RATE", default="100/s"),
        "client_sustained": env("API_THROTTLE_RATE", default="6000/min"),
        "user": env("API_THROTTLE_RATE", default="6000/min"),
    },
    "EXCEPTION_HANDLER": "core.api.exceptions.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Callbot back-office API",
    "DESCRIPTION": "Service API used by the callbot's agents and by human agents.",
    "VERSION": "1.0.0",
    # 3.1: full JSON Schema, so that limits the server enforces can be declared (propertyNames: no NUL in keys).
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from the installed drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Error responses, Idempotency-Key and throttling are the same on every operation: declared once.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_common_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "interactions.models.Urgency",  # urgency and ticket priority: low, medium, high
        "InteractionStatusEnum": "interactions.models.InteractionStatus",
        "TicketStatusEnum": "handoff.models.TicketStatus",
    },
}

# --- Handoff packet (handoff/packet.py; docs/api.md, "Handoff packet") ---
# The CRM selector that lists an interaction's CRM actions: `handoff` may not import `crm`, so the shell
# names it here; a packet's actions_done must be actions of the ticket's interaction.
HANDOFF_PACKET_CRM_ACTIONS_OF_INTERACTION = "crm.selectors.crm_actions_of_interaction"
# A promise due within this many minutes gets one reminder, and one more once it is overdue.
HANDOFF_PROMISE_REMINDER_MINUTES = 15
# --- end of Handoff packet ---

# Throttle counters live in the cache: per process by default; production shares one across
# workers and servers, e.g. CACHE_URL=dbcache://callbot_cache (then `manage.py createcachetable`).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Background jobs (procrastinate, on the default database; docs/deployment.md, "Background jobs") ---
# `manage.py procrastinate worker` (`make worker`) runs them; `make run` starts one beside runserver.
# Cron lines are in UTC (procrastinate's scheduler). The tasks live in <app>/tasks.py.
BACKGROUND_JOB_SCHEDULES = {
    "ticket_reminders": "* * * * *",  # handoff: reminders and take-back of forgotten tickets
    "daily_metrics": "15 0 * * *",  # analytics: recompute yesterday, once the day is over everywhere in Europe
    # analytics: every past day with interactions and no stored metrics. A starting worker defers the last
    # slot of each schedule if it is under 10 minutes old, so a cadence under 10 minutes also runs it at start.
    "metrics_catch_up": "*/5 * * * *",
    "purge_old_data": "30 2 * * *",  # analytics: retention purge (DATA_RETENTION_DAYS)
    "purge_idempotency_keys": "10 * * * *",  # idempotency: keys past their 24 h
    "retry_stalled_jobs": "* * * * *",  # jobs whose worker died (no heartbeat) run again
    "remove_old_jobs": "45 3 * * *",  # finished jobs older than JOBS_KEEP_FINISHED_HOURS; failed ones stay
    "escalate_overdue_proposals": "* * * * *",  # crm: approvals past their SLA escalate to the supervisors
    "sweep_dead_export_runs": "* * * * *",  # berinia_sync: runs whose process died become `interrupted`
}
# A queued lead export (berinia_sync/tasks.py): Berinia unreachable → retried with an exponential backoff,
# 4 s × 4^n, BERINIA_EXPORT_MAX_ATTEMPTS times; a run silent for BERINIA_EXPORT_STALE_SECONDS is swept.
BERINIA_EXPORT_MAX_ATTEMPTS = env.int("BERINIA_EXPORT_MAX_ATTEMPTS", default=6)
BERINIA_EXPORT_BACKOFF_SECONDS = env.int("BERINIA_EXPORT_BACKOFF_SECONDS", default=4)
BERINIA_EXPORT_STALE_SECONDS = env.int("BERINIA_EXPORT_STALE_SECONDS", default=600)
DATA_RETENTION_DAYS = env.int("DATA_RETENTION_DAYS", default=90)
# A worker writes a heartbeat every 10 s; a job whose worker has been silent for JOBS_STALLED_AFTER_SECONDS
# is retried by `retry_stalled_jobs` (callbot_site/tasks.py). Two jobs at once per worker, so a long purge
# does not hold up the minute duties.
PROCRASTINATE_WORKER_DEFAULTS = {"concurrency": 2, "update_heartbeat_interval": 10, "stalled_worker_timeout": 60}
# Workers record each failed attempt with its error: admin › "Job failures" (callbot_site/job_failures.py).
PROCRASTINATE_ON_APP_READY = "callbot_site.job_failures.install"
JOBS_STALLED_AFTER_SECONDS = 60
# Kept longer than the longest cadence (a day): the latest run of each schedule must stay (its slot record).
JOBS_KEEP_FINISHED_HOURS = 72
# --- end of Background jobs ---

# --- Approvals of risky CRM actions (crm/approval_rules.py; docs/api.md, "Approvals") ---
# How many pending proposals one agent may hold at once (claim next refuses beyond).
APPROVALS_AGENT_CAPACITY = env.int("APPROVALS_AGENT_CAPACITY", default=5)
# --- end of Approvals ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"quiet_job_registration": {"()": "callbot_site.logging_filters.QuietJobRegistration"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="plain"),
            "filters": ["quiet_job_registration"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
