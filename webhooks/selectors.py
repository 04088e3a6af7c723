"""Reads of the webhooks app."""

import json

from django.db.models import QuerySet

from core import prepared_sql
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


# Runs inside every ticket move and claim, mostly to find nothing: written once, so no ORM query is compiled on
# the claim's hot path (docs/benchmarks.md, "Round two").
_WANTING_SQL = (
    f"SELECT id FROM {WebhookEndpoint._meta.db_table} WHERE is_active AND events @> %s::jsonb ORDER BY created_at, id"
)


def endpoints_wanting(*, event_type: str) -> list[WebhookEndpoint]:
    """The active endpoints that asked for this event type (their ids only: enough to queue deliveries).

    Run at every claim and ticket move: prepared, like the claim itself, where the connection allows it.
    """
    return [WebhookEndpoint(pk=pk) for (pk,) in prepared_sql.select(_WANTING_SQL, [json.dumps([event_type])])]


def delivery_for_attempt(*, delivery_id) -> WebhookDelivery | None:
    return WebhookDelivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()
