"""Lower apps' signals → events in the outbox.

handoff, interactions and crm send theirs inside the transaction that made the change, so the event and its
deliveries commit with it. berinia_sync sends `export_finished` after its commit (berinia_sync/signals.py);
emit_event then opens its own transaction.
"""

from django.dispatch import receiver

from berinia_sync.signals import export_finished
from crm.signals import proposal_decided
from handoff.models import HandoffTicket
from handoff.signals import ticket_assigned, ticket_resolved
from interactions.signals import interaction_completed

from . import payloads, services
from .models import EventType


@receiver(ticket_assigned, dispatch_uid="webhooks.ticket_assigned")
def on_ticket_assigned(sender, ticket: HandoffTicket, **kwargs):
    services.emit_event(event_type=EventType.TICKET_ASSIGNED, payload=payloads.ticket_assigned(ticket))


@receiver(ticket_resolved, dispatch_uid="webhooks.ticket_resolved")
def on_ticket_resolved(sender, ticket: HandoffTicket, **kwargs):
    services.emit_event(event_type=EventType.TICKET_RESOLVED, payload=payloads.ticket_resolved(ticket))


@receiver(interaction_completed, dispatch_uid="webhooks.interaction_completed")
def on_interaction_completed(sender, interaction, **kwargs):
    services.emit_event(event_type=EventType.INTERACTION_COMPLETED, payload=payloads.interaction_completed(interaction))


@receiver(export_finished, dispatch_uid="webhooks.export_finished")
def on_export_finished(sender, run, **kwargs):
    services.emit_event(event_type=EventType.EXPORT_FINISHED, payload=payloads.export_finished(run))


@receiver(proposal_decided, dispatch_uid="webhooks.approval_decided")
def on_proposal_decided(sender, proposal, **kwargs):
    services.emit_event(event_type=EventType.APPROVAL_DECIDED, payload=payloads.approval_decided(proposal))
