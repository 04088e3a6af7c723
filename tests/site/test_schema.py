"""The database itself: constraints, database-level cascades, the seed's SQL views, migrations in sync."""

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from crm.models import CrmAction
from handoff.models import AgentNotification, HandoffTicket, TicketEvent
from interactions.models import ConversationMessage, ResponseLog
from tests.crm.factories import CrmActionFactory, CustomerFactory
from tests.handoff.factories import AgentNotificationFactory, HandoffTicketFactory, TicketEventFactory
from tests.interactions.factories import ConversationMessageFactory, InteractionFactory, ResponseLogFactory

pytestmark = pytest.mark.django_db


def test_models_and_migrations_are_in_sync():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE interactions SET confidence_score = 1.5",
        "UPDATE interactions SET status = 'archived'",
        "UPDATE conversation_messages SET speaker = 'robot'",
        "UPDATE response_logs SET tone = 'sarcastic'",
        "UPDATE crm_actions SET action_type = 'delete_customer'",
        "UPDATE customers SET segment = 'gold'",
        "UPDATE handoff_tickets SET priority = 'urgent'",
        "UPDATE handoff_tickets SET status = 'assigned'",  # no holder: refused
        "UPDATE agent_notifications SET notification_type = 'spam'",
    ],
)
def test_check_constraints_refuse_values_written_behind_the_orm(sql):
    CustomerFactory()
    ConversationMessageFactory()
    ResponseLogFactory()
    CrmActionFactory()
    AgentNotificationFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_turn_numbers_are_unique_per_interaction():
    message = ConversationMessageFactory(turn_number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConversationMessageFactory(interaction=message.interaction, turn_number=1)


def test_deleting_an_interaction_in_sql_cascades_to_everything_that_hangs_on_it():
    interaction = InteractionFactory()
    ConversationMessageFactory(interaction=interaction)
    ResponseLogFactory(interaction=interaction)
    CrmActionFactory(interaction=interaction)
    ticket = HandoffTicketFactory(interaction=interaction)
    AgentNotificationFactory(ticket=ticket)
    TicketEventFactory(ticket=ticket)
    survivor = ConversationMessageFactory()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM interactions WHERE interaction_id = %s", [interaction.pk])
    for model in (ResponseLog, CrmAction, HandoffTicket, AgentNotification, TicketEvent):
        assert model.objects.count() == 0, model
    assert list(ConversationMessage.objects.values_list("pk", flat=True)) == [survivor.pk]


def test_seed_views_answer_from_psql():
    customer = CustomerFactory(customer_id="CUST-42", name="Ada Lovelace")
    interaction = InteractionFactory(customer_id=customer.pk)
    ConversationMessageFactory(interaction=interaction, turn_number=1, message="first")
    ConversationMessageFactory(interaction=interaction, turn_number=2, message="last words")
    HandoffTicketFactory(interaction=interaction, customer_id=customer.pk, priority="high")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_message, last_turn_number FROM v_interactions_with_last_message WHERE interaction_id = %s",
            [interaction.pk],
        )
        assert cursor.fetchone() == ("last words", 2)
        cursor.execute("SELECT customer_name, priority, status, channel FROM v_handoff_tickets_full")
        assert cursor.fetchall() == [("Ada Lovelace", "high", "queued", "phone")]
        cursor.execute("SELECT count(*) FROM v_daily_metrics")
        assert cursor.fetchone()[0] >= 0
