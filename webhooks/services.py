"""Writes of the webhooks app: bots' endpoints and their secrets, events into the outbox, replays."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from procrastinate.exceptions import AlreadyEnqueued

from accounts.roles import is_bot
from core.errors import InvalidInput, PermissionRefused

from . import addresses, selectors, signing
from .models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .tasks import deliver_webhook

URL_MAX_LENGTH = WebhookEndpoint._meta.get_field("url").max_length
_url_syntax = URLValidator(schemes=["http", "https"])


def _url_rule() -> str:
    if settings.WEBHOOKS_ALLOW_INSECURE_LOCALHOST:
        return "allowed: an https:// URL, or http://localhost or http://127.0.0.1 (development only)"
    return "allowed: an https:// URL"


def validate_url(url) -> str:
    """An absolute https URL without credentials; plain http only to this machine, and only when allowed."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput.for_field("url", "This field is required and may not be blank.")
    if len(url) > URL_MAX_LENGTH:
        raise InvalidInput.for_field("url", f"At most {URL_MAX_LENGTH} characters.")
    try:
        _url_syntax(url)
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except (ValidationError, ValueError):
        raise InvalidInput.for_field("url", f"'{url}' is not a valid URL; {_url_rule()}.") from None
    if parts.username is not None or parts.password is not None:
        raise InvalidInput.for_field("url", "Credentials in the URL are not allowed; the signature authenticates us.")
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    local_ok = addresses.local_allowed(host)
    if scheme != "https" and not (scheme == "http" and local_ok):
        raise InvalidInput.for_field("url", f"'{scheme}://{host}' is not allowed; {_url_rule()}.")
    if not local_ok and addresses.is_internal_literal(host):
        raise InvalidInput.for_field("url", f"'{host}' is an internal address; allowed: a public host name or address.")
    return url


def validate_events(events) -> list[str]:
    allowed = ", ".join(EventType.values)
    if not isinstance(events, list | tuple) or not events:
        raise InvalidInput.for_field("events", f"Give at least one event type; allowed: {allowed}.")
    for event_type in events:
        if event_type not in EventType.values:
            raise InvalidInput.for_field("events", f"'{event_type}' is not allowed; allowed: {allowed}.")
    return sorted(set(events), key=EventType.values.index)


def _require_bot(client) -> None:
    if not is_bot(client):
        raise PermissionRefused("Only bot clients have webhook endpoints.")


def create_endpoint(*, client, url: str, events: list[str], description: str = "") -> tuple[WebhookEndpoint, str]:
    """A new endpoint of a bot client and its signing secret (shown to the client this once)."""
    _require_bot(client)
    endpoint = WebhookEndpoint.objects.create(
        client=client,
        url=validate_url(url),
        events=validate_events(events),
        description=description,
        secret_salt=signing.new_salt(),
    )
    return endpoint, signing.derive_secret(endpoint.pk, endpoint.secret_salt)


_UNSET = object()


@transaction.atomic
def update_endpoint(*, client, endpoint_id, url=_UNSET, events=_UNSET, description=_UNSET, is_active=_UNSET):
    """Change what is given; a bot reaches only its own endpoints (another's id is a 404)."""
    endpoint = selectors.endpoint_of(client=client, endpoint_id=endpoint_id, for_update=True)
    changes = {
        "url": validate_url(url) if url is not _UNSET else _UNSET,
        "events": validate_events(events) if events is not _UNSET else _UNSET,
        "description": description,
        "is_active": is_active,
    }
    fields = [name for name, value in changes.items() if value is not _UNSET]
    for name in fields:
        setattr(endpoint, name, changes[name])
    endpoint.save(update_fields=[*fields, "updated_at"])
    return endpoint


def delete_endpoint(*, client, endpoint_id) -> None:
    """Remove an endpoint with its delivery log; pending deliveries to it are dropped."""
    selectors.endpoint_of(client=client, endpoint_id=endpoint_id).delete()


@transaction.atomic
def rotate_secret(*, endpoint_id, client=None) -> tuple[WebhookEndpoint, str]:
    """A new secret; the current one keeps signing too until WEBHOOKS_SECRET_ROTATION_GRACE has passed.

    Rotating again within the grace period drops the oldest secret: at most two ever sign.
    `client=None` is the admin's rotation (any endpoint); a bot passes itself.
    """
    if client is None:
        endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint_id)
    else:
        endpoint = selectors.endpoint_of(client=client, endpoint_id=endpoint_id, for_update=True)
    now = timezone.now()
    endpoint.previous_secret_salt = endpoint.secret_salt
    endpoint.previous_secret_expires_at = now + settings.WEBHOOKS_SECRET_ROTATION_GRACE
    endpoint.secret_salt = signing.new_salt()
    endpoint.secret_rotated_at = now
    endpoint.save(
        update_fields=[
            "previous_secret_salt",
            "previous_secret_expires_at",
            "secret_salt",
            "secret_rotated_at",
            "updated_at",
        ]
    )
    return endpoint, signing.derive_secret(endpoint.pk, endpoint.secret_salt)


def _defer_delivery(delivery_id: int, *, may_be_queued: bool = False) -> bool:
    """Queue the delivery job; False when one is already queued for it (a replay of a pending delivery).

    Deferred through Django's connection (procrastinate's DjangoConnector), so the job row belongs to
    the caller's transaction: it exists if and only if the event and delivery rows were committed,
    and no worker sees it before the commit. That is the outbox without a separate relay.
    """
    job = deliver_webhook.configure(lock=f"webhook-delivery-{delivery_id}", queueing_lock=f"webhook-{delivery_id}")
    if not may_be_queued:
        job.defer(delivery_id=delivery_id)
        return True
    try:
        with transaction.atomic():  # a savepoint: a queueing-lock clash must not abort the caller's transaction
            job.defer(delivery_id=delivery_id)
    except AlreadyEnqueued:
        return False
    return True


def emit_event(*, event_type: str, payload: dict) -> WebhookEvent | None:
    """Record an event and a pending delivery per active endpoint that wants it, and queue their jobs.

    Called inside the transaction that made the change (the signal receivers), so the change, the
    event and its deliveries commit or roll back together: at least once, never for a change that
    did not happen. With no endpoint wanting the type, nothing is written.
    """
    endpoints = list(selectors.endpoints_wanting(event_type=event_type))
    if not endpoints:
        return None  # one query, no savepoint: the common case costs the ticket services little
    with transaction.atomic():
        event = WebhookEvent.objects.create(type=event_type, payload=payload)
        now = timezone.now()
        deliveries = WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=now) for endpoint in endpoints]
        )
        for delivery in deliveries:
            _defer_delivery(delivery.pk)
    return event


@transaction.atomic
def replay_deliveries(*, delivery_ids) -> int:
    """Send the deliveries again (same event id, same body): back to pending and queued once more.

    A delivery already waiting for its next try keeps its queued job; it is counted all the same.
    """
    ids = list(
        WebhookDelivery.objects.select_for_update(no_key=True).filter(pk__in=delivery_ids).values_list("pk", flat=True)
    )
    WebhookDelivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), delivered_at=None
    )
    for delivery_id in ids:
        _defer_delivery(delivery_id, may_be_queued=True)
    return len(ids)
