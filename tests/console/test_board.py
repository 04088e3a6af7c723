"""The supervisor's board: who sees it, the figures on a known data set, and its constant query count."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from handoff.models import HandoffTicket, TicketEvent
from handoff.workload import agent_workloads, queue_workloads
from tests.accounts.two_factor_factories import force_login
from tests.handoff.factories import (
    AgentFactory,
    AgentProfileFactory,
    HandoffTicketFactory,
    QueueFactory,
    SupervisorFactory,
)

pytestmark = pytest.mark.django_db
BOARD = "/admin/board/"


def _at(ticket, **fields):
    HandoffTicket.objects.filter(pk=ticket.pk).update(**fields)
    return ticket


def _ago(minutes):
    return timezone.now() - datetime.timedelta(minutes=minutes, seconds=30)


@pytest.fixture
def floor():
    """Two queues, three agents (one with her own limit), tickets held, started, waiting and resolved."""
    general = QueueFactory(name="general", default_capacity=3, target_wait_minutes=10)
    claims = QueueFactory(name="claims", default_capacity=5, target_wait_minutes=5)
    alice = AgentFactory(username="alice", first_name="Alice", last_name="Martin")
    bob = AgentFactory(username="bob")
    AgentProfileFactory(user=bob, max_open_tickets=1)
    sam = SupervisorFactory(username="sam")
    AgentFactory(username="gone", is_active=False)  # not on the board
    _at(HandoffTicketFactory(queue=claims, status="assigned", assigned_agent=alice), assigned_at=_ago(40))
    _at(HandoffTicketFactory(queue=general, status="in_progress", assigned_agent=alice), assigned_at=_ago(12))
    _at(HandoffTicketFactory(queue=general, status="assigned", assigned_agent=bob), assigned_at=_ago(3))
    HandoffTicketFactory(queue=general, status="resolved", assigned_agent=sam, resolved_at=timezone.now())
    _at(HandoffTicketFactory(queue=claims), created_at=_ago(30))  # past the 5 min target
    _at(HandoffTicketFactory(queue=claims), created_at=_ago(6))  # past it too (6 > 5)
    _at(HandoffTicketFactory(queue=claims), created_at=_ago(2))
    _at(HandoffTicketFactory(queue=general), created_at=_ago(4))
    event = TicketEvent.objects.create(
        ticket=HandoffTicket.objects.filter(assigned_agent=alice).first(), action="started", actor=alice, to_status="x"
    )
    TicketEvent.objects.filter(pk=event.pk).update(created_at=_ago(7))
    return {"alice": alice, "bob": bob, "sam": sam}


def test_workloads_count_held_tickets_against_capacity(floor):
    loads = {load.username: load for load in agent_workloads()}
    assert set(loads) == {"alice", "bob", "sam"}
    alice, bob, sam = loads["alice"], loads["bob"], loads["sam"]
    assert (alice.held, alice.capacity, alice.is_full) == (2, 3, False)  # the default queue's capacity
    assert (bob.held, bob.capacity, bob.is_full) == (1, 1, True)  # his own limit
    assert (sam.held, sam.capacity, sam.oldest_held_at) == (0, 3, None)  # a resolved ticket is not held
    assert 40 <= (timezone.now() - alice.oldest_held_at).total_seconds() / 60 < 41
    assert 7 <= (timezone.now() - alice.last_activity_at).total_seconds() / 60 < 8
    assert bob.last_activity_at is None  # no event, never logged in
    assert alice.display_name == "Alice Martin" and bob.display_name == "bob"


def test_last_activity_falls_back_to_the_last_login(floor):
    login = _ago(90)
    type(floor["bob"]).objects.filter(pk=floor["bob"].pk).update(last_login=login)
    assert {load.username: load for load in agent_workloads()}["bob"].last_activity_at == login


def test_queue_workloads_count_waiting_and_past_target(floor):
    queues = {load.name: load for load in queue_workloads()}
    claims, general = queues["claims"], queues["general"]
    assert (claims.waiting, claims.past_target, claims.oldest_wait_minutes, claims.is_late) == (3, 2, 30, True)
    assert (general.waiting, general.past_target, general.oldest_wait_minutes, general.is_late) == (1, 0, 4, False)


def test_an_agent_gets_the_styled_403(floor):
    client = force_login(Client(), floor["alice"])
    response = client.get(BOARD)
    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="cb-forbidden"' in page and "it is for supervisors" in page
    assert reverse("admin:index") in page and "console/console.css" in page  # the console's look, a way back


def test_the_supervisor_sees_each_agent_and_queue_with_links(floor):
    client = force_login(Client(), floor["sam"])
    response = client.get(BOARD)
    assert response.status_code == 200
    agents = {row.load.username: row for row in response.context["agents"]}
    assert (agents["alice"].load.held, agents["bob"].load.held) == (2, 1)
    assert agents["alice"].oldest_held == "40 min ago" and agents["bob"].last_activity == "—"
    assert agents["alice"].queue_url.endswith(f"?holder={floor['alice'].pk}")
    queues = {row.load.name: row for row in response.context["queues"]}
    assert queues["claims"].queue_url.endswith("?queue__name__exact=claims")
    assert (response.context["held_total"], response.context["waiting_total"], response.context["late_total"]) == (
        3,
        4,
        2,
    )
    page = response.content.decode()
    assert "Alice Martin" in page and 'data-queue="claims"' in page and "<meter" in page
    # Each link opens the queue page filtered as promised.
    held = client.get(agents["alice"].queue_url)
    assert held.status_code == 200 and len(held.context["cl"].result_list) == 2
    assert "Tickets held by Alice Martin" in held.content.decode()
    in_claims = client.get(queues["claims"].queue_url)
    assert {ticket.queue_id for ticket in in_claims.context["cl"].result_list} == {"claims"}


def test_supervisors_find_the_board_in_their_links_and_agents_do_not(floor):
    assert 'id="cb-board-link"' in force_login(Client(), floor["sam"]).get("/admin/").content.decode()
    assert 'id="cb-board-link"' not in force_login(Client(), floor["alice"]).get("/admin/").content.decode()


def test_the_board_costs_the_same_queries_for_3_or_30_agents(floor):
    client = force_login(Client(), floor["sam"])
    client.get(BOARD)  # warm the session and the permission caches

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(BOARD).status_code == 200
        return len(queries.captured_queries)

    few = count()
    for index in range(27):
        agent = AgentFactory(username=f"extra{index}")
        AgentProfileFactory(user=agent, max_open_tickets=2)
        HandoffTicketFactory(status="assigned", assigned_agent=agent, queue=QueueFactory(name=f"q{index % 5}"))
        TicketEvent.objects.create(ticket=HandoffTicket.objects.latest("created_at"), action="claimed", actor=agent)
    assert len(agent_workloads()) == 30
    assert count() == few
