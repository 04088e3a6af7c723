"""Handoff endpoints: opening a handoff, the ticket list, the life cycle, claim-next, notifications."""

import datetime
import uuid

import pytest
from django.utils import timezone

from handoff.models import AgentNotification, HandoffTicket, TicketEvent
from interactions.models import Interaction
from tests.handoff.factories import AgentNotificationFactory, HandoffTicketFactory, QueueFactory
from tests.interactions.factories import ConversationMessageFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def _aged(ticket, minutes):
    # 30 s more than the whole minutes: wait_minutes is floored against the transaction's clock.
    created = timezone.now() - datetime.timedelta(minutes=minutes, seconds=30)
    HandoffTicket.objects.filter(pk=ticket.pk).update(created_at=created)
    return ticket


def test_open_handoff_201_queued_then_409_while_one_is_open(bot_client, agent):
    QueueFactory(name="claims")  # bots name existing queues only
    interaction = InteractionFactory(customer_id="C-3")
    url = f"/api/v1/interactions/{interaction.pk}/handoff/"
    body = {"reason": "Dispute", "priority": "high", "queue_name": "claims", "context_data": {"emotion": "angry"}}
    response = bot_client.post(url, body, format="json")
    assert response.status_code == 201
    ticket = response.json()
    assert (ticket["status"], ticket["priority"], ticket["queue_name"], ticket["assigned_agent"]) == (
        "queued",
        "high",
        "claims",
        None,
    )
    assert Interaction.objects.get(pk=interaction.pk).status == "in_progress"
    assert AgentNotification.objects.filter(agent=agent, ticket_id=ticket["ticket_id"]).exists()
    again = bot_client.post(url, body, format="json")
    assert again.status_code == 409 and "already has an open handoff ticket" in again.json()["detail"]


def test_open_handoff_400_and_404(bot_client):
    interaction = InteractionFactory()
    bad = bot_client.post(f"/api/v1/interactions/{interaction.pk}/handoff/", {"reason": "", "priority": "asap"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"reason", "priority"}
    missing = bot_client.post(f"/api/v1/interactions/{uuid.uuid4()}/handoff/", {"reason": "x"}, format="json")
    assert missing.status_code == 404
    assert not HandoffTicket.objects.exists()


def test_ticket_list_is_priority_high_to_low_then_oldest_with_wait_minutes_and_filters(agent_client, agent):
    low = _aged(HandoffTicketFactory(priority="low"), 30)
    medium_new = _aged(HandoffTicketFactory(priority="medium"), 2)
    medium_old = _aged(HandoffTicketFactory(priority="medium"), 20)
    high = _aged(HandoffTicketFactory(priority="high", queue=QueueFactory(name="claims")), 1)
    held = HandoffTicketFactory(priority="high", status="assigned", assigned_agent=agent)

    rows = agent_client.get("/api/v1/tickets/", {"status": "queued"}).json()["results"]
    assert [r["ticket_id"] for r in rows] == [str(t.pk) for t in (high, medium_old, medium_new, low)]
    assert [r["wait_minutes"] for r in rows] == [1, 20, 2, 30]
    by_queue = agent_client.get("/api/v1/tickets/", {"queue_name": "claims"}).json()["results"]
    assert [r["ticket_id"] for r in by_queue] == [str(high.pk)]
    mine = agent_client.get("/api/v1/tickets/", {"assigned_agent": "alice"}).json()["results"]
    assert [r["ticket_id"] for r in mine] == [str(held.pk)]
    assert agent_client.get("/api/v1/tickets/", {"priority": "urgent"}).status_code == 400


def test_ticket_detail_has_the_interaction_and_transcript(agent_client):
    ticket = HandoffTicketFactory()
    ConversationMessageFactory(interaction=ticket.interaction, turn_number=2, message="Je conteste")
    ConversationMessageFactory(interaction=ticket.interaction, turn_number=1, message="Bonjour")
    body = agent_client.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert body["interaction"]["interaction_id"] == str(ticket.interaction_id)
    assert [m["message"] for m in body["transcript"]] == ["Bonjour", "Je conteste"]
    assert agent_client.get(f"/api/v1/tickets/{uuid.uuid4()}/").status_code == 404


def test_assign_by_supervisor_200_400_404_409(supervisor_client, other_agent):
    ticket = HandoffTicketFactory()
    url = f"/api/v1/tickets/{ticket.pk}/assign/"
    assert supervisor_client.post(url, {"agent": "nobody-here"}, format="json").status_code == 400
    response = supervisor_client.post(url, {"agent": "bob"}, format="json")
    assert response.status_code == 200 and response.json()["assigned_agent"] == "bob"
    assert HandoffTicket.objects.get(pk=ticket.pk).assigned_agent == other_agent
    assert supervisor_client.post(url, {"agent": "bob"}, format="json").status_code == 409
    assert supervisor_client.post(f"/api/v1/tickets/{uuid.uuid4()}/assign/", {"agent": "bob"}).status_code == 404
    resolved = HandoffTicketFactory(status="resolved", resolved_at=timezone.now())
    conflict = supervisor_client.post(f"/api/v1/tickets/{resolved.pk}/assign/", {"agent": "bob"}, format="json")
    assert conflict.status_code == 409 and "from 'resolved' to 'assigned'" in conflict.json()["detail"]


def test_start_and_resolve_by_the_holder_complete_the_interaction(agent_client, agent):
    ticket = HandoffTicketFactory(status="assigned", assigned_agent=agent)
    started = agent_client.post(f"/api/v1/tickets/{ticket.pk}/start/")
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    resolved = agent_client.post(
        f"/api/v1/tickets/{ticket.pk}/resolve/",
        {"resolution_notes": "Explained", "reason_code": "policy-exception"},
        format="json",
    )
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["resolution_reason"]) == ("resolved", "policy-exception")
    assert Interaction.objects.get(pk=ticket.interaction_id).status == "completed"
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True)) == ["started", "resolved"]


def test_resolving_a_queued_ticket_is_409_saying_from_and_to(agent_client):
    ticket = HandoffTicketFactory()
    response = agent_client.post(
        f"/api/v1/tickets/{ticket.pk}/resolve/", {"resolution_notes": "x", "reason_code": "other"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "invalid_transition"
    assert body["detail"] == "Ticket cannot go from 'queued' to 'resolved'; allowed from 'queued': assigned."
    assert agent_client.post(f"/api/v1/tickets/{ticket.pk}/start/").status_code == 409


def test_resolve_400_and_404(agent_client, agent):
    ticket = HandoffTicketFactory(status="assigned", assigned_agent=agent)
    bad = agent_client.post(
        f"/api/v1/tickets/{ticket.pk}/resolve/", {"resolution_notes": "x", "reason_code": "bogus"}, format="json"
    )
    assert bad.status_code == 400 and "reason_code" in bad.json()["errors"]
    assert agent_client.post(f"/api/v1/tickets/{ticket.pk}/resolve/", {}, format="json").status_code == 400
    no_reason = agent_client.post(f"/api/v1/tickets/{ticket.pk}/resolve/", {"resolution_notes": "x"}, format="json")
    assert no_reason.status_code == 400 and "reason_code" in no_reason.json()["errors"]
    missing = agent_client.post(
        f"/api/v1/tickets/{uuid.uuid4()}/resolve/", {"resolution_notes": "x", "reason_code": "other"}, format="json"
    )
    assert missing.status_code == 404


def test_claim_next_gives_the_best_ticket_then_204_when_empty(agent_client, agent):
    _aged(HandoffTicketFactory(priority="low"), 1)
    best = _aged(HandoffTicketFactory(priority="high"), 1)
    first = agent_client.post("/api/v1/tickets/claim-next/", {}, format="json")
    assert first.status_code == 200
    assert (first.json()["ticket_id"], first.json()["assigned_agent"]) == (str(best.pk), "alice")
    assert agent_client.post("/api/v1/tickets/claim-next/", {}, format="json").status_code == 200
    empty = agent_client.post("/api/v1/tickets/claim-next/", {}, format="json")
    assert empty.status_code == 204 and empty.content == b""


def test_claim_next_404_for_unknown_queue_and_409_at_capacity(agent_client, agent):
    assert agent_client.post("/api/v1/tickets/claim-next/", {"queue_name": "nope"}, format="json").status_code == 404
    for _ in range(3):
        HandoffTicketFactory(status="assigned", assigned_agent=agent)
    HandoffTicketFactory()
    full = agent_client.post("/api/v1/tickets/claim-next/", {}, format="json")
    assert full.status_code == 409 and "maximum is 3" in full.json()["detail"]


def test_notifications_are_the_callers_own_with_is_read_filter_and_mark_read(agent_client, agent, other_agent):
    unread = AgentNotificationFactory(agent=agent)
    AgentNotificationFactory(agent=agent, is_read=True, read_at=timezone.now())
    AgentNotificationFactory(agent=other_agent)
    assert agent_client.get("/api/v1/notifications/").json()["count"] == 2
    only_unread = agent_client.get("/api/v1/notifications/", {"is_read": "false"}).json()["results"]
    assert [n["notification_id"] for n in only_unread] == [str(unread.pk)]
    read = agent_client.post(f"/api/v1/notifications/{unread.pk}/read/")
    assert read.status_code == 200 and read.json()["is_read"] is True
    assert AgentNotification.objects.get(pk=unread.pk).read_at is not None
    assert agent_client.post(f"/api/v1/notifications/{uuid.uuid4()}/read/").status_code == 404
    assert agent_client.get("/api/v1/notifications/", {"is_read": "maybe"}).status_code == 400
