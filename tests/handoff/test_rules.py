"""The rules of handoff.rules agree with the claim SQL, the ORM and the console built from them."""

import datetime
import importlib
import uuid

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.admin import ticket_buttons
from handoff import rules, selectors
from handoff.errors import CapacityReached
from handoff.models import PRIORITY_RANK, AgentProfile, HandoffTicket, Priority, Queue, TicketEvent, TicketStatus
from handoff.services import claim_next_ticket
from tests.interactions.factories import InteractionFactory

# Ages are whole target waits plus 10–50 s, so the few seconds an example takes never move a
# ticket across an ageing step between the Python side (computed first) and the claims.
MARGIN_SECONDS = 10


@st.composite
def claim_scenarios(draw):
    queues = draw(st.lists(st.tuples(st.integers(0, 20), st.integers(1, 4)), min_size=1, max_size=3))
    queue = st.integers(0, len(queues) - 1)
    queued = draw(
        st.lists(
            # (queue, priority, full target waits, extra seconds, ticket id); one age per queue and level:
            # the claim SQL takes a level's oldest by created_at alone.
            st.tuples(queue, st.sampled_from(Priority.values), st.integers(0, 3), st.integers(10, 50), st.uuids()),
            max_size=10,
            unique_by=lambda t: t[:4],
        )
    )
    others = draw(
        st.lists(
            st.tuples(st.booleans(), st.sampled_from([s for s in TicketStatus.values if s != "queued"]), queue),
            max_size=4,
        )
    )
    own_capacity = draw(st.none() | st.integers(1, 5))
    only_queue = draw(st.none() | queue)
    return queues, queued, others, own_capacity, only_queue


def _statement_now():
    """The clock of the claim SQL and of Django's Now() on PostgreSQL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT STATEMENT_TIMESTAMP()")
        return cursor.fetchone()[0]


def _build(agent, other_agent, queues, queued, others, own_capacity):
    names = [f"rules-q{i}" for i in range(len(queues))]
    Queue.objects.bulk_create(
        Queue(name=name, target_wait_minutes=target, default_capacity=default)
        for name, (target, default) in zip(names, queues, strict=True)
    )
    if own_capacity is not None:
        AgentProfile.objects.create(user=agent, max_open_tickets=own_capacity)
    interaction = InteractionFactory(status="in_progress")
    now = _statement_now()
    tickets = [
        HandoffTicket(
            ticket_id=ticket_id,
            interaction=interaction,
            customer_id=interaction.customer_id,
            reason="r",
            priority=priority,
            queue_id=names[q],
        )
        for q, priority, _, _, ticket_id in queued
    ]
    for mine, status, q in others:
        tickets.append(
            HandoffTicket(
                interaction=interaction,
                customer_id=interaction.customer_id,
                reason="r",
                queue_id=names[q],
                status=status,
                assigned_agent=agent if mine else other_agent,
                resolved_at=now if status == TicketStatus.RESOLVED else None,
            )
        )
    HandoffTicket.objects.bulk_create(tickets)
    for ticket, (q, _, steps, extra, _) in zip(tickets, queued, strict=False):
        period = max(queues[q][0], 1) * 60
        ticket.created_at = now - datetime.timedelta(seconds=steps * period + extra)
    HandoffTicket.objects.bulk_update(tickets[: len(queued)], ["created_at"])
    return names, tickets[: len(queued)]


def _python_order(tickets, queues_by_name, now):
    def key(ticket):
        waited = (now - ticket.created_at).total_seconds()
        rank = rules.effective_rank(PRIORITY_RANK[ticket.priority], waited, queues_by_name[ticket.queue_id][0])
        return rules.claim_sort_key(effective_rank=rank, created_at=ticket.created_at, ticket_id=ticket.ticket_id)

    return sorted(tickets, key=key)


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=claim_scenarios())
def test_claims_follow_the_python_order_and_capacity_on_random_queues(agent, other_agent, scenario):
    queues, queued, others, own_capacity, only_queue = scenario
    with transaction.atomic():  # a savepoint per example, rolled back below
        names, tickets = _build(agent, other_agent, queues, queued, others, own_capacity)
        queues_by_name = dict(zip(names, queues, strict=True))
        queue_name = None if only_queue is None else names[only_queue]
        candidates = [t for t in tickets if queue_name is None or t.queue_id == queue_name]
        expected_order = _python_order(candidates, queues_by_name, _statement_now())

        # The ORM form of the ageing rule and of the claim order.
        orm = list(selectors.queued_tickets(queue_name=queue_name).values_list("ticket_id", flat=True))
        assert orm == [t.ticket_id for t in expected_order]

        held = sum(1 for mine, status, _ in others if mine and status in rules.HELD_STATUSES)
        claims = 0
        for expected in expected_order:
            limit = rules.capacity(own_capacity, queues_by_name[expected.queue_id][1])
            if not rules.has_room(held, limit):
                # The SQL counts held tickets up to the limit only.
                with pytest.raises(
                    CapacityReached, match=rf"holds {min(held, limit)} open ticket.*maximum is {limit}\."
                ):
                    claim_next_ticket(agent=agent, queue_name=queue_name)
                break
            claimed = claim_next_ticket(agent=agent, queue_name=queue_name)
            assert claimed.pk == expected.ticket_id
            held += 1
            claims += 1
        else:
            assert claim_next_ticket(agent=agent, queue_name=queue_name) is None
        assert TicketEvent.objects.filter(action=TicketEvent.Action.CLAIMED).count() == claims
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("waited_minutes", "target", "rank", "expected"),
    [(0, 5, 1, 1), (4.9, 5, 1, 1), (5, 5, 1, 2), (11, 5, 1, 3), (60, 5, 2, 3), (1.5, 0, 1, 2)],
)
def test_ageing_rule(waited_minutes, target, rank, expected):
    assert rules.effective_rank(rank, waited_minutes * 60, target) == expected


def test_a_capacity_of_zero_is_refused_by_the_database_and_by_the_form(agent, other_agent):
    with pytest.raises(IntegrityError), transaction.atomic():
        AgentProfile.objects.create(user=agent, max_open_tickets=0)
    with pytest.raises(ValidationError) as error:
        AgentProfile(user=agent, max_open_tickets=0).full_clean()
    assert "max_open_tickets" in error.value.message_dict
    AgentProfile.objects.create(user=agent, max_open_tickets=None)
    AgentProfile.objects.create(user=other_agent, max_open_tickets=1)
    assert AgentProfile.objects.count() == 2


def test_the_migration_turns_a_capacity_of_zero_into_the_queue_default(agent, other_agent):
    migration = importlib.import_module("handoff.migrations.0005_agent_capacity_positive")
    with connection.cursor() as cursor:  # the table as it was before the migration (rolled back)
        cursor.execute("ALTER TABLE handoff_agent_profiles DROP CONSTRAINT handoff_agent_profiles_capacity_positive")
    AgentProfile.objects.create(user=agent, max_open_tickets=0)
    AgentProfile.objects.create(user=other_agent, max_open_tickets=2)
    migration.forwards(apps, None)
    assert dict(AgentProfile.objects.values_list("user__username", "max_open_tickets")) == {"alice": None, "bob": 2}


# The console's buttons as they were written by hand before they came from the rules.
BUTTONS = {
    ("queued", "holder"): set(),
    ("queued", "other"): set(),
    ("queued", "supervisor"): {"can_assign"},
    ("assigned", "holder"): {"can_start", "can_resolve", "can_hand_back"},
    ("assigned", "other"): set(),
    ("assigned", "supervisor"): {"can_start", "can_resolve", "can_hand_back", "can_assign"},
    ("in_progress", "holder"): {"can_resolve", "can_hand_back"},
    ("in_progress", "other"): set(),
    ("in_progress", "supervisor"): {"can_resolve", "can_hand_back", "can_assign"},
    ("resolved", "holder"): set(),
    ("resolved", "other"): set(),
    ("resolved", "supervisor"): set(),
}


def test_console_buttons_for_every_status_and_person(agent, other_agent, supervisor):
    people = {"holder": agent, "other": other_agent, "supervisor": supervisor}
    for (status, who), expected in BUTTONS.items():
        ticket = HandoffTicket(
            ticket_id=uuid.uuid4(), status=status, assigned_agent=None if status == "queued" else agent
        )
        buttons = ticket_buttons(ticket, people[who])
        assert {name for name, shown in buttons.items() if shown} == expected, (status, who)
