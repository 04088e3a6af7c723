"""One delivery attempt: POST the signed event to the endpoint and record the outcome.

Run by the worker (webhooks/tasks.py), never in a request. No database transaction is held while
waiting for the bot's server; the job's procrastinate lock keeps two attempts of one delivery apart.
"""

import json
import logging
import time
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from . import addresses, selectors, signing
from .errors import DeliveryFailed
from .models import DeliveryStatus, WebhookDelivery

logger = logging.getLogger(__name__)
ERROR_MAX_LENGTH = WebhookDelivery._meta.get_field("last_error").max_length
USER_AGENT = "Callbot-Webhooks/1"


def body_of(event) -> bytes:
    """The JSON body: the same bytes at every attempt and replay of the event."""
    envelope = {
        "id": str(event.pk),
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True).encode()


def signing_secrets(endpoint, now) -> list[str]:
    """The current secret, and the previous one while its grace period lasts."""
    secrets = [signing.derive_secret(endpoint.pk, endpoint.secret_salt)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_salt and expires is not None and expires > now:
        secrets.append(signing.derive_secret(endpoint.pk, endpoint.previous_secret_salt))
    return secrets


def signed_headers(endpoint, event, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Callbot-Event": event.type,
        "X-Callbot-Event-Id": str(event.pk),
        "X-Callbot-Timestamp": timestamp,
        "X-Callbot-Signature": signing.signature_header(signing_secrets(endpoint, timezone.now()), timestamp, body),
    }


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    """(status code, error): the error is "" for a 2xx; never the response body (it may echo secrets)."""
    parts = urlsplit(url)
    refused = addresses.internal_resolution((parts.hostname or "").lower(), parts.port or 443)
    if refused:
        return None, refused[:ERROR_MAX_LENGTH]
    try:
        with httpx.Client(timeout=settings.WEBHOOKS_TIMEOUT_SECONDS, follow_redirects=False, trust_env=False) as client:
            response = client.post(url, content=body, headers=headers)
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        return None, f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    code = response.status_code
    if 200 <= code < 300:
        return code, ""
    if 300 <= code < 400:
        return code, f"HTTP {code}: redirects are not followed; register the final URL."
    return code, f"HTTP {code}"


def attempt_delivery(*, delivery_id: int, final: bool, retry_at=None) -> None:
    """Try once. Raises DeliveryFailed when it failed and may be retried (at `retry_at`).

    On the last attempt (`final`) a failure marks the delivery failed instead. A delivery that is no
    longer pending (delivered, failed, or gone with its endpoint) is left alone: a stale job is harmless.
    """
    delivery = selectors.delivery_for_attempt(delivery_id=delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return
    if delivery.endpoint.is_active:
        body = body_of(delivery.event)
        code, error = _post(delivery.endpoint.url, body, signed_headers(delivery.endpoint, delivery.event, body))
    else:
        code, error, final = None, "The endpoint is deactivated.", True
    now = timezone.now()
    changes = {"attempts": F("attempts") + 1, "last_status_code": code, "last_error": error, "last_attempt_at": now}
    if not error:
        changes.update(status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif final:
        changes.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        changes.update(next_attempt_at=retry_at)
    WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(**changes)
    logger.info(
        "webhook delivery %s of event %s: %s",
        delivery_id,
        delivery.event_id,
        "delivered" if not error else ("failed" if final else "will retry"),
        extra={"status_code": code},
    )
    if error and not final:
        raise DeliveryFailed(error)
