"""core.prepared_sql: the bot turn's prepared INSERTs and primary-key read behave like the ORM's."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_init, post_save, pre_save

from core import prepared_sql
from crm.models import ActionRule, CrmAction
from interactions.models import ConversationMessage, Interaction, ResponseLog
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db

# Every model written or read through prepared_sql; it sends no model signal, so none may have a receiver.
MODELS = (Interaction, ConversationMessage, ResponseLog, CrmAction, ActionRule)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_no_model_signal_receiver_would_be_skipped(model):
    assert not any(signal.has_listeners(model) for signal in (pre_save, post_save, post_init))


def test_an_inserted_row_reads_back_as_the_orm_wrote_it():
    interaction = prepared_sql.create(
        Interaction, customer_id="CUST-9", channel="chat", intent="claim", confidence_score=0.875
    )
    stored = Interaction.objects.get(pk=interaction.pk)
    assert (stored.customer_id, stored.channel, stored.intent, str(stored.confidence_score)) == (
        "CUST-9",
        "chat",
        "claim",
        "0.875",
    )
    assert (stored.status, stored.created_at) == ("pending", interaction.created_at)
    assert not interaction._state.adding


def test_several_rows_go_in_one_statement_with_json_and_foreign_keys():
    interaction = InteractionFactory()
    rows = [
        ConversationMessage(interaction=interaction, speaker="customer", message="a", turn_number=1, metadata={"x": 1}),
        ConversationMessage(interaction=interaction, speaker="agent", message="b", turn_number=2, metadata={}),
    ]
    prepared_sql.insert(rows)
    stored = list(interaction.messages.order_by("turn_number").values_list("message", "metadata"))
    assert stored == [("a", {"x": 1}), ("b", {})]


def test_a_constraint_violation_is_djangos_integrity_error():
    interaction = InteractionFactory()
    message = {"interaction": interaction, "speaker": "customer", "message": "a", "turn_number": 1}
    prepared_sql.create(ConversationMessage, **message)
    with pytest.raises(IntegrityError), transaction.atomic():
        prepared_sql.create(ConversationMessage, **message)
    assert interaction.messages.count() == 1


def test_get_or_none_reads_a_row_or_none():
    ActionRule.objects.update_or_create(action_type="update_address", defaults={"requires_approval": False})
    rule = prepared_sql.get_or_none(ActionRule, "update_address")
    assert (rule.action_type, rule.requires_approval, rule._state.adding) == ("update_address", False, False)
    assert prepared_sql.get_or_none(ActionRule, "no_such_type") is None


def test_the_statements_are_counted_like_any_query(django_assert_num_queries):
    interaction = InteractionFactory()
    with django_assert_num_queries(2) as captured:
        prepared_sql.create(ResponseLog, interaction=interaction, response_text="ok")
        prepared_sql.get_or_none(ActionRule, "update_address")
    assert captured.captured_queries[0]["sql"].startswith(f'INSERT INTO "{ResponseLog._meta.db_table}"')
    assert connection.in_atomic_block  # the test's transaction: the statements ran inside it
