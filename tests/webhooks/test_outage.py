"""The issue's acceptance test, alone in its file: the bot's server is down for 2 real minutes.

The suite's slowest test (about 130 s of waiting): it runs first (tests/conftest.py, marker `slow`) and, its file
being its own unit under pytest-xdist, on a worker of its own while the others run the rest of the suite.
"""

import json
import time

import pytest
from django.utils import timezone

from handoff import services as handoff_services
from tests.handoff.factories import AgentFactory, HandoffTicketFactory
from tests.processes import free_port
from tests.webhooks.conftest import running_worker
from tests.webhooks.helpers import endpoint_for, wait_until
from tests.webhooks.receiver import Receiver, signature_valid
from webhooks.models import DeliveryStatus, WebhookDelivery

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.mark.timeout(420)
def test_a_receiver_down_for_two_minutes_gets_every_event_afterwards(tmp_path):
    """The issue's acceptance test: the bot's server is down for 2 real minutes while events happen."""
    receiver = Receiver(free_port())  # not started: connections are refused
    _, secret = endpoint_for(receiver)
    with running_worker(tmp_path / "worker.log", max_attempts=60, wait=5):
        agent = AgentFactory()
        tickets = [
            HandoffTicketFactory(status="assigned", assigned_agent=agent, assigned_at=timezone.now()) for _ in range(3)
        ]
        for ticket in tickets:
            handoff_services.resolve_ticket(
                ticket_id=ticket.pk, actor=agent, resolution_notes="Sorted.", reason_code="other"
            )
        expected = set(map(str, WebhookDelivery.objects.values_list("event_id", flat=True)))
        assert len(expected) == 6  # per ticket: ticket.resolved and interaction.completed
        time.sleep(120)
        assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 0
        assert WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, attempts__gte=2).count() == 6
        assert "ConnectError" in WebhookDelivery.objects.first().last_error
        receiver.start()
        try:
            assert wait_until(
                lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 6, timeout=90
            )
            time.sleep(3)  # anything late or duplicated would arrive now
        finally:
            receiver.stop()
    received = receiver.requests()
    assert all(signature_valid(secret, r) for r in received)
    unique = {r.headers["X-Callbot-Event-Id"] for r in received}
    assert unique == expected  # every event, each once after de-duplication by event id
    bodies = {r.headers["X-Callbot-Event-Id"]: json.loads(r.body) for r in received}
    assert all(body["id"] == event_id for event_id, body in bodies.items())
    assert sorted(body["type"] for body in bodies.values()) == ["interaction.completed"] * 3 + ["ticket.resolved"] * 3
    assert {body["data"]["ticket_id"] for body in bodies.values() if body["type"] == "ticket.resolved"} == {
        str(ticket.pk) for ticket in tickets
    }
