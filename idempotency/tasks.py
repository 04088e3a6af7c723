"""Jobs of the Idempotency-Key store (procrastinate; docs/deployment.md, "Background jobs")."""

from django.conf import settings
from django.db import InterfaceError, OperationalError
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from idempotency import services

DUTY = "idempotency.purge_expired_keys"


@app.periodic(cron=settings.BACKGROUND_JOB_SCHEDULES["purge_idempotency_keys"])
@app.task(
    lock=DUTY,
    queueing_lock=DUTY,
    # A lost connection is worth another try (5 s, 25 s, 125 s); a bug is not.
    retry=RetryStrategy(max_attempts=3, exponential_wait=5, retry_exceptions=[OperationalError, InterfaceError]),
)
def purge_expired_keys(timestamp: int) -> str:
    return f"{services.purge_expired_keys()} expired Idempotency-Key(s) deleted."
