"""Settings of the benchmark runs: the product's settings on the bench databases, with bench URLs.

Only what a load test needs differs from production: the URLconf adds the baseline endpoint,
and throttle rates are raised so that 8 clients at full speed are measured, not throttled
(throttling itself still runs, for the product's endpoint and the baseline alike).
"""

import os
import warnings

os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

from callbot_site.settings.base import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.urls"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {  # noqa: F405
    scope: "100000000/min"
    for scope in REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})  # noqa: F405
}
LOGGING["root"]["level"] = "ERROR"  # noqa: F405
# No collectstatic for a load test: WhiteNoise's warning about the missing STATIC_ROOT is noise here.
warnings.filterwarnings("ignore", message="No directory at")
