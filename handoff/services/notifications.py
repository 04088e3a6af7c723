"""Agents' notifications: new tickets for everyone, assignments and reassignments for one, and reading them."""

from django.db.models import Q
from django.utils import timezone

from accounts.roles import agents_queryset
from core.errors import get_or_not_found

from ..models import AgentNotification, HandoffTicket, NotificationType, Priority


def _kind_of(ticket: HandoffTicket) -> str:
    return NotificationType.URGENT if ticket.priority == Priority.HIGH else NotificationType.NEW_TICKET


def notify_agents_of_new_ticket(*, ticket: HandoffTicket) -> None:
    urgent = ticket.priority == Priority.HIGH
    text = f"{'Urgent: ' if urgent else ''}new {ticket.priority} ticket in {ticket.queue_id} — {ticket.reason[:120]}"
    AgentNotification.objects.bulk_create(
        AgentNotification(ticket=ticket, agent=agent, notification_type=_kind_of(ticket), message=text)
        for agent in agents_queryset().only("pk")
    )


def notify_agent_of_assignment(*, ticket: HandoffTicket, agent, actor) -> AgentNotification:
    return AgentNotification.objects.create(
        ticket=ticket,
        agent=agent,
        notification_type=_kind_of(ticket),
        message=f"{actor.get_username()} assigned you a {ticket.priority} ticket in {ticket.queue_id}.",
    )


def notify_agent_of_reassignment(*, ticket: HandoffTicket, previous, actor, reason: str, notes_kept: bool):
    """Tell the agent who lost the ticket who has it now, who decided and why (the reason is required)."""
    kept = " Your notes were kept on the ticket for them." if notes_kept else ""
    return AgentNotification.objects.create(
        ticket=ticket,
        agent=previous,
        notification_type=NotificationType.REASSIGNED,
        message=(
            f"{actor.get_username()} reassigned your ticket #{str(ticket.pk)[:8]} ({ticket.customer_id}) to "
            f"{ticket.assigned_agent.get_username()}: {reason.rstrip('.')}.{kept}"
        ),
    )


def mark_notification_read(*, notification_id, agent) -> AgentNotification:
    notification = get_or_not_found(AgentNotification.objects.filter(agent=agent), "Notification", pk=notification_id)
    if not notification.is_read:
        notification.is_read = True
        notification.read_at = timezone.now()
        notification.save(update_fields=["is_read", "read_at"])
    return notification


def mark_all_notifications_read(*, agent) -> int:
    return AgentNotification.objects.filter(Q(agent=agent) & Q(is_read=False)).update(
        is_read=True, read_at=timezone.now()
    )
