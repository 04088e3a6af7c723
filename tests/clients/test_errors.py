"""The API's error answers as typed exceptions of `callbot_client`, against a live server; nothing is written."""

import uuid

import pytest
from callbot_client import (
    AuthenticationFailed,
    CallbotError,
    Conflict,
    DatabaseService,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)

from handoff.models import HandoffTicket
from interactions.models import ConversationMessage, Interaction

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest.fixture
def bot_service(live_server_url, tokens):
    with DatabaseService(base_url=live_server_url, token=tokens.bot) as service:
        yield service


def test_a_refused_field_is_a_validation_error_naming_it(bot_service):
    with pytest.raises(ValidationError) as caught:
        bot_service.create_interaction(customer_id="CUST-004", channel="fax", confidence_score=1.5)

    error = caught.value
    assert (error.status, error.type) == (400, "validation_error")
    assert set(error.errors) == {"channel", "confidence_score"}
    assert "allowed: phone, chat, email" in error.errors["channel"][0]
    assert isinstance(error, CallbotError) and "channel" in error.detail
    assert not Interaction.objects.exists()


def test_an_unknown_interaction_is_not_found(bot_service):
    missing = uuid.uuid4()

    with pytest.raises(NotFound) as caught:
        bot_service.add_conversation_message(interaction_id=missing, speaker="customer", message="Bonjour")
    with pytest.raises(NotFound):
        bot_service.get_conversation_history(interaction_id="not-a-uuid")

    assert (caught.value.status, caught.value.type) == (404, "not_found")
    assert str(missing) in caught.value.detail
    assert not ConversationMessage.objects.exists()


def test_a_refused_status_change_is_an_invalid_transition(bot_service):
    interaction = bot_service.create_interaction(customer_id="CUST-005", channel="email")
    bot_service.update_interaction_status(interaction_id=interaction["interaction_id"], status="completed")

    with pytest.raises(InvalidTransition) as caught:
        bot_service.update_interaction_status(interaction_id=interaction["interaction_id"], status="in_progress")

    error = caught.value
    assert isinstance(error, Conflict) and (error.status, error.type) == (409, "invalid_transition")
    assert "'completed' to 'in_progress'" in error.detail and "status" in error.errors
    assert Interaction.objects.get(pk=interaction["interaction_id"]).status == "completed"


def test_a_second_open_ticket_is_a_conflict(bot_service):
    interaction = bot_service.create_interaction(customer_id="CUST-006", channel="phone")
    bot_service.create_handoff_ticket(interaction_id=interaction["interaction_id"], reason="Dispute")

    with pytest.raises(Conflict) as caught:
        bot_service.create_handoff_ticket(interaction_id=interaction["interaction_id"], reason="Again")

    assert not isinstance(caught.value, InvalidTransition) and caught.value.type == "conflict"
    assert HandoffTicket.objects.filter(interaction_id=interaction["interaction_id"]).count() == 1


def test_a_bad_token_is_authentication_failed(live_server_url, tokens):
    with DatabaseService(base_url=live_server_url, token="not-a-real-token") as service:
        with pytest.raises(AuthenticationFailed) as caught:
            service.create_interaction(customer_id="CUST-007", channel="phone")

    assert (caught.value.status, caught.value.type) == (401, "authentication_failed")
    assert not Interaction.objects.exists()


def test_roles_the_api_refuses_are_permission_denied(bot_service, tokens):
    interaction = bot_service.create_interaction(customer_id="CUST-008", channel="phone")
    ticket = bot_service.create_handoff_ticket(interaction_id=interaction["interaction_id"], reason="Dispute")

    with pytest.raises(PermissionDenied) as assigning:
        bot_service.assign_ticket_to_agent(ticket_id=ticket["ticket_id"], agent="alice")  # a bot is no supervisor
    with pytest.raises(PermissionDenied):
        bot_service.get_daily_metrics(date_from="2026-01-01", date_to="2026-01-02")
    bot_service.assign_ticket_to_agent(ticket_id=ticket["ticket_id"], agent="sam", actor=tokens.supervisor)
    with pytest.raises(PermissionDenied) as resolving:  # alice does not hold the ticket
        bot_service.resolve_ticket(
            ticket_id=ticket["ticket_id"], resolution_notes="x", reason_code="other", actor=tokens.agent
        )

    assert (assigning.value.status, assigning.value.type) == (403, "permission_denied")
    assert "held by sam" in resolving.value.detail
    stored = HandoffTicket.objects.get(pk=ticket["ticket_id"])
    assert (stored.status, stored.assigned_agent.username) == ("assigned", "sam")
