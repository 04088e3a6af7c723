"""The seed's two data flows end to end at the service level."""

import datetime

import pytest
from django.utils import timezone

from analytics.selectors import get_daily_metrics
from crm import approvals
from crm import services as crm_services
from handoff import services as handoff_services
from handoff.models import HandoffTicket
from interactions import selectors as interaction_selectors
from interactions import services as interaction_services
from interactions.models import Interaction
from tests.handoff.factories import QueueFactory

pytestmark = pytest.mark.django_db


def test_simple_crm_case(agent):
    interaction = interaction_services.create_interaction(
        customer_id="CUST-001", channel="phone", intent="update_address", emotion="neutral", confidence_score=0.95
    )
    interaction_services.add_conversation_message(
        interaction_id=interaction.pk, speaker="customer", message="Je déménage au 3 rue Neuve"
    )
    # update_address needs a person's approval: the bot proposes, an agent approves, the bot logs it.
    proposal = approvals.propose_crm_action(
        interaction_id=interaction.pk,
        action_type="update_address",
        input_data={"address": "3 rue Neuve"},
        reason="The customer moved.",
    )
    approvals.claim_next_proposal(agent=agent)
    approvals.approve_proposal(proposal_id=proposal.pk, actor=agent)
    crm_services.log_crm_action(
        interaction_id=interaction.pk,
        customer_id="CUST-001",
        action_type="update_address",
        proposal_id=proposal.pk,
        output_data={"ok": True},
        execution_time_ms=210,
    )
    interaction_services.log_response(interaction_id=interaction.pk, response_text="C'est fait.", tone="friendly")
    interaction_services.add_conversation_message(interaction_id=interaction.pk, speaker="agent", message="C'est fait.")
    interaction_services.update_interaction_status(interaction_id=interaction.pk, status="completed")

    stored = Interaction.objects.get(pk=interaction.pk)
    assert stored.status == "completed" and stored.resolution_time_seconds is not None
    assert [m.speaker for m in interaction_selectors.get_conversation_history(interaction_id=interaction.pk)] == [
        "customer",
        "agent",
    ]
    today = timezone.localdate(stored.created_at)
    [day] = get_daily_metrics(date_from=today - datetime.timedelta(days=1), date_to=today + datetime.timedelta(days=1))
    assert (day["total_interactions"], day["completed"], day["escalated"], day["unique_customers"]) == (1, 1, 0, 1)


def test_complex_handoff_case(agent):
    QueueFactory(name="claims")  # bots name existing queues only
    interaction = interaction_services.create_interaction(
        customer_id="CUST-002",
        channel="phone",
        intent="claim_dispute",
        emotion="angry",
        urgency="high",
        confidence_score=0.4,
    )
    interaction_services.add_conversation_message(
        interaction_id=interaction.pk, speaker="customer", message="Je conteste le refus !"
    )
    crm_services.log_crm_action(
        interaction_id=interaction.pk,
        customer_id="CUST-002",
        action_type="check_policy_status",
        success=False,
        error_message="policy suspended",
    )
    ticket = handoff_services.create_handoff_ticket(
        interaction_id=interaction.pk, reason="Dispute", priority="high", queue_name="claims"
    )
    assert Interaction.objects.get(pk=interaction.pk).status == "in_progress"
    claimed = handoff_services.claim_next_ticket(agent=agent, queue_name="claims")
    assert claimed.pk == ticket.pk
    handoff_services.start_ticket(ticket_id=ticket.pk, actor=agent)
    handoff_services.resolve_ticket(
        ticket_id=ticket.pk, actor=agent, resolution_notes="Explained the suspension", reason_code="other"
    )

    assert HandoffTicket.objects.get(pk=ticket.pk).status == "resolved"
    stored = Interaction.objects.get(pk=interaction.pk)
    assert (stored.status, stored.assigned_agent) == ("completed", "alice")
    today = timezone.localdate(stored.created_at)
    [day] = get_daily_metrics(date_from=today, date_to=today)
    assert (day["total_interactions"], day["completed"], day["escalated"]) == (1, 1, 1)
