"""POST /api/v1/turns/: a whole bot turn in one request and one transaction."""

import uuid

import pytest

from crm.models import CrmAction
from handoff.models import HandoffTicket
from interactions.models import ConversationMessage, Interaction, ResponseLog
from tests.interactions.factories import ConversationMessageFactory, InteractionFactory

pytestmark = pytest.mark.django_db

TURN_QUERY_BUDGET = 20  # auth, roles, savepoints, row lock, inserts: constant per turn


def test_first_turn_creates_the_interaction_and_records_every_part(bot_client):
    response = bot_client.post(
        "/api/v1/turns/",
        {
            "interaction": {"customer_id": "C-1", "channel": "phone", "intent": "update_address"},
            "message": {"message": "Je déménage", "metadata": {"asr_confidence": 0.93}},
            "crm_action": {"action_type": "update_address", "input_data": {"city": "Lyon"}},
            "response": {"response_text": "C'est noté.", "tone": "friendly", "model_used": "gpt-4o-mini"},
            "status": "completed",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["created"], body["turn_number"], body["interaction_status"], body["ticket_id"]) == (
        True,
        1,
        "completed",
        None,
    )
    interaction = Interaction.objects.get(pk=body["interaction_id"])
    assert interaction.status == "completed"
    transcript = list(ConversationMessage.objects.filter(interaction=interaction).values_list("speaker", "message"))
    assert transcript == [("customer", "Je déménage"), ("agent", "C'est noté.")]
    assert CrmAction.objects.get(pk=body["action_id"]).customer_id == "C-1"
    assert ResponseLog.objects.get(pk=body["response_log_id"]).model_used == "gpt-4o-mini"


def test_next_turn_continues_the_interaction_and_can_open_a_handoff(bot_client):
    interaction = InteractionFactory()
    ConversationMessageFactory(interaction=interaction, turn_number=1)
    response = bot_client.post(
        "/api/v1/turns/",
        {
            "interaction_id": str(interaction.pk),
            "message": {"message": "Je veux un humain"},
            "response": {"response_text": "Je vous passe un conseiller.", "add_to_transcript": False},
            "handoff": {"reason": "Customer asked for a human", "priority": "high", "queue_name": "claims"},
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["created"], body["turn_number"], body["interaction_status"]) == (False, 2, "in_progress")
    assert body["response_message_id"] is None
    assert HandoffTicket.objects.get(pk=body["ticket_id"]).queue_id == "claims"
    assert ConversationMessage.objects.filter(interaction=interaction).count() == 2


def test_a_failing_part_rolls_the_whole_turn_back(bot_client):
    interaction = InteractionFactory()
    first = bot_client.post(
        "/api/v1/turns/",
        {"interaction_id": str(interaction.pk), "message": {"message": "1"}, "handoff": {"reason": "first"}},
        format="json",
    )
    assert first.status_code == 201
    second = bot_client.post(
        "/api/v1/turns/",
        {
            "interaction_id": str(interaction.pk),
            "message": {"message": "2"},
            "crm_action": {"action_type": "get_customer_info"},
            "handoff": {"reason": "second"},
        },
        format="json",
    )
    assert second.status_code == 409
    assert ConversationMessage.objects.filter(interaction=interaction).count() == 1
    assert not CrmAction.objects.exists()
    assert HandoffTicket.objects.filter(interaction=interaction).count() == 1


def test_turn_400_404_409(bot_client):
    neither = bot_client.post("/api/v1/turns/", {"message": {"message": "x"}}, format="json")
    assert neither.status_code == 400 and "interaction_id" in neither.json()["errors"]
    nested = bot_client.post(
        "/api/v1/turns/",
        {"interaction": {"customer_id": "C", "channel": "pigeon"}, "message": {"message": "x"}},
        format="json",
    )
    assert nested.status_code == 400 and list(nested.json()["errors"]) == ["interaction.channel"]
    missing = bot_client.post(
        "/api/v1/turns/", {"interaction_id": str(uuid.uuid4()), "message": {"message": "x"}}, format="json"
    )
    assert missing.status_code == 404
    finished = InteractionFactory(status="completed")
    closed = bot_client.post(
        "/api/v1/turns/", {"interaction_id": str(finished.pk), "message": {"message": "x"}}, format="json"
    )
    assert closed.status_code == 409
    assert not Interaction.objects.exclude(pk=finished.pk).exists()


def test_turn_query_budget(bot_client, django_assert_max_num_queries):
    interaction = InteractionFactory()
    body = {
        "interaction_id": str(interaction.pk),
        "message": {"message": "Allô"},
        "crm_action": {"action_type": "check_policy_status"},
        "response": {"response_text": "Votre contrat est actif."},
    }
    with django_assert_max_num_queries(TURN_QUERY_BUDGET):
        assert bot_client.post("/api/v1/turns/", body, format="json").status_code == 201
