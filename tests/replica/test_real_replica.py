"""SLOW: a real streaming replica (tests/replica/standby.py) proves which reads go where.

The replica's replay is paused before a marker is written on the primary: the heavy faces (dashboard,
metrics API, escalation CSV) answer with the replica's older figures, while the console, the API's
writes and their read-backs, and reads inside a transaction answer from the primary. A replica that
stops, lags or fails mid-call leaves the pages answering from the primary.
"""

import contextlib
import logging
import time

import pytest
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from core.replica import REPLICA_ALIAS, reads_from_replica
from interactions.models import Interaction
from tests.accounts.two_factor_factories import force_login
from tests.api.conftest import token_client
from tests.api.factories import BotFactory
from tests.handoff.factories import HandoffTicketFactory, QueueFactory
from tests.interactions.factories import InteractionFactory
from tests.replica.conftest import REPLICA_PASSWORD

DASHBOARD_URL = "/admin/analytics/dashboard/"
TODAY_URL = "/api/v1/metrics/today/"

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA_ALIAS]),
    pytest.mark.timeout(300),
    pytest.mark.slow,  # a base backup and a standby: started first, on a worker of its own
]


@contextlib.contextmanager
def statements_per_alias():
    """The SQL each alias runs in the block (Django's execute wrappers: every ORM and cursor statement)."""
    seen = {"default": [], REPLICA_ALIAS: []}

    def recorder(alias):
        def record(execute, sql, params, many, context):
            seen[alias].append(sql)
            return execute(sql, params, many, context)

        return record

    with (
        connections["default"].execute_wrapper(recorder("default")),
        connections[REPLICA_ALIAS].execute_wrapper(recorder(REPLICA_ALIAS)),
    ):
        yield seen


def reads(statements: list[str], table: str) -> bool:
    return any(f'"{table}"' in sql or f" {table} " in sql or f" {table}\n" in sql for sql in statements)


def is_heavy(sql: str) -> bool:
    """A read of the interactions or tickets tables that is not the console header's own (agent_notifications)."""
    return (reads([sql], "interactions") or reads([sql], "handoff_tickets")) and "agent_notifications" not in sql


def test_heavy_reads_come_from_the_replica_and_everything_else_from_the_primary(replica, client, agent):
    InteractionFactory.create_batch(2)
    replica.wait_caught_up()
    replica.pause_replay()
    # From here on the primary moves on alone: one more interaction, with a queued ticket.
    marker = HandoffTicketFactory(queue=QueueFactory(name="after-the-pause"), customer_id="C-MARKER")
    agent_api = token_client(agent)  # tokens and sessions exist on the primary only
    bot_api = token_client(BotFactory())
    force_login(client, agent)

    with statements_per_alias() as seen:
        today = agent_api.get(TODAY_URL)
        dashboard = client.get(DASHBOARD_URL)
        day = timezone.localdate().isoformat()
        csv = client.get(f"{DASHBOARD_URL}escalations/first-touch.csv?date_from={day}&date_to={day}")
    assert today.status_code == 200 and dashboard.status_code == 200 and csv.status_code == 200
    assert today.json()["total_interactions"] == 2 and today.json()["tickets_waiting"] == 0  # the replica's data
    assert dashboard.context["figures"]["total"] == 2 and "after-the-pause" not in dashboard.content.decode()
    assert "after-the-pause" not in csv.content.decode()
    assert reads(seen[REPLICA_ALIAS], "interactions") and reads(seen[REPLICA_ALIAS], "handoff_tickets")
    # Only the console's header stays on the primary there: the agent's own inbox and held tickets.
    assert [sql for sql in seen["default"] if is_heavy(sql)] == []

    # The console and the API's own reads: the primary, with the marker.
    with statements_per_alias() as seen:
        ticket_page = client.get(reverse("admin:handoff_handoffticket_change", args=[marker.pk]))
        created = bot_api.post("/api/v1/interactions/", {"customer_id": "C-RYW", "channel": "chat"}, format="json")
        read_back = bot_api.get(f"/api/v1/interactions/{created.json()['interaction_id']}/")
    assert ticket_page.status_code == 200 and "C-MARKER" in ticket_page.content.decode()
    assert created.status_code == 201 and read_back.status_code == 200
    assert read_back.json()["customer_id"] == "C-RYW"
    assert seen[REPLICA_ALIAS] == []

    replica.resume_replay()
    replica.wait_caught_up()
    caught_up = agent_api.get(TODAY_URL).json()
    assert caught_up["total_interactions"] == 4 and caught_up["tickets_waiting"] == 1


def test_reads_in_a_transaction_and_writes_of_what_was_read_stay_on_the_primary(replica):
    interaction = InteractionFactory(intent="before")
    replica.wait_caught_up()
    replica.pause_replay()
    InteractionFactory()

    with reads_from_replica():
        assert Interaction.objects.count() == 1  # the replica
        read_there = Interaction.objects.get(pk=interaction.pk)
        assert read_there._state.db == REPLICA_ALIAS
        read_there.intent = "after"
        read_there.save(update_fields=["intent"])  # the replica is read-only: the router sends it to the primary
        with transaction.atomic():
            assert Interaction.objects.count() == 2  # a transaction sees the primary

    assert read_there._state.db == "default"
    assert Interaction.objects.get(pk=interaction.pk).intent == "after"
    with reads_from_replica():
        assert Interaction.objects.get(pk=interaction.pk).intent == "before"  # replay is still paused


def test_a_stopped_replica_falls_back_to_the_primary_with_one_warning(replica, client, agent, settings, caplog):
    InteractionFactory()
    replica.wait_caught_up()
    force_login(client, agent)
    with statements_per_alias() as seen:
        assert client.get(DASHBOARD_URL).status_code == 200
    assert reads(seen[REPLICA_ALIAS], "interactions")  # a persistent connection to the replica is open
    replica.pause_replay()
    InteractionFactory()  # on the primary only
    replica.stop()
    caplog.set_level(logging.INFO, logger="core.replica")

    for _ in range(2):
        with statements_per_alias() as seen:
            response = client.get(DASHBOARD_URL)
        assert response.status_code == 200
        assert response.context["figures"]["total"] == 2  # the primary's figures
        assert reads(seen["default"], "interactions") and seen[REPLICA_ALIAS] == []
    assert token_client(agent).get(TODAY_URL).json()["total_interactions"] == 2

    [warning] = [record for record in caplog.records if record.name == "core.replica"]
    assert warning.levelno == logging.WARNING
    message = warning.getMessage()
    assert f"127.0.0.1:{replica.port}" in message and "OperationalError" in message
    assert REPLICA_PASSWORD not in message and "postgres://" not in message
    assert connections[REPLICA_ALIAS].connection is None  # remembered: later requests do not even try

    # Back up, and past REPLICA_RETRY_SECONDS: the heavy reads return to it.
    replica.start()
    settings.REPLICA_RETRY_SECONDS = 0
    with statements_per_alias() as seen:
        assert client.get(DASHBOARD_URL).status_code == 200
    assert reads(seen[REPLICA_ALIAS], "interactions") and not reads(seen["default"], "interactions")
    assert caplog.records[-1].getMessage().startswith("read replica usable again")


def test_a_replica_lagging_beyond_the_limit_is_left_for_the_primary(replica, agent, settings, caplog):
    settings.REPLICA_MAX_LAG_SECONDS = 1
    settings.REPLICA_LAG_CHECK_SECONDS = 0
    InteractionFactory()
    replica.wait_caught_up()
    replica.pause_replay()
    InteractionFactory()  # received by the replica, not applied: it falls behind from now on
    api = token_client(agent)

    deadline = time.monotonic() + 60
    while api.get(TODAY_URL).json()["total_interactions"] != 2:
        assert time.monotonic() < deadline, "the lagging replica kept answering"
        time.sleep(0.2)

    [warning] = [record for record in caplog.records if record.name == "core.replica"]
    assert "behind the primary" in warning.getMessage()
    # The same replica, lag not checked: its stale figure again, so the lag was what sent reads to the primary.
    settings.REPLICA_MAX_LAG_SECONDS = 0
    settings.REPLICA_RETRY_SECONDS = 0  # the next request tries the replica again
    assert api.get(TODAY_URL).json()["total_interactions"] == 1


def test_a_replica_failing_mid_call_reruns_the_reads_on_the_primary(replica):
    InteractionFactory()
    replica.wait_caught_up()
    replica.pause_replay()
    InteractionFactory()
    counts = []

    @reads_from_replica()
    def count_twice():
        counts.append(Interaction.objects.count())
        if len(counts) == 1:
            replica.stop("immediate")  # the replica dies between two reads of one call
        return Interaction.objects.count()

    assert count_twice() == 2
    assert counts == [1, 2]  # the replica's count, then the whole call again on the primary
