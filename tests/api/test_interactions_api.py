"""Interactions endpoints: create, list with filters, detail, transcript, status and responses."""

import datetime
import uuid

import pytest
from django.utils import timezone

from interactions.models import ConversationMessage, Interaction, ResponseLog
from tests.handoff.factories import HandoffTicketFactory
from tests.interactions.factories import ConversationMessageFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def test_create_interaction_returns_201_pending_and_stores_it(bot_client):
    response = bot_client.post(
        "/api/v1/interactions/",
        {"customer_id": "C1", "channel": "phone", "intent": "update_address", "confidence_score": 0.9876},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending" and body["confidence_score"] == 0.988
    stored = Interaction.objects.get(pk=body["interaction_id"])
    assert (stored.customer_id, stored.channel, str(stored.confidence_score)) == ("C1", "phone", "0.988")


def test_create_interaction_with_unknown_channel_names_field_and_allowed_values(bot_client):
    response = bot_client.post("/api/v1/interactions/", {"customer_id": "C1", "channel": "fax"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert body["errors"] == {"channel": ["'fax' is not allowed; allowed: phone, chat, email."]}
    assert not Interaction.objects.exists()


def test_create_interaction_refuses_unknown_fields_and_out_of_range_scores(bot_client):
    response = bot_client.post(
        "/api/v1/interactions/",
        {"customer_id": "C1", "channel": "phone", "confidence_score": 1.5, "prority": "high"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"prority"}


def test_list_interactions_filters_and_paginates_with_a_cursor(bot_client):
    old = InteractionFactory(customer_id="C1", channel="chat")
    Interaction.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    recent = [InteractionFactory(customer_id="C1", channel="phone") for _ in range(3)]
    InteractionFactory(customer_id="C2", channel="phone", status="completed")

    response = bot_client.get("/api/v1/interactions/", {"customer_id": "C1", "page_size": 2})
    assert response.status_code == 200
    first = response.json()
    assert [row["interaction_id"] for row in first["results"]] == [str(i.pk) for i in reversed(recent)][:2]
    second = bot_client.get(first["next"]).json()
    assert [row["interaction_id"] for row in second["results"]] == [str(recent[0].pk), str(old.pk)]

    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    filtered = bot_client.get(
        "/api/v1/interactions/", {"channel": "phone", "status": "pending", "created_after": since}
    )
    assert {row["interaction_id"] for row in filtered.json()["results"]} == {str(i.pk) for i in recent}


def test_list_interactions_with_invalid_filter_is_400(bot_client):
    response = bot_client.get("/api/v1/interactions/", {"status": "lost", "created_after": "yesterday"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "created_after"}


def test_get_interaction_and_404_for_unknown_or_malformed_ids(bot_client):
    interaction = InteractionFactory()
    assert bot_client.get(f"/api/v1/interactions/{interaction.pk}/").json()["customer_id"] == interaction.customer_id
    for unknown in (uuid.uuid4(), "not-a-uuid"):
        response = bot_client.get(f"/api/v1/interactions/{unknown}/")
        assert response.status_code == 404
        assert response.json() == {
            "type": "not_found",
            "detail": f"Interaction {unknown} does not exist.",
            "errors": {},
        }


def test_add_message_appends_the_next_turn_and_history_is_in_turn_order(bot_client):
    interaction = InteractionFactory()
    ConversationMessageFactory(interaction=interaction, turn_number=2, message="second")
    ConversationMessageFactory(interaction=interaction, turn_number=1, message="first")
    url = f"/api/v1/interactions/{interaction.pk}/messages/"
    response = bot_client.post(url, {"speaker": "agent", "message": "third", "metadata": {"asr": 0.9}}, format="json")
    assert response.status_code == 201 and response.json()["turn_number"] == 3
    history = bot_client.get(url).json()["results"]
    assert [m["message"] for m in history] == ["first", "second", "third"]


def test_add_message_errors_400_404_409(bot_client):
    interaction = InteractionFactory()
    ConversationMessageFactory(interaction=interaction, turn_number=1)
    url = f"/api/v1/interactions/{interaction.pk}/messages/"
    bad = bot_client.post(url, {"speaker": "robot", "message": "x", "metadata": ["not", "an", "object"]}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"speaker", "metadata"}
    nul = bot_client.post(url, {"speaker": "agent", "message": "x", "metadata": {"k": "a\u0000b"}}, format="json")
    assert nul.status_code == 400 and "metadata" in nul.json()["errors"]
    missing = bot_client.post(f"/api/v1/interactions/{uuid.uuid4()}/messages/", {"speaker": "agent", "message": "x"})
    assert missing.status_code == 404
    taken = bot_client.post(url, {"speaker": "agent", "message": "x", "turn_number": 1}, format="json")
    assert taken.status_code == 409 and taken.json()["type"] == "conflict"
    assert "turn_number" in taken.json()["errors"]
    assert ConversationMessage.objects.filter(interaction=interaction).count() == 1


def test_status_transitions_200_then_409_from_a_final_status(bot_client, agent):
    interaction = InteractionFactory()
    url = f"/api/v1/interactions/{interaction.pk}/status/"
    done = bot_client.post(url, {"status": "completed", "assigned_agent": "alice"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert done.json()["resolution_time_seconds"] is not None
    again = bot_client.post(url, {"status": "in_progress"}, format="json")
    assert again.status_code == 409
    body = again.json()
    assert body["type"] == "invalid_transition" and "from 'completed' to 'in_progress'" in body["detail"]
    assert Interaction.objects.get(pk=interaction.pk).status == "completed"
    assert bot_client.post(url, {"status": "closed"}, format="json").status_code == 400


def test_assigned_agent_must_name_an_active_agent(bot_client, agent, bot):
    """A bot may not write any name it likes as the person who handled a customer."""
    url = f"/api/v1/interactions/{InteractionFactory().pk}/status/"
    for name in ("the-ceo", bot.username):
        refused = bot_client.post(url, {"status": "in_progress", "assigned_agent": name}, format="json")
        assert refused.status_code == 400 and "assigned_agent" in refused.json()["errors"]
        assert "active agent" in refused.json()["errors"]["assigned_agent"][0]
    agent.is_active = False
    agent.save()
    gone = bot_client.post(url, {"status": "in_progress", "assigned_agent": "alice"}, format="json")
    assert gone.status_code == 400
    assert Interaction.objects.get().status == "pending" and Interaction.objects.get().assigned_agent == ""
    assert bot_client.post(f"/api/v1/interactions/{uuid.uuid4()}/status/", {"status": "failed"}).status_code == 404


def test_log_response_201_400_404(bot_client):
    interaction = InteractionFactory()
    url = f"/api/v1/interactions/{interaction.pk}/responses/"
    ok = bot_client.post(
        url, {"response_text": "C'est noté.", "tone": "friendly", "execution_time_ms": 310}, format="json"
    )
    assert ok.status_code == 201
    assert ResponseLog.objects.get(pk=ok.json()["log_id"]).tone == "friendly"
    bad = bot_client.post(url, {"response_text": "x", "tone": "rude", "execution_time_ms": -1}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"tone", "execution_time_ms"}
    huge = bot_client.post(url, {"response_text": "x", "execution_time_ms": 2**40}, format="json")
    assert huge.status_code == 400
    assert bot_client.post(f"/api/v1/interactions/{uuid.uuid4()}/responses/", {"response_text": "x"}).status_code == 404


def test_a_bot_cannot_finish_an_interaction_that_a_human_agent_holds(bot_client):
    ticket = HandoffTicketFactory()
    url = f"/api/v1/interactions/{ticket.interaction_id}/status/"
    response = bot_client.post(url, {"status": "completed"}, format="json")
    assert response.status_code == 409 and "status" in response.json()["errors"]
    assert Interaction.objects.get(pk=ticket.interaction_id).status == "in_progress"
    turn = bot_client.post(
        "/api/v1/turns/",
        {"interaction_id": str(ticket.interaction_id), "message": {"message": "merci"}, "status": "completed"},
        format="json",
    )
    assert turn.status_code == 409
    assert Interaction.objects.get(pk=ticket.interaction_id).status == "in_progress"


def test_a_finished_interaction_takes_no_more_messages(bot_client):
    interaction = InteractionFactory(status="completed")
    response = bot_client.post(
        f"/api/v1/interactions/{interaction.pk}/messages/", {"speaker": "customer", "message": "allo ?"}, format="json"
    )
    assert response.status_code == 409
    assert not ConversationMessage.objects.filter(interaction=interaction).exists()
