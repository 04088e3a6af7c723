"""Development: `make run`. DEBUG on, a throw-away SECRET_KEY when none is configured."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "insecure-local-development-key-only")

from .base import *  # noqa: E402,F403

ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost"]  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_AUTOREFRESH = True  # serve from the apps' static folders without collectstatic
# Webhooks: a bot under development may listen on http://localhost; a throw-away key when none is set.
WEBHOOKS_ALLOW_INSECURE_LOCALHOST = True
WEBHOOKS_SIGNING_KEY = WEBHOOKS_SIGNING_KEY or "insecure-local-webhook-signing-key"  # noqa: F405
