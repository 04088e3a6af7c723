"""The ticket life cycle: open a ticket, assign, start, resolve, give back; capacity and audit."""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.roles import is_agent
from core.errors import Conflict, InvalidInput, InvalidTransition, PermissionRefused, get_or_not_found
from core.validation import require_choice, require_text
from interactions import services as interaction_services
from interactions.models import InteractionStatus

from .. import packet, rules, selectors, signals
from ..errors import CapacityReached, NotTicketHolder
from ..models import HandoffTicket, Priority, Queue, ResolutionReason, TicketEvent, TicketStatus
from .notifications import notify_agent_of_assignment, notify_agents_of_new_ticket

DEFAULT_QUEUE = "general"


def _check_transition(ticket: HandoffTicket, target: str) -> None:
    if not rules.can_move(ticket.status, target):
        raise InvalidTransition("Ticket", ticket.status, target, rules.TICKET_TRANSITIONS[ticket.status])


def _require_may_work(ticket: HandoffTicket, actor) -> None:
    if rules.may_work(ticket, actor):
        return
    if not is_agent(actor):
        raise PermissionRefused("Only human agents and supervisors may work tickets.")
    holder = ticket.assigned_agent.get_username() if ticket.assigned_agent_id else "nobody"
    raise NotTicketHolder(f"This ticket is held by {holder}; agents may act only on tickets they hold.")


def _record_event(ticket, action, *, actor, from_status="", from_agent=None, note="") -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        from_status=from_status,
        to_status=ticket.status,
        from_agent=from_agent.get_username() if from_agent else "",
        to_agent=ticket.assigned_agent.get_username() if ticket.assigned_agent_id else "",
        note=note,
    )


def _lock_ticket(ticket_id) -> HandoffTicket:
    return get_or_not_found(
        HandoffTicket.objects.select_for_update(no_key=True, of=("self",)).select_related("assigned_agent", "queue"),
        "Ticket",
        pk=ticket_id,
    )


def capacity_reached(agent, *, held: int, limit: int) -> CapacityReached:
    return CapacityReached(
        f"{agent.get_username()} already holds {held} open ticket(s), the maximum is {limit}. "
        "Resolve or hand back a ticket first."
    )


def _check_capacity(agent, queue: Queue) -> None:
    """Refuse a new ticket to an agent already at their limit.

    The agent's user row is locked first, so two claims by the same agent at once are
    counted one after the other instead of both seeing room for one more.
    """
    get_user_model().objects.select_for_update(no_key=True).filter(pk=agent.pk).first()
    limit = selectors.capacity_of(agent=agent, queue=queue)
    held = selectors.held_count(agent=agent)
    if not rules.has_room(held, limit):
        raise capacity_reached(agent, held=held, limit=limit)


def get_or_create_queue(*, name: str) -> Queue:
    require_text("queue_name", name)
    if len(name) > Queue._meta.get_field("name").max_length:
        raise InvalidInput.for_field("queue_name", "At most 100 characters.")
    queue, _ = Queue.objects.get_or_create(name=name)
    return queue


def _check_packet_actions(interaction, context_data: dict) -> None:
    """The CRM actions a packet says the bot did must be actions of this interaction.

    `handoff` may not import `crm` (docs/architecture.md): the settings name the CRM's selector, as they
    name classes of any layer.
    """
    referenced = [(index, uuid.UUID(action_id)) for index, action_id in packet.referenced_actions(context_data)]
    if not referenced:
        return
    actions_of = import_string(settings.HANDOFF_PACKET_CRM_ACTIONS_OF_INTERACTION)
    ids = {action_id for _, action_id in referenced}
    known = set(actions_of(interaction_id=interaction.pk).filter(pk__in=ids).values_list("pk", flat=True))
    errors = {
        f"context_data.actions_done.{index}.action_id": [f"{action_id} is not a CRM action of this interaction."]
        for index, action_id in referenced
        if action_id not in known
    }
    if errors:
        name, messages = next(iter(errors.items()))
        raise InvalidInput(f"{name}: {messages[0]}", errors=errors)


@transaction.atomic
def create_handoff_ticket(
    *,
    interaction_id,
    reason: str,
    priority: str = Priority.MEDIUM,
    queue_name: str = DEFAULT_QUEUE,
    context_data: dict | None = None,
    customer_id: str | None = None,
) -> HandoffTicket:
    """Queue a ticket for a human, move the interaction to in_progress and notify the agents.

    A `context_data` with a `version` is a handoff packet (handoff.packet): checked, and its earliest
    promise due time becomes the ticket's `due_at`; one without is the legacy free form, stored as sent.
    """
    require_text("reason", reason)
    require_choice("priority", priority, Priority)
    context_data = context_data or {}
    packet.validate_context_data(context_data)
    queue = get_or_create_queue(name=queue_name)
    interaction = interaction_services.get_interaction_for_update(interaction_id)
    if interaction.status in interaction_services.FINAL_STATUSES:
        raise Conflict(f"Interaction {interaction.pk} is already {interaction.status}; it cannot be handed off.")
    if interaction.handoff_tickets.filter(status__in=rules.OPEN_STATUSES).exists():
        raise Conflict(f"Interaction {interaction.pk} already has an open handoff ticket.")
    _check_packet_actions(interaction, context_data)
    if interaction.status != InteractionStatus.IN_PROGRESS:
        interaction_services.update_interaction_status(
            interaction_id=interaction.pk, status=InteractionStatus.IN_PROGRESS
        )
    ticket = HandoffTicket.objects.create(
        interaction=interaction,
        customer_id=customer_id or interaction.customer_id,
        reason=reason,
        priority=priority,
        queue=queue,
        context_data=context_data,
        due_at=packet.due_at_of(context_data),
    )
    _record_event(ticket, TicketEvent.Action.CREATED, actor=None)
    notify_agents_of_new_ticket(ticket=ticket)
    return ticket


def _resolve_agent(agent):
    if isinstance(agent, str):
        agent = get_user_model().objects.filter(username=agent).first()
        if agent is None:
            raise InvalidInput.for_field("agent", "No user with this username.")
    if not is_agent(agent):
        raise InvalidInput.for_field("agent", f"{agent.get_username()} is not an active agent or supervisor.")
    return agent


@transaction.atomic
def assign_ticket_to_agent(*, ticket_id, agent, actor) -> HandoffTicket:
    """A supervisor gives a ticket (queued, or held by someone else) to an agent."""
    if not rules.may_assign(actor):
        raise PermissionRefused("Only supervisors may assign or reassign tickets.")
    agent = _resolve_agent(agent)
    ticket = _lock_ticket(ticket_id)
    _check_transition(ticket, TicketStatus.ASSIGNED)
    if ticket.assigned_agent_id == agent.pk:
        raise Conflict(f"The ticket is already held by {agent.get_username()}.")
    _check_capacity(agent, ticket.queue)
    previous_status, previous_agent = ticket.status, ticket.assigned_agent
    ticket.status = TicketStatus.ASSIGNED
    ticket.assigned_agent = agent
    ticket.assigned_at = timezone.now()
    ticket.started_at = None
    ticket.save(update_fields=["status", "assigned_agent", "assigned_at", "started_at", "updated_at"])
    action = TicketEvent.Action.REASSIGNED if previous_agent else TicketEvent.Action.ASSIGNED
    _record_event(ticket, action, actor=actor, from_status=previous_status, from_agent=previous_agent)
    notify_agent_of_assignment(ticket=ticket, agent=agent, actor=actor)
    signals.ticket_assigned.send(sender=HandoffTicket, ticket=ticket)
    return ticket


@transaction.atomic
def start_ticket(*, ticket_id, actor) -> HandoffTicket:
    ticket = _lock_ticket(ticket_id)
    _check_transition(ticket, TicketStatus.IN_PROGRESS)
    _require_may_work(ticket, actor)
    previous = ticket.status
    ticket.status = TicketStatus.IN_PROGRESS
    ticket.started_at = timezone.now()
    ticket.save(update_fields=["status", "started_at", "updated_at"])
    _record_event(ticket, TicketEvent.Action.STARTED, actor=actor, from_status=previous)
    return ticket


@transaction.atomic
def resolve_ticket(*, ticket_id, actor, resolution_notes: str, reason_code: str) -> HandoffTicket:
    """Resolve a held ticket and complete its interaction (resolved_at, resolution time).

    A reason code (ResolutionReason, editable by supervisors) is required besides the notes, so
    that escalations can be analysed and the bot improved.
    """
    require_text("resolution_notes", resolution_notes)
    reason = ResolutionReason.objects.filter(code=reason_code or "", is_active=True).first()
    if reason is None:
        allowed = ", ".join(ResolutionReason.objects.filter(is_active=True).values_list("code", flat=True))
        raise InvalidInput.for_field("reason_code", f"'{reason_code or ''}' is not allowed; allowed: {allowed}.")
    ticket = _lock_ticket(ticket_id)
    _check_transition(ticket, TicketStatus.RESOLVED)
    _require_may_work(ticket, actor)
    previous = ticket.status
    ticket.status = TicketStatus.RESOLVED
    ticket.resolved_at = timezone.now()
    ticket.resolution_notes = resolution_notes
    ticket.resolution_reason = reason
    ticket.save(update_fields=["status", "resolved_at", "resolution_notes", "resolution_reason", "updated_at"])
    _record_event(ticket, TicketEvent.Action.RESOLVED, actor=actor, from_status=previous, note=reason_code)
    interaction = interaction_services.get_interaction_for_update(ticket.interaction_id)
    if interaction.status not in interaction_services.FINAL_STATUSES:
        interaction_services.update_interaction_status(
            interaction_id=interaction.pk,
            status=InteractionStatus.COMPLETED,
            assigned_agent=ticket.assigned_agent.get_username() if ticket.assigned_agent_id else "",
        )
    ticket.notifications.filter(is_read=False).update(is_read=True, read_at=timezone.now())
    signals.ticket_resolved.send(sender=HandoffTicket, ticket=ticket)
    return ticket


@transaction.atomic
def return_ticket_to_queue(*, ticket_id, actor=None, note: str = "") -> HandoffTicket:
    """Put a held ticket back in the queue (take-back of a forgotten ticket, or by its holder)."""
    ticket = _lock_ticket(ticket_id)
    _check_transition(ticket, TicketStatus.QUEUED)
    if actor is not None:
        _require_may_work(ticket, actor)
    previous_status, previous_agent = ticket.status, ticket.assigned_agent
    ticket.status = TicketStatus.QUEUED
    ticket.assigned_agent = None
    ticket.assigned_at = None
    ticket.started_at = None
    ticket.save(update_fields=["status", "assigned_agent", "assigned_at", "started_at", "updated_at"])
    _record_event(
        ticket,
        TicketEvent.Action.RETURNED,
        actor=actor,
        from_status=previous_status,
        from_agent=previous_agent,
        note=note,
    )
    return ticket
