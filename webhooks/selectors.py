"""Reads of the webhooks app."""

from django.db.models import QuerySet

from core.errors import get_or_not_found

from .models import WebhookDelivery, WebhookEndpoint


def endpoints_of(*, client) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(client=client).order_by("created_at", "id")


def endpoint_of(*, client, endpoint_id, for_update: bool = False) -> WebhookEndpoint:
    """One of the client's endpoints; another client's id answers like an unknown one (404)."""
    queryset = endpoints_of(client=client)
    if for_update:
        queryset = queryset.select_for_update(no_key=True)
    return get_or_not_found(queryset, "Webhook endpoint", pk=endpoint_id)


def endpoints_wanting(*, event_type: str) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(is_active=True, events__contains=[event_type]).only("pk")


def delivery_for_attempt(*, delivery_id) -> WebhookDelivery | None:
    return WebhookDelivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()
