"""Background job of the webhooks app: deliver one event to one endpoint, retried with exponential backoff.

The retry schedule comes from settings (WEBHOOKS_RETRY_*): by default 1 + 10 attempts, waiting
3, 9, 27 … 59049 s, the last about 24.6 h after the first. After that the delivery is `failed`.
"""

from django.conf import settings
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from . import delivery
from .errors import DeliveryFailed

QUEUE = "webhooks"
RETRY = RetryStrategy(
    max_attempts=settings.WEBHOOKS_RETRY_MAX_ATTEMPTS,
    wait=settings.WEBHOOKS_RETRY_WAIT_SECONDS,
    exponential_wait=settings.WEBHOOKS_RETRY_EXPONENTIAL_BASE,
    retry_exceptions=[DeliveryFailed],
)


@app.task(name="webhooks.deliver", queue=QUEUE, retry=RETRY, pass_context=True)
def deliver_webhook(context, delivery_id: int) -> None:
    job = context.job
    final = job.attempts >= RETRY.max_attempts  # job.attempts counts the earlier tries
    retry_at = None if final else RETRY.get_retry_decision(exception=DeliveryFailed(""), job=job).retry_at
    delivery.attempt_delivery(delivery_id=delivery_id, final=final, retry_at=retry_at)
