"""Eight agents claim over HTTP at the same moment: nobody gets a ticket somebody else got."""

import threading
import uuid
from collections import Counter

import pytest
from django.db import connection

from handoff.models import HandoffTicket, TicketEvent
from tests.api.conftest import token_client
from tests.handoff.factories import AgentFactory, HandoffTicketFactory

AGENTS, CLAIMS_EACH, TICKETS = 8, 3, 20


@pytest.mark.django_db(transaction=True)
def test_eight_agents_claiming_at_once_never_get_the_same_ticket():
    agents = [AgentFactory(username=f"claimer{n}") for n in range(AGENTS)]
    clients = [token_client(agent) for agent in agents]
    for index in range(TICKETS):
        HandoffTicketFactory(priority=("low", "medium", "high")[index % 3])
    barrier, claimed, statuses = threading.Barrier(AGENTS), [], []

    def claim(client):
        barrier.wait()
        for _ in range(CLAIMS_EACH):
            response = client.post("/api/v1/tickets/claim-next/", {}, format="json")
            statuses.append(response.status_code)
            if response.status_code == 200:
                claimed.append((response.json()["ticket_id"], response.json()["assigned_agent"]))
        connection.close()

    threads = [threading.Thread(target=claim, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(statuses) == {200: TICKETS, 204: AGENTS * CLAIMS_EACH - TICKETS}
    ticket_ids = [ticket_id for ticket_id, _ in claimed]
    assert len(ticket_ids) == len(set(ticket_ids)) == TICKETS
    holders = dict(HandoffTicket.objects.values_list("ticket_id", "assigned_agent__username"))
    assert all(holders[uuid.UUID(t)] == agent for t, agent in claimed)
    assert TicketEvent.objects.filter(action="claimed").count() == TICKETS
