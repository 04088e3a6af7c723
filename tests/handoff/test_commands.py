"""send_ticket_reminders: reminders once per waiting phase, and take-back of forgotten tickets."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from handoff import reminders, services
from handoff.models import AgentNotification, HandoffTicket
from tests.handoff.factories import HandoffTicketFactory, QueueFactory

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def _run(*args) -> str:
    out = io.StringIO()
    call_command("send_ticket_reminders", *args, stdout=out)
    return out.getvalue()


def _queued(minutes_ago, **kwargs):
    ticket = HandoffTicketFactory(**kwargs)
    HandoffTicket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - minutes_ago * MINUTE)
    return ticket


def _assigned(agent, minutes_ago, **kwargs):
    return HandoffTicketFactory(
        status="assigned", assigned_agent=agent, assigned_at=timezone.now() - minutes_ago * MINUTE, **kwargs
    )


def _reminders(**filters):
    return list(
        AgentNotification.objects.filter(notification_type="reminder", **filters).values_list(
            "agent__username", "ticket_id"
        )
    )


def test_late_queued_tickets_are_reminded_to_supervisors(agent, supervisor):
    QueueFactory(name="general", target_wait_minutes=5)
    late = _queued(6)
    _queued(2)  # within target
    assert "1 reminder(s) sent" in _run()
    assert _reminders() == [("sam", late.pk)]
    assert "waited 6 min for an agent (target 5 min)" in AgentNotification.objects.get().message


def test_late_held_tickets_are_reminded_to_their_holder(agent, supervisor):
    QueueFactory(name="general", target_wait_minutes=5, takeback_minutes=60)
    held = _assigned(agent, 10)
    started = _assigned(agent, 30)
    HandoffTicket.objects.filter(pk=started.pk).update(status="in_progress", started_at=timezone.now() - 8 * MINUTE)
    _run()
    assert sorted(_reminders()) == sorted([("alice", held.pk), ("alice", started.pk)])


def test_reminders_are_idempotent_and_come_back_in_a_new_phase(agent, supervisor):
    QueueFactory(name="general", target_wait_minutes=5, takeback_minutes=60)
    ticket = _queued(6)
    _run()
    assert "0 reminder(s) sent" in _run()  # cron again a minute later: nothing new
    assert len(_reminders()) == 1
    # Seven minutes later: claimed a minute after that reminder, and still not started.
    HandoffTicket.objects.filter(pk=ticket.pk).update(last_reminder_at=timezone.now() - 7 * MINUTE)
    services.claim_next_ticket(agent=agent)
    HandoffTicket.objects.filter(pk=ticket.pk).update(assigned_at=timezone.now() - 6 * MINUTE)
    _run()
    assert _reminders(agent=agent) == [("alice", ticket.pk)]
    assert len(_reminders()) == 2


def test_resolved_tickets_get_no_reminder(agent, supervisor):
    HandoffTicketFactory(status="resolved", assigned_agent=agent, resolved_at=timezone.now())
    HandoffTicket.objects.update(created_at=timezone.now() - 60 * MINUTE)
    assert "0 reminder(s) sent" in _run()


def test_forgotten_assigned_tickets_go_back_to_the_queue(agent, supervisor):
    QueueFactory(name="general", target_wait_minutes=5, takeback_minutes=15)
    forgotten = _assigned(agent, 16)
    recent = _assigned(agent, 3)
    output = _run()
    assert "1 ticket(s) taken back" in output
    forgotten.refresh_from_db()
    assert (forgotten.status, forgotten.assigned_agent) == ("queued", None)
    event = forgotten.events.get()
    assert (event.action, event.from_agent, event.actor) == ("returned", "alice", None)
    assert "not started within 15 min" in event.note
    told = AgentNotification.objects.get(agent=agent, ticket=forgotten, message__contains="went back to the queue")
    assert told.notification_type == "reminder"
    assert HandoffTicket.objects.get(pk=recent.pk).status == "assigned"
    assert "0 ticket(s) taken back" in _run()


def test_started_tickets_are_never_taken_back(agent):
    QueueFactory(name="general", takeback_minutes=15)
    ticket = _assigned(agent, 60)
    services.start_ticket(ticket_id=ticket.pk, actor=agent)
    assert reminders.take_back_ticket(ticket_id=ticket.pk) is False
    assert "0 ticket(s) taken back" in _run()
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "in_progress"


def test_no_take_back_option_only_reminds(agent):
    QueueFactory(name="general", takeback_minutes=15)
    ticket = _assigned(agent, 20)
    assert "0 ticket(s) taken back" in _run("--no-take-back")
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "assigned"
