"""POST /api/v1/turns/: a whole bot turn in one request and one transaction."""

import threading
import uuid

import pytest
from django.db import connection

from callbot_site import turns
from crm.models import CrmAction
from handoff.models import HandoffTicket
from interactions.models import ConversationMessage, Interaction, ResponseLog
from tests.handoff.factories import QueueFactory
from tests.interactions.factories import ConversationMessageFactory, InteractionFactory

pytestmark = pytest.mark.django_db

# token, roles, the turn's savepoint (+ release: tests run inside a transaction), row lock, MAX(turn),
# CRM action's approval rule (crm.ActionRule, one primary-key read) and INSERT, response log, both messages
# in one INSERT
TURN_QUERY_BUDGET = 10


def test_first_turn_creates_the_interaction_and_records_every_part(bot_client):
    response = bot_client.post(
        "/api/v1/turns/",
        {
            "interaction": {"customer_id": "C-1", "channel": "phone", "intent": "update_address"},
            "message": {"message": "Je déménage", "metadata": {"asr_confidence": 0.93}},
            # Not gated: a first turn cannot carry an approved proposal (tests/api/test_approvals_api.py does).
            "crm_action": {"action_type": "check_policy_status", "input_data": {"city": "Lyon"}},
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
    QueueFactory(name="claims")  # bots name existing queues only
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


def test_first_turn_query_budget(bot_client, django_assert_max_num_queries):
    body = {
        "interaction": {"customer_id": "C-7", "channel": "phone"},
        "message": {"message": "Allô"},
        "crm_action": {"action_type": "check_policy_status"},
        "response": {"response_text": "Votre contrat est actif."},
    }
    # a new interaction: its INSERT instead of the row lock, and no MAX(turn) to read
    with django_assert_max_num_queries(TURN_QUERY_BUDGET - 1):
        response = bot_client.post("/api/v1/turns/", body, format="json")
    assert response.status_code == 201
    transcript = ConversationMessage.objects.filter(interaction_id=response.json()["interaction_id"])
    assert list(transcript.values_list("turn_number", "speaker")) == [(1, "customer"), (2, "agent")]


def test_an_explicit_turn_number_is_kept_and_the_bot_answer_follows_it(bot_client):
    interaction = InteractionFactory()
    ConversationMessageFactory(interaction=interaction, turn_number=1)
    body = {
        "interaction_id": str(interaction.pk),
        "message": {"message": "Encore moi", "turn_number": 5},
        "response": {"response_text": "Je vous écoute."},
        "status": "completed",
    }
    response = bot_client.post("/api/v1/turns/", body, format="json")
    assert response.status_code == 201
    assert (response.json()["turn_number"], response.json()["interaction_status"]) == (5, "completed")
    turns_after = ConversationMessage.objects.filter(interaction=interaction, turn_number__gt=1)
    assert list(turns_after.values_list("turn_number", "speaker")) == [(5, "customer"), (6, "agent")]
    stored = Interaction.objects.get(pk=interaction.pk)
    assert stored.status == "completed" and stored.resolved_at is not None
    taken = bot_client.post(
        "/api/v1/turns/",
        {"interaction_id": str(InteractionFactory().pk), "message": {"message": "x", "turn_number": 1}},
        format="json",
    )
    assert taken.status_code == 201
    again = bot_client.post(
        "/api/v1/turns/",
        {"interaction_id": taken.json()["interaction_id"], "message": {"message": "y", "turn_number": 1}},
        format="json",
    )
    assert again.status_code == 409


@pytest.mark.django_db(transaction=True)
def test_concurrent_turns_on_one_interaction_get_consecutive_turn_numbers():
    interaction = InteractionFactory()
    errors = []

    def bot(n):
        try:
            for i in range(4):
                turns.record_turn(
                    interaction_id=interaction.pk,
                    message={"message": f"bot {n} question {i}"},
                    response={"response_text": f"bot {n} answer {i}"},
                )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=bot, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    transcript = list(
        ConversationMessage.objects.filter(interaction=interaction)
        .order_by("turn_number")
        .values_list("turn_number", "speaker", "message")
    )
    assert [row[0] for row in transcript] == list(range(1, 33))
    # each turn's question and answer are adjacent: the lock covers the whole turn
    for question, answer in zip(transcript[::2], transcript[1::2], strict=True):
        assert (question[1], answer[1]) == ("customer", "agent")
        assert answer[2] == question[2].replace("question", "answer")


def test_messages_record_the_account_that_sent_them(bot_client, bot, agent_client, agent):
    turn = bot_client.post(
        "/api/v1/turns/",
        {
            "interaction": {"customer_id": "C-7", "channel": "chat"},
            "message": {"message": "Bonjour"},
            "response": {"response_text": "Bonjour, que puis-je faire ?"},
        },
        format="json",
    ).json()
    url = f"/api/v1/interactions/{turn['interaction_id']}/messages/"
    assert agent_client.post(url, {"speaker": "agent", "message": "Je reprends."}, format="json").status_code == 201
    authors = list(
        ConversationMessage.objects.filter(interaction_id=turn["interaction_id"])
        .order_by("turn_number")
        .values_list("turn_number", "author__username")
    )
    assert authors == [(1, bot.username), (2, bot.username), (3, agent.username)]
