"""Writes of the handoff app: the ticket life cycle, claiming, notifications and console setup.

Life cycle: queued → assigned → in_progress → resolved (handoff.rules has the table). An assigned
or started ticket may be reassigned by a supervisor, or go back to the queue (take-back). Every
change writes a TicketEvent.
"""

from handoff.rules import HELD_STATUSES, OPEN_STATUSES, TICKET_TRANSITIONS

from .agents import ensure_agent_profile, ensure_console_roles
from .claiming import claim_next_ticket
from .notes import save_ticket_note
from .notifications import mark_all_notifications_read, mark_notification_read
from .tickets import (
    DEFAULT_QUEUE,
    assign_ticket_to_agent,
    create_handoff_ticket,
    get_or_create_queue,
    resolve_ticket,
    return_ticket_to_queue,
    start_ticket,
)

__all__ = [
    "DEFAULT_QUEUE",
    "HELD_STATUSES",
    "OPEN_STATUSES",
    "TICKET_TRANSITIONS",
    "assign_ticket_to_agent",
    "claim_next_ticket",
    "create_handoff_ticket",
    "ensure_agent_profile",
    "ensure_console_roles",
    "get_or_create_queue",
    "mark_all_notifications_read",
    "mark_notification_read",
    "resolve_ticket",
    "return_ticket_to_queue",
    "save_ticket_note",
    "start_ticket",
]
