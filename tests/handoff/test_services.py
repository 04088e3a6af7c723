import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import Conflict, InvalidInput, InvalidTransition, NotFound, PermissionRefused
from handoff import selectors, services
from handoff.errors import CapacityReached, NotTicketHolder
from handoff.models import AgentNotification, HandoffTicket
from interactions.models import Interaction
from tests.handoff.factories import AgentFactory, AgentProfileFactory, HandoffTicketFactory, QueueFactory
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db


def test_create_handoff_ticket_queues_it_and_notifies_agents(agent, other_agent, supervisor):
    QueueFactory(name="claims")  # bots name existing queues only (tests/console/test_queues.py)
    interaction = InteractionFactory(customer_id="CUST-7")
    ticket = services.create_handoff_ticket(
        interaction_id=interaction.pk,
        reason="Claim dispute",
        priority="high",
        queue_name="claims",
        context_data={"claim": "CLM-1"},
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.queue_id, ticket.customer_id) == ("queued", "claims", "CUST-7")
    assert Interaction.objects.get(pk=interaction.pk).status == "in_progress"
    notified = set(AgentNotification.objects.filter(ticket=ticket).values_list("agent__username", "notification_type"))
    assert notified == {("alice", "urgent"), ("bob", "urgent"), ("sam", "urgent")}
    assert list(ticket.events.values_list("action", "to_status")) == [("created", "queued")]


def test_a_medium_ticket_sends_new_ticket_notifications(agent):
    ticket = services.create_handoff_ticket(interaction_id=InteractionFactory().pk, reason="Question")
    assert AgentNotification.objects.get(ticket=ticket).notification_type == "new_ticket"


@pytest.mark.parametrize(
    "kwargs, field",
    [({"priority": "urgent"}, "priority"), ({"reason": " "}, "reason"), ({"queue_name": ""}, "queue_name")],
)
def test_create_handoff_ticket_refuses_bad_input(kwargs, field):
    interaction = InteractionFactory()
    with pytest.raises(InvalidInput) as error:
        services.create_handoff_ticket(**{"interaction_id": interaction.pk, "reason": "r", **kwargs})
    assert field in error.value.errors
    assert HandoffTicket.objects.count() == 0


def test_an_interaction_gets_one_open_ticket_at_a_time():
    ticket = HandoffTicketFactory()
    with pytest.raises(Conflict):
        services.create_handoff_ticket(interaction_id=ticket.interaction_id, reason="again")
    assert HandoffTicket.objects.count() == 1


def test_a_finished_interaction_cannot_be_handed_off():
    interaction = InteractionFactory(status="completed")
    with pytest.raises(Conflict):
        services.create_handoff_ticket(interaction_id=interaction.pk, reason="late")


def test_unknown_interaction_or_ticket_is_not_found(supervisor, agent):
    missing = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(NotFound):
        services.create_handoff_ticket(interaction_id=missing, reason="r")
    with pytest.raises(NotFound):
        services.assign_ticket_to_agent(ticket_id=missing, agent=agent, actor=supervisor)
    with pytest.raises(NotFound):
        services.resolve_ticket(ticket_id="garbage", actor=supervisor, resolution_notes="n", reason_code="other")


def test_supervisor_assigns_then_agent_starts_and_resolves(agent, supervisor):
    ticket = HandoffTicketFactory()
    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent="alice", actor=supervisor)
    services.start_ticket(ticket_id=ticket.pk, actor=agent)
    services.resolve_ticket(
        ticket_id=ticket.pk, actor=agent, resolution_notes="Refund approved", reason_code="policy-exception"
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assigned_agent, ticket.resolution_reason_id) == (
        "resolved",
        agent,
        "policy-exception",
    )
    interaction = Interaction.objects.get(pk=ticket.interaction_id)
    assert interaction.status == "completed" and interaction.assigned_agent == "alice"
    assert interaction.resolution_time_seconds is not None
    assert list(ticket.events.values_list("action", "from_status", "to_status", "to_agent")) == [
        ("assigned", "queued", "assigned", "alice"),
        ("started", "assigned", "in_progress", "alice"),
        ("resolved", "in_progress", "resolved", "alice"),
    ]


def test_only_supervisors_assign(agent, other_agent):
    ticket = HandoffTicketFactory()
    with pytest.raises(PermissionRefused):
        services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=other_agent, actor=agent)
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "queued"


def test_assigning_to_a_non_agent_is_refused(supervisor):
    customer_user = AgentFactory.build(username="nobody")
    customer_user.is_staff = False
    customer_user.save()
    with pytest.raises(InvalidInput):
        services.assign_ticket_to_agent(ticket_id=HandoffTicketFactory().pk, agent="nobody", actor=supervisor)
    with pytest.raises(InvalidInput):
        services.assign_ticket_to_agent(ticket_id=HandoffTicketFactory().pk, agent="ghost", actor=supervisor)


def test_reassigning_moves_the_ticket_and_audits_both_agents(agent, other_agent, supervisor):
    ticket = HandoffTicketFactory()
    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=agent, actor=supervisor)
    services.start_ticket(ticket_id=ticket.pk, actor=agent)
    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=other_agent, actor=supervisor, reason="Rebalancing")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assigned_agent, ticket.started_at) == ("assigned", other_agent, None)
    last = ticket.events.last()
    assert (last.action, last.from_agent, last.to_agent, last.actor, last.note) == (
        "reassigned",
        "alice",
        "bob",
        supervisor,
        "Rebalancing",
    )


def test_agents_act_only_on_tickets_they_hold(agent, other_agent, supervisor):
    ticket = HandoffTicketFactory()
    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=agent, actor=supervisor)
    with pytest.raises(NotTicketHolder):
        services.start_ticket(ticket_id=ticket.pk, actor=other_agent)
    with pytest.raises(NotTicketHolder):
        services.resolve_ticket(
            ticket_id=ticket.pk, actor=other_agent, resolution_notes="mine now", reason_code="other"
        )
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "assigned"
    services.resolve_ticket(
        ticket_id=ticket.pk, actor=supervisor, resolution_notes="done by supervisor", reason_code="other"
    )
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "resolved"


@pytest.mark.parametrize("status", ["queued", "resolved"])
def test_invalid_transitions_say_from_where_to_where(status, supervisor, agent):
    ticket = HandoffTicketFactory(
        status=status,
        assigned_agent=agent if status == "resolved" else None,
        resolved_at=timezone.now() if status == "resolved" else None,
    )
    with pytest.raises(InvalidTransition) as error:
        services.resolve_ticket(ticket_id=ticket.pk, actor=supervisor, resolution_notes="n", reason_code="other")
    assert (error.value.current, error.value.target) == (status, "resolved")
    assert f"from '{status}'" in str(error.value)


def test_resolve_requires_notes_and_a_known_reason(agent, supervisor):
    ticket = HandoffTicketFactory()
    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=agent, actor=supervisor)
    with pytest.raises(InvalidInput) as error:
        services.resolve_ticket(ticket_id=ticket.pk, actor=agent, resolution_notes="", reason_code="other")
    assert "resolution_notes" in error.value.errors
    with pytest.raises(InvalidInput) as error:
        services.resolve_ticket(ticket_id=ticket.pk, actor=agent, resolution_notes="n", reason_code="bored")
    assert "fraud-suspicion" in error.value.errors["reason_code"][0]
    with pytest.raises(InvalidInput) as error:
        services.resolve_ticket(ticket_id=ticket.pk, actor=agent, resolution_notes="n", reason_code="")
    assert "allowed: " in error.value.errors["reason_code"][0]
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "assigned"


def _age(ticket, minutes):
    HandoffTicket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))


def test_claim_next_takes_highest_priority_then_oldest(agent):
    low_old = HandoffTicketFactory(priority="low")
    high_new = HandoffTicketFactory(priority="high")
    high_old = HandoffTicketFactory(priority="high")
    _age(low_old, 3)
    _age(high_new, 1)
    _age(high_old, 2)
    AgentProfileFactory(user=agent, max_open_tickets=10)
    order = [services.claim_next_ticket(agent=agent).pk for _ in range(3)]
    assert order == [high_old.pk, high_new.pk, low_old.pk]
    assert services.claim_next_ticket(agent=agent) is None
    assert set(HandoffTicket.objects.values_list("status", "assigned_agent__username")) == {("assigned", "alice")}


def test_ageing_lifts_a_waiting_medium_ticket_above_a_fresh_high_one(agent):
    QueueFactory(name="general", target_wait_minutes=5)
    medium = HandoffTicketFactory(priority="medium")
    high = HandoffTicketFactory(priority="high")
    _age(medium, 6)  # past the 5-minute target: ranks with high, and it is older
    assert services.claim_next_ticket(agent=agent).pk == medium.pk
    ranks = dict(selectors.queued_tickets().values_list("ticket_id", "effective_rank"))
    assert ranks == {high.pk: 3}


def test_claim_next_can_be_limited_to_a_queue(agent):
    HandoffTicketFactory(queue=QueueFactory(name="claims"), priority="high")
    billing = HandoffTicketFactory(queue=QueueFactory(name="billing"), priority="low")
    assert services.claim_next_ticket(agent=agent, queue_name="billing").pk == billing.pk
    with pytest.raises(NotFound):
        services.claim_next_ticket(agent=agent, queue_name="nope")


def test_capacity_stops_claims_and_assignments(agent, supervisor):
    AgentProfileFactory(user=agent, max_open_tickets=1)
    HandoffTicketFactory.create_batch(2)
    services.claim_next_ticket(agent=agent)
    with pytest.raises(CapacityReached) as error:
        services.claim_next_ticket(agent=agent)
    assert "maximum is 1" in str(error.value)
    queued = HandoffTicket.objects.get(status="queued")
    with pytest.raises(CapacityReached):
        services.assign_ticket_to_agent(ticket_id=queued.pk, agent=agent, actor=supervisor)
    assert HandoffTicket.objects.filter(assigned_agent=agent).count() == 1


def test_queue_default_capacity_applies_without_a_profile(agent):
    QueueFactory(name="general", default_capacity=2)
    HandoffTicketFactory.create_batch(3)
    services.claim_next_ticket(agent=agent)
    services.claim_next_ticket(agent=agent)
    with pytest.raises(CapacityReached):
        services.claim_next_ticket(agent=agent)


def test_non_agents_cannot_claim(db):
    from tests.handoff.factories import UserFactory

    HandoffTicketFactory()
    with pytest.raises(PermissionRefused):
        services.claim_next_ticket(agent=UserFactory())
    assert HandoffTicket.objects.get().status == "queued"


def test_return_ticket_to_queue_clears_the_holder(agent, supervisor):
    ticket = HandoffTicketFactory()
    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=agent, actor=supervisor)
    services.return_ticket_to_queue(ticket_id=ticket.pk, note="not started in time")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assigned_agent, ticket.assigned_at) == ("queued", None, None)
    last = ticket.events.last()
    assert (last.action, last.from_agent, last.note) == ("returned", "alice", "not started in time")


def test_mark_notification_read_only_for_its_agent(agent, other_agent):
    services.create_handoff_ticket(interaction_id=InteractionFactory().pk, reason="r")
    mine = AgentNotification.objects.get(agent=agent)
    with pytest.raises(NotFound):
        services.mark_notification_read(notification_id=mine.pk, agent=other_agent)
    services.mark_notification_read(notification_id=mine.pk, agent=agent)
    mine.refresh_from_db()
    assert mine.is_read and mine.read_at is not None
    assert selectors.unread_count(agent=other_agent) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_hand_out_a_ticket_twice():
    agents = [AgentFactory(username=f"claimer{n}") for n in range(8)]
    for agent in agents:
        AgentProfileFactory(user=agent, max_open_tickets=100)
    HandoffTicketFactory.create_batch(40)
    claimed, errors = [], []
    barrier = threading.Barrier(len(agents))

    def work(agent):
        try:
            barrier.wait()
            while (ticket := services.claim_next_ticket(agent=agent)) is not None:
                claimed.append((ticket.pk, agent.pk))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ticket_ids = [pk for pk, _ in claimed]
    assert len(ticket_ids) == 40 == len(set(ticket_ids))
    holders = dict(HandoffTicket.objects.values_list("ticket_id", "assigned_agent_id"))
    assert holders == dict(claimed)
