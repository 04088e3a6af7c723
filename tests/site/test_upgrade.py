"""Upgrade in place: a database at the previous release's last migrations, with rows in every table of ours,
migrates to the current head with nothing lost (models that moved between apps keep their tables and rows)."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from idempotency.models import IdempotencyKey

# The last migration of each app in the release before the layers (commit a04f39d); apps born since are at zero.
PREVIOUS_RELEASE = [
    ("callbot_site", "0002_bots_group"),
    ("interactions", "0002_database_cascades_and_view"),
    ("crm", "0002_database_cascades"),
    ("handoff", "0004_console_indexes_and_reminders"),
    ("analytics", "0004_daily_metrics_view_from_metrics"),
    ("berinia_sync", "0002_seed_field_mappings"),
    ("idempotency", None),
    ("accounts", None),
    ("webhooks", None),
]
OUR_APPS = ("idempotency", "interactions", "crm", "handoff", "analytics", "berinia_sync")


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def _head() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _our_tables(registry=apps) -> list[str]:
    """Our tables in a release (`registry`: its apps); tables born later are not the upgrade's business."""
    return sorted(
        model._meta.db_table
        for model in registry.get_models()
        if model._meta.app_label in OUR_APPS + ("callbot_site",) and model._meta.managed and not model._meta.proxy
    )


def _row_counts(tables) -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _a_row_in_every_table(old):
    """Rows written with the previous release's own models (its state), as its code would have written them."""

    def model(label):
        return old.get_model(*label.split("."))

    now = timezone.now()
    user = model("auth.User").objects.create(username="agent-then", is_staff=True)
    interaction = model("interactions.Interaction").objects.create(customer_id="C-1", channel="phone")
    model("interactions.ConversationMessage").objects.create(
        interaction=interaction, turn_number=1, speaker="customer", message="Bonjour"
    )
    model("interactions.ResponseLog").objects.create(interaction=interaction, response_text="Bonjour !")
    model("crm.Customer").objects.create(customer_id="C-1", name="Chloé Martin")
    model("crm.CrmAction").objects.create(
        interaction=interaction, customer_id="C-1", action_type="check_policy_status", success=True
    )
    queue = model("handoff.Queue").objects.create(name="claims")
    ticket = model("handoff.HandoffTicket").objects.create(
        interaction=interaction, customer_id="C-1", reason="dispute", queue=queue
    )
    model("handoff.AgentNotification").objects.create(
        ticket=ticket, agent=user, notification_type="new_ticket", message="New ticket"
    )
    model("handoff.TicketEvent").objects.create(ticket=ticket, action="created", to_status="queued")
    model("handoff.AgentProfile").objects.create(user=user, max_open_tickets=0)  # 0 then meant "queue default"
    model("analytics.AnalyticsMetric").objects.create(
        metric_date=now.date(), metric_type="interactions_total", metric_value=1, dimensions={}
    )
    model("analytics.ErasureRecord").objects.create(erased_by="dpo", rows={"customers": 1})
    run = model("berinia_sync.ExportRun").objects.create(origin="python", batch_size=100)
    model("berinia_sync.ExportRecord").objects.create(run=run, position=1, outcome="rejected", reason="no contact")
    model("berinia_sync.FieldMapping").objects.create(source_field="upgrade_probe", target="score_details")
    model("handoff.ResolutionReason").objects.get_or_create(code="upgrade-probe", defaults={"label": "Probe"})
    return model("callbot_site.IdempotencyKey").objects.create(
        client=user,
        key="k-1",
        request_fingerprint="0" * 64,
        method="POST",
        path="/api/v1/interactions/",
        response_status=201,
        response_body=b'{"interaction_id": "kept"}',
        created_at=now,
    )


@pytest.mark.django_db(transaction=True)
def test_the_previous_release_upgrades_in_place_with_every_row_kept():
    _migrate(PREVIOUS_RELEASE)
    try:
        old_nodes = [node for node in PREVIOUS_RELEASE if node[1] is not None]
        old_apps = MigrationExecutor(connection).loader.project_state(old_nodes).apps
        key = _a_row_in_every_table(old_apps)
        old_content_type = ContentType.objects.get(app_label="callbot_site", model="idempotencykey").pk
        before = _row_counts(_our_tables(old_apps))
        assert all(before.values()), f"give these tables a row: {[t for t, n in before.items() if not n]}"
    finally:
        _migrate(_head())

    assert _row_counts(before) == before
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
