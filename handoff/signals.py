"""Events of the ticket life cycle, for apps above handoff (webhooks) that handoff must not import.

Sent inside the service's transaction, after the change is written: a receiver that writes rows
(an outbox) commits or rolls back with the change, and one that raises aborts the change.
Receivers that leave the database must wait for `transaction.on_commit`.
"""

from django.dispatch import Signal

# kwargs: ticket (HandoffTicket, assigned_agent set) — from assign_ticket_to_agent and claim_next_ticket.
ticket_assigned = Signal()
# kwargs: ticket (HandoffTicket, resolved, with resolution_notes and resolution_reason) — from resolve_ticket.
ticket_resolved = Signal()
