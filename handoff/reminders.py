"""Writes of the periodic console jobs: reminders about late tickets and take-back of forgotten ones.

Promise reminders (handoff.packet): when the time the bot promised the customer (the ticket's `due_at`)
comes within HANDOFF_PROMISE_REMINDER_MINUTES, and once more when it has passed — once each, marked by
`due_soon_reminded_at` and `overdue_reminded_at`. A ticket first seen overdue gets only the second.

All are safe to run from cron every minute, even twice at once: due tickets are locked with
SKIP LOCKED, a ticket is reminded about once per waiting phase (queued, assigned, in progress;
`last_reminder_at` records it), and a take-back re-checks its condition under the row lock.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, DateTimeField, DurationField, ExpressionWrapper, F, Q, When
from django.utils import timezone

from accounts.roles import SUPERVISORS_GROUP, agents_queryset

from . import packet, rules, services
from .models import AgentNotification, HandoffTicket, NotificationType, TicketStatus

BATCH_SIZE = 500
ONE_MINUTE = datetime.timedelta(minutes=1)


def _phase_start():
    """When the ticket entered its current waiting phase."""
    return Case(
        When(status=TicketStatus.QUEUED, then=F("created_at")),
        When(status=TicketStatus.ASSIGNED, then=F("assigned_at")),
        default=F("started_at"),
        output_field=DateTimeField(),
    )


def _minutes(field: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(field) * ONE_MINUTE, output_field=DurationField())


def _supervisors():
    return get_user_model().objects.filter(is_active=True, is_staff=True, groups__name=SUPERVISORS_GROUP)


def _reminder_text(ticket: HandoffTicket, now) -> str:
    waited = int((now - ticket.phase_start).total_seconds() // 60)
    what = f"Reminder: a {ticket.priority} ticket in {ticket.queue_id}"
    target = f"(target {ticket.queue.target_wait_minutes} min)"
    if ticket.status == TicketStatus.QUEUED:
        return f"{what} has waited {waited} min for an agent {target}."
    doing = "assigned to you and not started" if ticket.status == TicketStatus.ASSIGNED else "in progress"
    return f"{what} has been {doing} for {waited} min {target}."


@transaction.atomic
def _remind_batch(now) -> int:
    due = list(
        HandoffTicket.objects.filter(status__in=rules.OPEN_STATUSES)
        .annotate(phase_start=_phase_start())
        .annotate(late_at=F("phase_start") + _minutes("queue__target_wait_minutes"))
        .filter(late_at__lte=now)
        .filter(Q(last_reminder_at__isnull=True) | Q(last_reminder_at__lt=F("phase_start")))
        .select_related("queue")
        .select_for_update(skip_locked=True, no_key=True, of=("self",))[:BATCH_SIZE]
    )
    if not due:
        return 0
    supervisors = list(_supervisors().only("pk")) if any(t.status == TicketStatus.QUEUED for t in due) else []
    notifications = []
    for ticket in due:
        recipients = supervisors if ticket.status == TicketStatus.QUEUED else [ticket.assigned_agent]
        text = _reminder_text(ticket, now)
        notifications += [
            AgentNotification(ticket=ticket, agent=agent, notification_type=NotificationType.REMINDER, message=text)
            for agent in recipients
        ]
    AgentNotification.objects.bulk_create(notifications)
    HandoffTicket.objects.filter(pk__in=[t.pk for t in due]).update(last_reminder_at=now)
    return len(due)


def send_ticket_reminders(*, now=None) -> int:
    """Remind about every open ticket waiting longer than its queue's target, and about promises falling
    due (send_promise_reminders); returns how many reminders about tickets were sent.

    Queued tickets are reminded to the supervisors (who rebalance), held ones to their holder.
    """
    now = now or timezone.now()
    total = 0
    while sent := _remind_batch(now):
        total += sent
    return total + send_promise_reminders(now=now)


def _promise_text(ticket: HandoffTicket, state: str, minutes: int) -> str:
    view = packet.read_context(ticket.context_data)
    promise = next((p for p in view.promises if p["due_at"] == ticket.due_at), None)
    what = f"“{promise['text'][:120]}”" if promise else "A promise to the customer"
    where = f"(ticket #{str(ticket.pk)[:8]}, {ticket.queue_id})"
    return f"{what} is {rules.countdown_text(state, minutes)} {where}."


@transaction.atomic
def _remind_promises_batch(now, *, overdue: bool) -> int:
    open_with_due = HandoffTicket.objects.filter(status__in=rules.OPEN_STATUSES, due_at__isnull=False)
    if overdue:
        due = open_with_due.filter(due_at__lte=now, overdue_reminded_at__isnull=True)
        mark = "overdue_reminded_at"
    else:
        window = datetime.timedelta(minutes=settings.HANDOFF_PROMISE_REMINDER_MINUTES)
        due = open_with_due.filter(due_at__gt=now, due_at__lte=now + window, due_soon_reminded_at__isnull=True)
        mark = "due_soon_reminded_at"
    due = list(due.select_for_update(skip_locked=True, no_key=True, of=("self",))[:BATCH_SIZE])
    if not due:
        return 0
    queue_agents = list(agents_queryset().only("pk")) if any(t.status == TicketStatus.QUEUED for t in due) else []
    notifications = []
    for ticket in due:
        recipients = (
            [a.pk for a in queue_agents] if ticket.status == TicketStatus.QUEUED else [ticket.assigned_agent_id]
        )
        state, minutes = rules.due_state(ticket.due_at, now, settings.HANDOFF_PROMISE_REMINDER_MINUTES)
        text = _promise_text(ticket, state, minutes)
        notifications += [
            AgentNotification(ticket=ticket, agent_id=pk, notification_type=NotificationType.REMINDER, message=text)
            for pk in recipients
        ]
    AgentNotification.objects.bulk_create(notifications)
    HandoffTicket.objects.filter(pk__in=[t.pk for t in due]).update(**{mark: now})
    return len(due)


def send_promise_reminders(*, now=None) -> int:
    """Remind about promises due within the window, then about overdue ones; returns how many tickets.

    The holder is reminded; a queued ticket's reminder goes to every agent (whoever claims it keeps the
    promise). A ticket first seen past its due time gets only the overdue one: "soon" needs a time ahead.
    """
    now = now or timezone.now()
    total = 0
    for overdue in (True, False):
        while sent := _remind_promises_batch(now, overdue=overdue):
            total += sent
    return total


@transaction.atomic
def take_back_ticket(*, ticket_id, now=None) -> bool:
    """Return one forgotten ticket (assigned, not started within the take-back limit) to the queue.

    Returns False, changing nothing, when the ticket is no longer forgotten (started, resolved,
    reassigned meanwhile) or is being changed by someone else right now.
    """
    now = now or timezone.now()
    ticket = (
        HandoffTicket.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
        .select_related("queue", "assigned_agent")
        .filter(pk=ticket_id, status=TicketStatus.ASSIGNED)
        .first()
    )
    limit = datetime.timedelta(minutes=ticket.queue.takeback_minutes) if ticket else None
    if ticket is None or ticket.assigned_at + limit > now:
        return False
    holder = ticket.assigned_agent
    note = f"Taken back: not started within {ticket.queue.takeback_minutes} min of assignment."
    services.return_ticket_to_queue(ticket_id=ticket.pk, note=note)
    AgentNotification.objects.create(
        ticket=ticket,
        agent=holder,
        notification_type=NotificationType.REMINDER,
        message=f"A {ticket.priority} ticket in {ticket.queue_id} went back to the queue: {note[:-1].lower()}.",
    )
    return True


def take_back_forgotten_tickets(*, now=None) -> int:
    """Take back every assigned ticket not started within its queue's limit; returns how many."""
    now = now or timezone.now()
    overdue = (
        HandoffTicket.objects.filter(status=TicketStatus.ASSIGNED)
        .annotate(limit_at=F("assigned_at") + _minutes("queue__takeback_minutes"))
        .filter(limit_at__lte=now)
        .values_list("pk", flat=True)
    )
    return sum(take_back_ticket(ticket_id=pk, now=now) for pk in list(overdue))
