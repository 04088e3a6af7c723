"""pytest: always PostgreSQL; plain static storage; fast password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-test-key")

from .base import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_AUTOREFRESH = True  # serve from the apps' static folders; no collectstatic before tests
# Parallel runs on one cluster (several checkouts, several developers) need distinct test databases.
_suffix = os.environ.get("TEST_DB_SUFFIX", "")
DATABASES["default"]["TEST"] = {"NAME": f"test_callbot{_suffix}"}  # noqa: F405
DATABASES["berinia"]["TEST"] = {"NAME": f"test_berinia{_suffix}"}  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {  # noqa: F405
    "client_burst": "100000/s",
    "client_sustained": "1000000/min",
    "user": "100000/min",
}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Webhooks: the tests' receivers listen on 127.0.0.1 over plain http; a fixed key for the derived secrets.
WEBHOOKS_ALLOW_INSECURE_LOCALHOST = True
WEBHOOKS_SIGNING_KEY = WEBHOOKS_SIGNING_KEY or "insecure-test-webhook-signing-key"  # noqa: F405
