"""purge_old_data: deletes old interactions with every child row, in batches; keeps those with an open
handoff ticket; dry-run; bad input."""

import datetime
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from analytics.services import purge_old_data, retention
from core.errors import Conflict, InvalidInput
from crm.models import ActionProposal, CrmAction
from handoff.models import AgentNotification, HandoffTicket, TicketEvent, TicketNote
from idempotency.models import IdempotencyKey
from interactions.models import ConversationMessage, Interaction, ResponseLog
from tests.analytics.factories import backdate
from tests.api.factories import IdempotencyKeyFactory
from tests.crm.factories import ActionProposalFactory, CrmActionFactory, ProposalEventFactory
from tests.handoff.factories import AgentFactory, AgentNotificationFactory, HandoffTicketFactory, TicketEventFactory
from tests.interactions.factories import ConversationMessageFactory, InteractionFactory, ResponseLogFactory

CHILD_MODELS = (
    ConversationMessage,
    ResponseLog,
    CrmAction,
    ActionProposal,
    HandoffTicket,
    AgentNotification,
    TicketEvent,
    TicketNote,
)


def interaction_with_children(age_days: int) -> Interaction:
    interaction = InteractionFactory(status="in_progress")
    backdate(interaction, created_at=timezone.now() - datetime.timedelta(days=age_days))
    ConversationMessageFactory(interaction=interaction, turn_number=1)
    ConversationMessageFactory(interaction=interaction, turn_number=2)
    ResponseLogFactory(interaction=interaction)
    CrmActionFactory(interaction=interaction)
    ProposalEventFactory(proposal=ActionProposalFactory(interaction=interaction))
    ticket = HandoffTicketFactory(interaction=interaction, status="resolved", resolved_at=timezone.now())
    AgentNotificationFactory(ticket=ticket)
    TicketEventFactory(ticket=ticket)
    TicketNote.objects.create(ticket=ticket, author=AgentFactory(), body="Called the customer back.")
    return interaction


@pytest.fixture
def old_and_recent(db):
    old = [interaction_with_children(age_days=91 + n) for n in range(3)]
    recent = [interaction_with_children(age_days=89), interaction_with_children(age_days=0)]
    return old, recent


def remaining_interactions() -> set:
    return set(Interaction.objects.values_list("pk", flat=True))


def test_purge_deletes_old_interactions_and_everything_hanging_on_them(old_and_recent):
    old, recent = old_and_recent

    report = purge_old_data(days=90, batch_size=2)

    assert remaining_interactions() == {interaction.pk for interaction in recent}
    for model in CHILD_MODELS:
        assert (
            model.objects.count()
            == model.objects.filter(
                **{"interaction__in" if hasattr(model, "interaction") else "ticket__interaction__in": recent}
            ).count()
        )
    assert report.removed == {
        "agent_notifications": 3,
        "handoff_ticket_events": 3,
        "handoff_ticket_notes": 3,
        "handoff_tickets": 3,
        "conversation_messages": 6,
        "response_logs": 3,
        "crm_proposal_events": 3,
        "crm_action_proposals": 3,
        "crm_actions": 3,
        "interactions": 3,
    }
    assert report.batches == 2  # 2 + 1 interactions


@pytest.mark.parametrize("open_status", ["queued", "assigned", "in_progress"])
def test_an_old_interaction_with_an_open_handoff_ticket_is_kept_and_counted(old_and_recent, open_status):
    old, recent = old_and_recent
    worked_on = InteractionFactory(status="in_progress")
    backdate(worked_on, created_at=timezone.now() - datetime.timedelta(days=200))
    agent = None if open_status == "queued" else AgentFactory()
    open_ticket = HandoffTicketFactory(interaction=worked_on, status=open_status, assigned_agent=agent)
    ConversationMessageFactory(interaction=worked_on, turn_number=1)

    report = purge_old_data(days=90, batch_size=2)

    assert remaining_interactions() == {worked_on.pk} | {interaction.pk for interaction in recent}
    assert HandoffTicket.objects.filter(pk=open_ticket.pk).exists()
    assert ConversationMessage.objects.filter(interaction=worked_on).count() == 1
    assert report.interactions == 3 and report.removed["handoff_tickets"] == 3
    assert report.kept_with_open_ticket == 1


def test_an_interaction_is_purged_once_its_ticket_is_resolved(db):
    interaction = interaction_with_children(age_days=120)
    HandoffTicketFactory(interaction=interaction)  # a second ticket, still queued
    assert purge_old_data(days=90).kept_with_open_ticket == 1

    HandoffTicket.objects.filter(interaction=interaction).update(status="resolved", resolved_at=timezone.now())
    report = purge_old_data(days=90)

    assert not Interaction.objects.exists()
    assert report.removed["handoff_tickets"] == 2 and report.kept_with_open_ticket == 0


def test_dry_run_leaves_out_interactions_with_an_open_ticket(old_and_recent):
    worked_on = InteractionFactory(status="in_progress")
    backdate(worked_on, created_at=timezone.now() - datetime.timedelta(days=200))
    HandoffTicketFactory(interaction=worked_on)

    report = purge_old_data(days=90, dry_run=True)

    assert report.interactions == 3 and report.removed["handoff_tickets"] == 3
    assert report.kept_with_open_ticket == 1


def test_a_second_purge_finds_nothing_left(old_and_recent):
    purge_old_data(days=90)

    report = purge_old_data(days=90)

    assert report.interactions == 0
    assert report.batches == 0


def test_dry_run_counts_without_deleting(old_and_recent):
    before = {model: model.objects.count() for model in (Interaction, *CHILD_MODELS)}

    report = purge_old_data(days=90, dry_run=True)

    assert report.removed["interactions"] == 3
    assert report.removed["conversation_messages"] == 6
    assert report.removed["agent_notifications"] == 3
    assert {model: model.objects.count() for model in before} == before


def test_command_prints_what_it_removed(old_and_recent, capsys):
    call_command("purge_old_data", "--days", "90", "--batch-size", "2")

    out = capsys.readouterr().out
    assert "Deleted data created before" in out
    assert "  interactions                      3\n" in out
    assert "  conversation_messages             6\n" in out
    assert "2 batch(es), longest" in out
    assert "Kept 0 old interaction(s) with an open handoff ticket." in out
    assert Interaction.objects.count() == 2


def test_command_dry_run_says_would(old_and_recent, capsys):
    call_command("purge_old_data", "--dry-run")

    out = capsys.readouterr().out
    assert out.startswith("Would delete data created before")
    assert "  interactions                      3\n" in out
    assert Interaction.objects.count() == 5


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--days", "0"], "0 is not allowed; give 1 to"),
        (["--days", "ninety"], "'ninety' is not a whole number"),
        (["--batch-size", "1000000"], "1000000 is not allowed; give 1 to"),
    ],
)
def test_command_refuses_bad_input(old_and_recent, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("purge_old_data", *arguments)
    assert Interaction.objects.count() == 5


def test_service_refuses_a_retention_under_one_day(db):
    with pytest.raises(InvalidInput, match="keep at least 1 day"):
        purge_old_data(days=0)


def test_service_refuses_an_oversized_batch(db):
    with pytest.raises(InvalidInput, match="allowed: 1 to 50000"):
        purge_old_data(batch_size=50_001)


def test_interactions_without_tickets_or_children_are_purged_and_counted(db):
    bare = InteractionFactory()
    backdate(bare, created_at=timezone.now() - datetime.timedelta(days=100))
    with_message = InteractionFactory()
    backdate(with_message, created_at=timezone.now() - datetime.timedelta(days=95))
    ConversationMessageFactory(interaction=with_message, turn_number=1)

    report = purge_old_data(days=90, batch_size=1)

    assert not Interaction.objects.exists() and not ConversationMessage.objects.exists()
    assert report.removed == {**dict.fromkeys(report.removed, 0), "conversation_messages": 1, "interactions": 2}
    assert report.batches == 2


@pytest.mark.django_db(transaction=True)
def test_an_interaction_locked_by_a_live_writer_is_skipped_and_left_for_the_next_run():
    locked, free = interaction_with_children(age_days=120), interaction_with_children(age_days=100)
    holding, release = threading.Event(), threading.Event()

    def writer_holding_a_lock():
        try:
            with transaction.atomic():
                # What adding a message takes on its interaction: enough to make the purge skip it.
                Interaction.objects.select_for_update(no_key=True).get(pk=locked.pk)
                holding.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    writer = threading.Thread(target=writer_holding_a_lock)
    writer.start()
    try:
        assert holding.wait(timeout=10)
        report = purge_old_data(days=90)
    finally:
        release.set()
        writer.join()

    assert remaining_interactions() == {locked.pk}
    assert report.interactions == 1 and report.removed["conversation_messages"] == 2
    assert ConversationMessage.objects.filter(interaction=free).count() == 0
    assert purge_old_data(days=90).interactions == 1
    assert not Interaction.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_child_row_locked_too_long_stops_the_purge_with_a_conflict_and_rolls_the_batch_back(monkeypatch):
    monkeypatch.setattr(retention, "BATCH_LOCK_TIMEOUT", "200ms")
    interaction = interaction_with_children(age_days=120)
    holding, release = threading.Event(), threading.Event()

    def editor_holding_a_message():
        try:
            with transaction.atomic():
                # Only the message: the purge takes the interaction, and its cascade then waits for this row.
                list(ConversationMessage.objects.select_for_update(of=("self",)).filter(interaction=interaction))
                holding.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    editor = threading.Thread(target=editor_holding_a_message)
    editor.start()
    try:
        assert holding.wait(timeout=10)
        with pytest.raises(Conflict, match="could not lock its rows within 200ms"):
            purge_old_data(days=90)
    finally:
        release.set()
        editor.join()

    assert remaining_interactions() == {interaction.pk}
    assert ConversationMessage.objects.filter(interaction=interaction).count() == 2


def test_the_purge_also_removes_expired_idempotency_keys(db):
    expired = IdempotencyKeyFactory()
    fresh = IdempotencyKeyFactory()
    IdempotencyKey.objects.filter(pk=expired.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))

    assert purge_old_data(days=90, dry_run=True).expired_idempotency_keys == 1
    assert IdempotencyKey.objects.count() == 2
    assert purge_old_data(days=90).expired_idempotency_keys == 1
    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [fresh.pk]
