"""Production: everything from the environment, no default for any secret (see docs/deployment.md).

Required: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, BERINIA_DATABASE_URL. They are checked before
the shared settings load, so a missing one is named in one clear message — and the embedded
development database (.localdb/) can never be picked up by a production process.
"""

import logging
import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

REQUIRED_VARIABLES = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "BERINIA_DATABASE_URL", "WEBHOOKS_SIGNING_KEY")
environ.Env.read_env(Path(__file__).resolve().parent.parent.parent / ".env")
_missing = [name for name in REQUIRED_VARIABLES if not os.environ.get(name, "").strip()]
if _missing:
    raise ImproperlyConfigured(
        f"Production settings need the environment variable(s) {', '.join(_missing)} "
        "(DEBUG is off in production; see .env.example and docs/deployment.md)."
    )

from .base import *  # noqa: E402,F403
from .base import LOGGING, MIDDLEWARE, STATIC_ROOT, env  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
STATIC_ROOT = env.path("STATIC_ROOT", default=STATIC_ROOT)

# TLS ends at the load balancer, which sets X-Forwarded-Proto; everything else is redirected to https.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Webhooks go to https URLs only, never to plain http on this machine (webhooks/services.py).
WEBHOOKS_ALLOW_INSECURE_LOCALHOST = False

# Load balancers probe /healthz over plain HTTP with the instance address as Host: answer them
# before host validation and the https redirect (callbot_site.health.HealthCheckMiddleware).
MIDDLEWARE = ["callbot_site.health.HealthCheckMiddleware", *MIDDLEWARE]

# One JSON object per line; credentials and customer texts are masked before formatting.
LOGGING["formatters"]["json"] = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(levelname)s %(name)s %(message)s",
    "timestamp": True,  # ISO 8601 UTC, like gunicorn's lines (callbot_site/logging_gunicorn.py)
}
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="json")
LOGGING["filters"]["redact"] = {"()": "callbot_site.logging_filters.RedactSensitiveData"}
LOGGING["handlers"]["console"]["filters"] = ["quiet_job_registration", "redact"]
LOGGING["loggers"] = {
    # Django logs every 4xx/5xx with the request object; the filter keeps method and path only.
    "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
}
# Python warnings become log records too, so even they come out as JSON lines.
logging.captureWarnings(True)
