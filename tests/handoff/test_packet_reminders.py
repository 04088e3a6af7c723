"""Promise reminders: once when the promised time comes within the window, once more when it has passed."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from handoff import reminders, services
from handoff.models import AgentNotification, HandoffTicket
from tests.handoff.factories import HandoffTicketFactory, QueueFactory, handoff_packet
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def patient_queue():
    """A queue whose waiting target is far away: only promise reminders are sent in these tests."""
    return QueueFactory(name="general", target_wait_minutes=600, takeback_minutes=600)


def _reminders():
    return list(
        AgentNotification.objects.filter(notification_type="reminder")
        .order_by("created_at", "agent__username")
        .values_list("agent__username", "message")
    )


def _held_ticket(agent, due_at):
    return HandoffTicketFactory(
        status="assigned",
        assigned_agent=agent,
        assigned_at=timezone.now(),
        context_data=handoff_packet(due_at=due_at),
        due_at=due_at,
    )


def test_the_holder_is_reminded_once_before_and_once_when_overdue(agent, supervisor):
    now = timezone.now()
    ticket = _held_ticket(agent, now + 40 * MINUTE)
    short = f"(ticket #{str(ticket.pk)[:8]}, general)"

    assert reminders.send_ticket_reminders(now=now) == 0  # 40 min ahead: outside the 15 min window
    assert reminders.send_ticket_reminders(now=now + 30 * MINUTE) == 1  # 10 min ahead
    assert _reminders() == [("alice", f"“An adviser calls you back before 14:00” is due in 10 min {short}.")]
    assert reminders.send_ticket_reminders(now=now + 35 * MINUTE) == 0  # once only
    assert reminders.send_ticket_reminders(now=now + 47 * MINUTE) == 1  # 7 min past
    assert _reminders()[1] == ("alice", f"“An adviser calls you back before 14:00” is overdue 7 min {short}.")
    assert reminders.send_ticket_reminders(now=now + 90 * MINUTE) == 0  # once only
    assert len(_reminders()) == 2
    ticket.refresh_from_db()
    assert ticket.due_soon_reminded_at == now + 30 * MINUTE and ticket.overdue_reminded_at == now + 47 * MINUTE


def test_a_queued_ticket_reminds_every_agent_who_could_claim_it(agent, other_agent, supervisor):
    now = timezone.now()
    interaction = InteractionFactory()
    ticket = services.create_handoff_ticket(
        interaction_id=interaction.pk, reason="Dispute", context_data=handoff_packet(due_at=now + 5 * MINUTE)
    )
    assert ticket.due_at == now + 5 * MINUTE
    assert reminders.send_promise_reminders(now=now) == 1
    assert sorted(name for name, _ in _reminders()) == ["alice", "bob", "sam"]
    assert all("is due in 5 min" in message for _, message in _reminders())


def test_a_ticket_first_seen_overdue_gets_only_the_overdue_reminder(agent):
    now = timezone.now()
    _held_ticket(agent, now - 20 * MINUTE)
    out = StringIO()
    call_command("send_ticket_reminders", "--no-take-back", stdout=out)  # the cron command sends them too
    assert "1 reminder(s) sent" in out.getvalue()
    assert [message.split(" is ")[1][:14] for _, message in _reminders()] == ["overdue 20 min"]
    assert reminders.send_promise_reminders(now=now + MINUTE) == 0


def test_no_reminder_without_a_due_time_or_once_resolved(agent):
    now = timezone.now()
    HandoffTicketFactory(status="assigned", assigned_agent=agent, assigned_at=now)  # legacy context, no due time
    resolved = _held_ticket(agent, now + 5 * MINUTE)
    HandoffTicket.objects.filter(pk=resolved.pk).update(status="resolved", resolved_at=now)
    assert reminders.send_promise_reminders(now=now) == 0
    assert reminders.send_promise_reminders(now=now + 10 * MINUTE) == 0
    assert _reminders() == []


def test_the_window_is_a_setting(agent, settings):
    settings.HANDOFF_PROMISE_REMINDER_MINUTES = 60
    now = timezone.now()
    _held_ticket(agent, now + 40 * MINUTE)
    assert reminders.send_promise_reminders(now=now) == 1
    assert "is due in 40 min" in _reminders()[0][1]
