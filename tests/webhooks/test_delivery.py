"""End to end, with a real worker process and a real HTTP receiver: events reach the bot, signed, at least once.

Each test commits its rows (transaction=True) so that the worker, another process, sees them.
"""

import json

import pytest
from django.utils import timezone

from handoff import services as handoff_services
from interactions import services as interaction_services
from tests.handoff.factories import AgentFactory, HandoffTicketFactory, SupervisorFactory
from tests.interactions.factories import InteractionFactory
from tests.webhooks.helpers import endpoint_for, wait_until
from tests.webhooks.receiver import signature_valid
from webhooks import services
from webhooks.models import DeliveryStatus, WebhookDelivery

pytestmark = pytest.mark.django_db(transaction=True)


def _by_type(requests):
    found = {}
    for request in requests:
        found.setdefault(request.headers["X-Callbot-Event"], []).append(request)
    return found


def test_a_resolved_ticket_reaches_the_bot_signed(receiver, worker):
    endpoint, secret = endpoint_for(receiver)
    agent = AgentFactory()
    ticket = HandoffTicketFactory(status="assigned", assigned_agent=agent, assigned_at=timezone.now())
    handoff_services.resolve_ticket(
        ticket_id=ticket.pk, actor=agent, resolution_notes="Refund issued by phone.", reason_code="other"
    )

    requests = _by_type(receiver.wait_for(2))
    resolved = requests["ticket.resolved"][0]
    assert resolved.path == "/hooks/callbot"
    assert resolved.headers["Content-Type"] == "application/json"
    assert signature_valid(secret, resolved)
    assert not signature_valid("whsec_someone-else", resolved)
    body = json.loads(resolved.body)
    assert resolved.headers["X-Callbot-Event-Id"] == body["id"]
    assert body["type"] == "ticket.resolved"
    assert body["data"] == {
        "ticket_id": str(ticket.pk),
        "interaction_id": str(ticket.interaction_id),
        "customer_id": ticket.customer_id,
        "status": "resolved",
        "reason_code": "other",
        "resolution_notes": "Refund issued by phone.",
        "resolved_at": body["data"]["resolved_at"],
    }
    assert body["data"]["resolved_at"]
    # Resolving completes the interaction: that event comes too.
    completed = json.loads(requests["interaction.completed"][0].body)["data"]
    assert completed["interaction_id"] == str(ticket.interaction_id)
    assert completed["status"] == "completed"
    assert wait_until(
        lambda: (
            set(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("status", flat=True))
            == {DeliveryStatus.DELIVERED}
        )
    )
    assert all(d.attempts == 1 and d.last_status_code == 200 for d in WebhookDelivery.objects.all())


def test_assignment_claim_and_completion_events(receiver, worker):
    _, secret = endpoint_for(receiver)
    supervisor, agent = SupervisorFactory(), AgentFactory()
    given = HandoffTicketFactory()
    handoff_services.assign_ticket_to_agent(ticket_id=given.pk, agent=agent, actor=supervisor)
    claimed_ticket = HandoffTicketFactory()
    claimed = handoff_services.claim_next_ticket(agent=supervisor)
    assert claimed.pk == claimed_ticket.pk
    interaction = InteractionFactory()
    interaction_services.update_interaction_status(interaction_id=interaction.pk, status="completed")

    requests = _by_type(receiver.wait_for(3))
    assert all(signature_valid(secret, r) for kind in requests.values() for r in kind)
    assigned = sorted(json.loads(r.body)["data"]["ticket_id"] for r in requests["ticket.assigned"])
    assert assigned == sorted([str(given.pk), str(claimed_ticket.pk)])
    data = json.loads(requests["ticket.assigned"][0].body)["data"]
    assert data["status"] == "assigned" and data["assigned_at"] and data["queue"] == "general"
    assert "agent" not in json.dumps(data)  # no agent's name goes to the bots
    completed = json.loads(requests["interaction.completed"][0].body)["data"]
    assert completed["interaction_id"] == str(interaction.pk)
    assert completed["customer_id"] == interaction.customer_id


def test_an_endpoint_gets_only_the_events_it_asked_for(receiver, worker):
    endpoint_for(receiver, events=["interaction.completed"])
    agent = AgentFactory()
    ticket = HandoffTicketFactory(status="assigned", assigned_agent=agent, assigned_at=timezone.now())
    handoff_services.resolve_ticket(ticket_id=ticket.pk, actor=agent, resolution_notes="Done.", reason_code="other")

    assert wait_until(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 1)
    assert [r.headers["X-Callbot-Event"] for r in receiver.requests()] == ["interaction.completed"]


def test_a_delivery_that_never_succeeds_ends_failed_and_replay_sends_the_same_event(receiver, worker):
    receiver.status = 500
    _, secret = endpoint_for(receiver, events=["interaction.completed"])
    interaction_services.update_interaction_status(interaction_id=InteractionFactory().pk, status="completed")

    assert wait_until(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.FAILED).exists())
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 4  # the first try and the worker's three retries
    assert delivery.last_status_code == 500
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at is None and delivery.delivered_at is None
    assert receiver.refused == 4

    receiver.status = 200
    assert services.replay_deliveries(delivery_ids=[delivery.pk]) == 1
    [request] = receiver.wait_for(1)
    assert request.headers["X-Callbot-Event-Id"] == str(delivery.event_id)
    assert json.loads(request.body)["id"] == str(delivery.event_id)
    assert signature_valid(secret, request)
    assert wait_until(lambda: WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED)
    assert WebhookDelivery.objects.get().last_error == ""
