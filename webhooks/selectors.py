"""Reads of the webhooks app."""

import json

import psycopg
from django.conf import settings
from django.db import connection
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


# Runs inside every ticket move and claim, mostly to find nothing: written once, so no ORM query is compiled on
# the claim's hot path (docs/benchmarks.md, "Round two").
_WANTING_SQL = (
    f"SELECT id FROM {WebhookEndpoint._meta.db_table} WHERE is_active AND events @> %s::jsonb ORDER BY created_at, id"
)


def endpoints_wanting(*, event_type: str) -> list[WebhookEndpoint]:
    """The active endpoints that asked for this event type (their ids only: enough to queue deliveries).

    A psycopg cursor on Django's connection (so in the caller's transaction), the statement prepared: planned
    once per connection instead of at every claim, as the claim itself (handoff/services/claiming.py), and
    likewise not behind PgBouncer (transaction mode: the next transaction may get another server connection).
    """
    connection.ensure_connection()
    prepare = settings.DATABASE_POOLER != "pgbouncer"
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(_WANTING_SQL, [json.dumps([event_type])], prepare=prepare)
        return [WebhookEndpoint(pk=pk) for (pk,) in cursor.fetchall()]


def delivery_for_attempt(*, delivery_id) -> WebhookDelivery | None:
    return WebhookDelivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()
