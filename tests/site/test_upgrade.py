"""Upgrade in place: a database at the previous release's last migrations, with rows in every table of ours,
migrates to the current head with nothing lost (models that moved between apps keep their tables and rows)."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from berinia_sync.models import ExportRecord, Outcome
from idempotency.models import IdempotencyKey
from tests.analytics.factories import AnalyticsMetricFactory, ErasureRecordFactory
from tests.api.factories import IdempotencyKeyFactory
from tests.berinia_sync.factories import ExportRunFactory, FieldMappingFactory
from tests.crm.factories import CrmActionFactory, CustomerFactory
from tests.handoff.factories import (
    AgentNotificationFactory,
    AgentProfileFactory,
    HandoffTicketFactory,
    TicketEventFactory,
)
from tests.interactions.factories import ConversationMessageFactory, ResponseLogFactory

# The last migration of each app in the release before the layers (commit a04f39d); apps born since are at zero.
PREVIOUS_RELEASE = [
    ("callbot_site", "0002_bots_group"),
    ("interactions", "0002_database_cascades_and_view"),
    ("crm", "0002_database_cascades"),
    ("handoff", "0004_console_indexes_and_reminders"),
    ("analytics", "0004_daily_metrics_view_from_metrics"),
    ("berinia_sync", "0002_seed_field_mappings"),
    ("idempotency", None),
]
OUR_APPS = ("idempotency", "interactions", "crm", "handoff", "analytics", "berinia_sync")


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def _head() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _our_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.managed and not model._meta.proxy
    )


def _row_counts(tables) -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _a_row_in_every_table():
    ticket = HandoffTicketFactory()
    ConversationMessageFactory(interaction=ticket.interaction)
    ResponseLogFactory(interaction=ticket.interaction)
    CustomerFactory()
    CrmActionFactory(interaction=ticket.interaction)
    AgentNotificationFactory(ticket=ticket)
    TicketEventFactory(ticket=ticket)
    AgentProfileFactory(max_open_tickets=0)  # before the layers, 0 meant "the queue's default"
    AnalyticsMetricFactory()
    ErasureRecordFactory()
    run = ExportRunFactory()
    ExportRecord.objects.create(run=run, position=1, outcome=Outcome.REJECTED, reason="no contact")
    FieldMappingFactory()
    return IdempotencyKeyFactory(response_body=b'{"interaction_id": "kept"}', created_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_the_previous_release_upgrades_in_place_with_every_row_kept():
    _migrate(PREVIOUS_RELEASE)
    try:
        key = _a_row_in_every_table()
        old_content_type = ContentType.objects.get(app_label="callbot_site", model="idempotencykey").pk
        before = _row_counts(_our_tables())
        assert all(before.values()), f"give these tables a row: {[t for t, n in before.items() if not n]}"
    finally:
        _migrate(_head())

    assert _row_counts(_our_tables()) == before
    moved = IdempotencyKey.objects.get(pk=key.pk)
    assert (moved.key, bytes(moved.response_body), moved.client_id) == (
        key.key,
        b'{"interaction_id": "kept"}',
        key.client_id,
    )
    assert ContentType.objects.get_for_model(IdempotencyKey).pk == old_content_type
    assert not ContentType.objects.filter(app_label="callbot_site", model="idempotencykey").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM handoff_agent_profiles WHERE max_open_tickets = 0")
        assert cursor.fetchone()[0] == 0  # one meaning left: NULL is the queue's default
