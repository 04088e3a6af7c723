"""One agent claiming from several connections at once never goes past their capacity.

The claim locks the agent's row and then claims in a second statement, both sent in one round trip
(psycopg pipeline). The second statement's snapshot must be taken after the lock is granted: were
the lock inside the claim statement, every waiting claim would count the held tickets as they were
before the others committed, and all of them would succeed.
"""

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db import connections as django_connections

from handoff import services
from handoff.errors import CapacityReached
from handoff.models import HandoffTicket, TicketEvent
from tests.handoff.factories import AgentFactory, AgentProfileFactory, HandoffTicketFactory

CLAIMERS, CAPACITY = 6, 2


def _waiting_on_a_lock(count: int, timeout: float = 30.0) -> None:
    """Return once `count` other backends wait for a row lock (the agent's row)."""
    deadline = time.monotonic() + timeout
    with django_connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.02)
    raise AssertionError(f"{count} claims never waited for the agent's lock")


@pytest.mark.django_db(transaction=True)
def test_one_agent_claiming_from_many_connections_stays_within_capacity():
    agent = AgentFactory(username="twin")
    AgentProfileFactory(user=agent, max_open_tickets=CAPACITY)
    HandoffTicketFactory.create_batch(CLAIMERS + 2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def claim():
        try:
            ticket = services.claim_next_ticket(agent=agent)
            outcomes.append("claimed" if ticket else "empty")
        except CapacityReached:
            outcomes.append("full")
        except BaseException as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    # Hold the agent's row so every claim starts, blocks on it and is released at the same moment.
    user_table = get_user_model()._meta.db_table
    holder = django_connections.create_connection("default")
    holder.set_autocommit(False)
    try:
        with holder.cursor() as cursor:
            cursor.execute(f'SELECT 1 FROM "{user_table}" WHERE id = %s FOR UPDATE', [agent.pk])
        threads = [threading.Thread(target=claim) for _ in range(CLAIMERS)]
        for thread in threads:
            thread.start()
        _waiting_on_a_lock(CLAIMERS)
        holder.rollback()
    finally:
        holder.close()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(outcomes) == sorted(["claimed"] * CAPACITY + ["full"] * (CLAIMERS - CAPACITY))
    assert HandoffTicket.objects.filter(assigned_agent=agent, status="assigned").count() == CAPACITY
    assert TicketEvent.objects.filter(action="claimed", actor=agent).count() == CAPACITY
