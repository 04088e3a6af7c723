"""Per-client throttling: a runaway bot gets 429 with Retry-After instead of taking the database down.

Rates are settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], from the environment): a short burst
window and a sustained one, both per authenticated account. Counters live in the default cache:
with several app servers, point CACHES at a shared cache so the limits are per client, not per process.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle


class _ClientThrottle(UserRateThrottle):
    def get_rate(self):
        # Read at call time (DRF binds THROTTLE_RATES at import), so settings overrides apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class ClientBurstThrottle(_ClientThrottle):
    scope = "client_burst"


class ClientSustainedThrottle(_ClientThrottle):
    scope = "client_sustained"
