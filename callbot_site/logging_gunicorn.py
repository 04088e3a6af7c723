"""gunicorn configuration for `make serve` / production: `gunicorn -c python:callbot_site.logging_gunicorn`.

Logs go to stdout as one JSON object per line, like Django's (settings/production.py), so one
log pipeline reads both. The access line holds method, path (no query string: it may carry
search terms), status, size and duration — never headers, so never an Authorization token.
Everything is tunable from the environment (see docs/deployment.md).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: measured faster than gthread here; 2 × cores + 1 is gunicorn's own advice.
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # "timestamp": ISO 8601 in UTC, the same in every process whatever its TIME_ZONE.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "timestamp": True,
        }
    },
    "filters": {"redact": {"()": "callbot_site.logging_filters.RedactSensitiveData"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["redact"],
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO"), "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
