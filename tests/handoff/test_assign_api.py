"""`POST /api/v1/tickets/{id}/assign/` with a `reason`: required when the ticket has a holder, documented."""

import pytest
from django.utils import timezone

from handoff import services
from handoff.models import AgentNotification, HandoffTicket
from tests.api.conftest import token_client
from tests.handoff.factories import HandoffTicketFactory

pytestmark = pytest.mark.django_db


def _url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/assign/"


def test_reassigning_a_held_ticket_without_a_reason_is_a_400_naming_the_holder(agent, other_agent, supervisor):
    ticket = HandoffTicketFactory(status="in_progress", assigned_agent=agent, assigned_at=timezone.now())
    client = token_client(supervisor)
    for body in ({"agent": "bob"}, {"agent": "bob", "reason": ""}, {"agent": "bob", "reason": "   "}):
        response = client.post(_url(ticket), body, format="json")
        assert response.status_code == 400, body
        assert response.json()["errors"] == {
            "reason": ["alice holds this ticket (started); give a reason for taking it from them (it is sent to them)."]
        }
    assert HandoffTicket.objects.get(pk=ticket.pk).assigned_agent == agent
    too_long = client.post(_url(ticket), {"agent": "bob", "reason": "x" * 501}, format="json")
    assert too_long.status_code == 400 and "reason" in too_long.json()["errors"]


def test_reassigning_with_a_reason_notifies_and_records_it(agent, other_agent, supervisor):
    ticket = HandoffTicketFactory(status="assigned", assigned_agent=agent, assigned_at=timezone.now())
    services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="Notes of alice")
    response = token_client(supervisor).post(_url(ticket), {"agent": "bob", "reason": "alice went home"}, format="json")
    assert response.status_code == 200
    assert response.json()["assigned_agent"] == "bob"
    event = ticket.events.get(action="reassigned")
    assert (event.from_agent, event.to_agent, event.note, event.notes) == (
        "alice",
        "bob",
        "alice went home",
        "Notes of alice",
    )
    assert "alice went home" in AgentNotification.objects.get(agent=agent, notification_type="reassigned").message


def test_a_queued_ticket_needs_no_reason(other_agent, supervisor):
    ticket = HandoffTicketFactory()
    response = token_client(supervisor).post(_url(ticket), {"agent": "bob"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "assigned"


def test_the_schema_documents_the_reason_and_the_errors(supervisor):
    schema = token_client(supervisor).get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/tickets/{ticket_id}/assign/"]["post"]
    request_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][request_ref.rsplit("/", 1)[1]]
    assert component["required"] == ["agent"]
    assert (
        "Required (400 without it) when the ticket is assigned or in progress"
        in component["properties"]["reason"]["description"]
    )
    for code in ("400", "409"):
        assert operation["responses"][code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    assert "no `reason` when the ticket has a holder" in operation["responses"]["400"]["description"]
