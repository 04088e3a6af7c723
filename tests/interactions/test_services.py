import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from interactions import selectors, services
from interactions.models import ConversationMessage, Interaction, ResponseLog
from tests.interactions.factories import ConversationMessageFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def test_create_interaction_stores_a_pending_interaction():
    interaction = services.create_interaction(
        customer_id="CUST-001",
        channel="phone",
        intent="update_address",
        emotion="calm",
        urgency="medium",
        confidence_score=0.87,
    )
    stored = Interaction.objects.get(pk=interaction.pk)
    assert (stored.status, stored.channel, stored.urgency) == ("pending", "phone", "medium")
    assert stored.confidence_score == Decimal("0.870")


@pytest.mark.parametrize(
    "field, value",
    [("channel", "fax"), ("urgency", "critical"), ("confidence_score", 1.5), ("confidence_score", -0.1)],
)
def test_create_interaction_refuses_values_outside_the_allowed_ones(field, value):
    kwargs = {"customer_id": "CUST-001", "channel": "phone", field: value}
    with pytest.raises(InvalidInput) as error:
        services.create_interaction(**kwargs)
    assert field in error.value.errors
    assert Interaction.objects.count() == 0


def test_create_interaction_requires_a_customer():
    with pytest.raises(InvalidInput) as error:
        services.create_interaction(customer_id="", channel="chat")
    assert "customer_id" in error.value.errors


def test_database_refuses_an_invalid_channel_even_without_the_service():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        InteractionFactory(channel="pigeon")


def test_messages_get_consecutive_turn_numbers_when_omitted():
    interaction = InteractionFactory()
    first = services.add_conversation_message(interaction_id=interaction.pk, speaker="customer", message="Bonjour")
    second = services.add_conversation_message(interaction_id=interaction.pk, speaker="agent", message="Bonjour !")
    assert (first.turn_number, second.turn_number) == (1, 2)
    history = list(selectors.get_conversation_history(interaction_id=interaction.pk))
    assert [m.message for m in history] == ["Bonjour", "Bonjour !"]


def test_an_explicit_turn_number_that_exists_is_a_conflict():
    message = ConversationMessageFactory(turn_number=1)
    with pytest.raises(Conflict):
        services.add_conversation_message(
            interaction_id=message.interaction_id, speaker="customer", message="again", turn_number=1
        )
    assert ConversationMessage.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs, field",
    [({"speaker": "robot"}, "speaker"), ({"message": ""}, "message"), ({"turn_number": 0}, "turn_number")],
)
def test_add_conversation_message_refuses_bad_input(kwargs, field):
    interaction = InteractionFactory()
    arguments = {"interaction_id": interaction.pk, "speaker": "customer", "message": "hi", **kwargs}
    with pytest.raises(InvalidInput) as error:
        services.add_conversation_message(**arguments)
    assert field in error.value.errors


@pytest.mark.parametrize("interaction_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_unknown_interactions_are_not_found(interaction_id):
    with pytest.raises(NotFound):
        services.add_conversation_message(interaction_id=interaction_id, speaker="customer", message="hi")
    with pytest.raises(NotFound):
        services.log_response(interaction_id=interaction_id, response_text="hi")
    with pytest.raises(NotFound):
        selectors.get_conversation_history(interaction_id=interaction_id)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_collide_on_turn_numbers():
    interaction = InteractionFactory()
    errors = []

    def write(n):
        try:
            for i in range(5):
                services.add_conversation_message(
                    interaction_id=interaction.pk, speaker="customer", message=f"writer {n} message {i}"
                )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    turns = sorted(ConversationMessage.objects.filter(interaction=interaction).values_list("turn_number", flat=True))
    assert turns == list(range(1, 21))


def test_completing_an_interaction_records_resolution_time():
    interaction = InteractionFactory()
    services.update_interaction_status(interaction_id=interaction.pk, status="in_progress")
    done = services.update_interaction_status(interaction_id=interaction.pk, status="completed", assigned_agent="bot")
    stored = Interaction.objects.get(pk=interaction.pk)
    assert stored.status == "completed" and stored.assigned_agent == "bot"
    assert stored.resolved_at == done.resolved_at is not None
    assert stored.resolution_time_seconds == int((stored.resolved_at - stored.created_at).total_seconds())


@pytest.mark.parametrize("final", ["completed", "failed"])
def test_a_finished_interaction_cannot_move_again(final):
    interaction = InteractionFactory(status=final)
    with pytest.raises(InvalidTransition) as error:
        services.update_interaction_status(interaction_id=interaction.pk, status="in_progress")
    assert error.value.current == final and error.value.target == "in_progress"
    assert Interaction.objects.get(pk=interaction.pk).status == final


def test_update_interaction_status_refuses_unknown_status():
    interaction = InteractionFactory()
    with pytest.raises(InvalidInput) as error:
        services.update_interaction_status(interaction_id=interaction.pk, status="archived")
    assert "status" in error.value.errors


def test_log_response_stores_the_bot_answer():
    interaction = InteractionFactory()
    services.log_response(
        interaction_id=interaction.pk,
        response_text="Votre adresse est mise à jour.",
        tone="friendly",
        confidence_score=0.9,
        execution_time_ms=240,
        model_used="gpt-4o",
    )
    log = ResponseLog.objects.get(interaction=interaction)
    assert (log.tone, log.execution_time_ms, log.model_used) == ("friendly", 240, "gpt-4o")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"tone": "sarcastic"}, "tone"),
        ({"confidence_score": 2}, "confidence_score"),
        ({"execution_time_ms": -1}, "execution_time_ms"),
        ({"response_text": ""}, "response_text"),
    ],
)
def test_log_response_refuses_bad_input(kwargs, field):
    interaction = InteractionFactory()
    with pytest.raises(InvalidInput) as error:
        services.log_response(**{"interaction_id": interaction.pk, "response_text": "ok", **kwargs})
    assert field in error.value.errors
    assert ResponseLog.objects.count() == 0


def test_append_messages_numbers_a_batch_after_the_last_turn_in_one_insert(django_assert_num_queries):
    interaction = InteractionFactory()
    ConversationMessageFactory(interaction=interaction, turn_number=3)
    locked = services.get_interaction_for_update(interaction.pk)
    with django_assert_num_queries(2):  # MAX(turn_number), one INSERT for the batch
        messages = services.append_messages(
            interaction=locked,
            messages=[
                {"speaker": "customer", "message": "Bonjour", "metadata": {"asr": 0.9}},
                {"speaker": "agent", "message": "Bonjour !"},
            ],
        )
    stored = list(
        ConversationMessage.objects.filter(interaction=interaction, turn_number__gt=3).values_list(
            "turn_number", "speaker", "metadata"
        )
    )
    assert stored == [(4, "customer", {"asr": 0.9}), (5, "agent", {})]
    assert [message.turn_number for message in messages] == [4, 5]


def test_append_messages_to_a_new_interaction_starts_at_one_without_reading_the_transcript(
    django_assert_num_queries,
):
    interaction = services.create_interaction(customer_id="CUST-9", channel="chat")
    with django_assert_num_queries(1):
        services.append_messages(
            interaction=interaction,
            messages=[{"speaker": "customer", "message": "a"}, {"speaker": "agent", "message": "b"}],
            transcript_empty=True,
        )
    assert list(ConversationMessage.objects.values_list("turn_number", flat=True).order_by("turn_number")) == [1, 2]


def test_append_messages_numbers_after_an_explicit_turn_and_refuses_a_taken_one():
    interaction = InteractionFactory()
    ConversationMessageFactory(interaction=interaction, turn_number=1)
    messages = services.append_messages(
        interaction=interaction,
        messages=[{"speaker": "customer", "message": "late", "turn_number": 7}, {"speaker": "agent", "message": "ok"}],
    )
    assert [message.turn_number for message in messages] == [7, 8]
    with pytest.raises(Conflict):
        services.append_messages(
            interaction=interaction,
            messages=[{"speaker": "customer", "message": "x"}, {"speaker": "agent", "message": "y", "turn_number": 9}],
        )
    assert ConversationMessage.objects.filter(interaction=interaction).count() == 3


def test_append_messages_checks_every_message_before_writing():
    interaction = InteractionFactory()
    with pytest.raises(InvalidInput) as error:
        services.append_messages(
            interaction=interaction,
            messages=[{"speaker": "customer", "message": "fine"}, {"speaker": "robot", "message": "no"}],
        )
    assert "speaker" in error.value.errors
    assert not ConversationMessage.objects.exists()


def test_a_held_interaction_changes_status_in_one_update(django_assert_num_queries):
    interaction = services.get_interaction_for_update(InteractionFactory().pk)
    with django_assert_num_queries(1):
        services.update_interaction_status(interaction=interaction, status="failed")
    stored = Interaction.objects.get(pk=interaction.pk)
    assert stored.status == "failed" and stored.resolved_at is not None
    with pytest.raises(InvalidTransition):
        services.update_interaction_status(interaction=stored, status="in_progress")


def test_log_response_for_a_held_interaction_skips_the_lookup(django_assert_num_queries):
    interaction = InteractionFactory()
    with django_assert_num_queries(1):
        log = services.log_response(interaction=interaction, response_text="Bien reçu.")
    assert ResponseLog.objects.get(pk=log.pk).interaction_id == interaction.pk


@pytest.mark.parametrize("final", ["completed", "failed"])
def test_a_finished_interaction_takes_no_more_messages(final):
    interaction = InteractionFactory(status=final)
    with pytest.raises(Conflict):
        services.add_conversation_message(interaction_id=interaction.pk, speaker="customer", message="allo ?")
    assert not ConversationMessage.objects.filter(interaction=interaction).exists()
