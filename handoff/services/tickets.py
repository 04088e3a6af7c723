"""The ticket life cycle: open a ticket, assign, start, resolve, give back; capacity and audit."""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.roles import is_agent
from core.errors import Conflict, InvalidInput, InvalidTransition, PermissionRefused, get_or_not_found
from core.validation import require_choice, require_text
from interactions import services as interaction_services
from interactions.models import InteractionStatus

from .. import packet, rules, selectors, signals
from ..errors import CapacityReached, NotTicketHolder
from ..models import (
    REASON_MAX_LENGTH,
    RESOLUTION_NOTES_MAX_LENGTH,
    HandoffTicket,
    Priority,
    Queue,
    ResolutionReason,
    TicketEvent,
    TicketNote,
    TicketStatus,
)
from .notifications import notify_agent_of_assignment, notify_agent_of_reassignment, notify_agents_of_new_ticket

DEFAULT_QUEUE = "general"


def _check_transition(ticket: HandoffTicket, target: str) -> None:
    if not rules.can_move(ticket.status, target):
        raise InvalidTransition("Ticket", ticket.status, target, rules.TICKET_TRANSITIONS[ticket.status])


def require_may_work(ticket: HandoffTicket, actor) -> None:
    if rules.may_work(ticket, actor):
        return
    if not is_agent(actor):
        raise PermissionRefused("Only human agents and supervisors may work tickets.")
    holder = ticket.assigned_agent.get_username() if ticket.assigned_agent_id else "nobody"
    raise NotTicketHolder(
        _taken_from(ticket, actor, holder)
        or f"This ticket is held by {holder}; agents may act only on tickets they hold."
    )


def _taken_from(ticket: HandoffTicket, actor, holder: str) -> str:
    """Why an agent who held this ticket no longer does, in plain words; empty if they never held it.

    Read from the audit trail: the latest event that gave the ticket to them or took it from them.
    """
    name = actor.get_username()
    last = (
        ticket.events.filter(Q(from_agent=name) | Q(to_agent=name))
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    lost = (TicketEvent.Action.REASSIGNED, TicketEvent.Action.RETURNED)
    if last is None or last.from_agent != name or last.action not in lost:
        return ""
    by = last.actor.get_username() if last.actor_id else "the system"
    at = timezone.localtime(last.created_at).strftime("%H:%M")
    why = f" ({last.note})" if last.note else ""
    if last.action == TicketEvent.Action.REASSIGNED:
        text = f"This ticket was reassigned to {last.to_agent} by {by} at {at}{why}."
    else:
        text = f"This ticket was handed back to the queue by {by} at {at}{why}."
        if holder != "nobody":
            text += f" {holder} holds it now."
    if TicketNote.objects.filter(ticket=ticket, author=actor).exclude(body="").exists():
        text += f" Your notes were kept on the ticket for {holder if holder != 'nobody' else 'the next holder'}."
    return text


def require_open(ticket: HandoffTicket, what: str) -> None:
    if ticket.status not in rules.OPEN_STATUSES:
        raise Conflict(f"{what} of a {ticket.status} ticket can no longer change.")


def holder_notes(ticket: HandoffTicket) -> str:
    """The holder's working notes as they are now (kept on the event of a hand-over); empty without any."""
    if not ticket.assigned_agent_id:
        return ""
    notes = TicketNote.objects.filter(ticket=ticket, author_id=ticket.assigned_agent_id)
    return notes.values_list("body", flat=True).first() or ""


def _reason_text(field: str, reason: str, *, required: bool, why: str = "") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput.for_field(field, why or "Say why (required).")
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput.for_field(field, f"{len(reason):,} characters; at most {REASON_MAX_LENGTH} are allowed.")
    return reason


def _record_event(ticket, action, *, actor, from_status="", from_agent=None, note="", notes="") -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        from_status=from_status,
        to_status=ticket.status,
        from_agent=from_agent.get_username() if from_agent else "",
        to_agent=ticket.assigned_agent.get_username() if ticket.assigned_agent_id else "",
        note=note,
        notes=notes,
    )


def lock_ticket(ticket_id) -> HandoffTicket:
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
    """The existing queue of this name; a mistyped name is refused (400) with the names that exist.

    Supervisors create queues (admin, `manage.py create_queue`). Only the default queue is made on first
    use, so a bot that names no queue works on any database (a fresh one, one flushed by tests).
    """
    require_text("queue_name", name)
    if len(name) > Queue._meta.get_field("name").max_length:
        raise InvalidInput.for_field("queue_name", "At most 100 characters.")
    if name == DEFAULT_QUEUE:
        queue, _ = Queue.objects.get_or_create(name=name)
        return queue
    queue = Queue.objects.filter(name=name).first()
    if queue is None:
        raise InvalidInput.for_field("queue_name", unknown_queue_message(name))
    return queue


def unknown_queue_message(name: str) -> str:
    existing = sorted({*Queue.objects.values_list("name", flat=True), DEFAULT_QUEUE})
    return (
        f"'{name}' is not a queue; existing queues: {', '.join(existing)}. "
        "A supervisor creates queues in the admin or with `manage.py create_queue NAME`."
    )


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
def assign_ticket_to_agent(*, ticket_id, agent, actor, reason: str = "") -> HandoffTicket:
    """A supervisor gives a ticket (queued, or held by someone else) to an agent.

    Taking a ticket from its holder needs a reason: it is recorded on the event (with the holder's notes
    at that moment) and sent to the previous holder in a "reassigned" notification. Their notes stay on
    the ticket for the new holder.
    """
    if not rules.may_assign(actor):
        raise PermissionRefused("Only supervisors may assign or reassign tickets.")
    agent = _resolve_agent(agent)
    ticket = lock_ticket(ticket_id)
    _check_transition(ticket, TicketStatus.ASSIGNED)
    if ticket.assigned_agent_id == agent.pk:
        raise Conflict(f"The ticket is already held by {agent.get_username()}.")
    previous_status, previous_agent = ticket.status, ticket.assigned_agent
    reason = _reason_text("reason", reason, required=previous_agent is not None, why=_why_reason(ticket))
    _check_capacity(agent, ticket.queue)
    notes = holder_notes(ticket)
    ticket.status = TicketStatus.ASSIGNED
    ticket.assigned_agent = agent
    ticket.assigned_at = timezone.now()
    ticket.started_at = None
    ticket.save(update_fields=["status", "assigned_agent", "assigned_at", "started_at", "updated_at"])
    action = TicketEvent.Action.REASSIGNED if previous_agent else TicketEvent.Action.ASSIGNED
    _record_event(
        ticket, action, actor=actor, from_status=previous_status, from_agent=previous_agent, note=reason, notes=notes
    )
    notify_agent_of_assignment(ticket=ticket, agent=agent, actor=actor)
    if previous_agent is not None:
        notify_agent_of_reassignment(
            ticket=ticket, previous=previous_agent, actor=actor, reason=reason, notes_kept=bool(notes)
        )
    signals.ticket_assigned.send(sender=HandoffTicket, ticket=ticket)
    return ticket


def _why_reason(ticket: HandoffTicket) -> str:
    if not ticket.assigned_agent_id:
        return ""
    state = "started" if ticket.status == TicketStatus.IN_PROGRESS else "assigned, not started"
    return (
        f"{ticket.assigned_agent.get_username()} holds this ticket ({state}); "
        "give a reason for taking it from them (it is sent to them)."
    )


@transaction.atomic
def start_ticket(*, ticket_id, actor) -> HandoffTicket:
    ticket = lock_ticket(ticket_id)
    _check_transition(ticket, TicketStatus.IN_PROGRESS)
    require_may_work(ticket, actor)
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
    that escalations can be analysed and the bot improved. Who may resolve is checked first, so an
    agent who lost the ticket is told so rather than asked to fix a field.
    """
    ticket = lock_ticket(ticket_id)
    _check_transition(ticket, TicketStatus.RESOLVED)
    require_may_work(ticket, actor)
    require_text("resolution_notes", resolution_notes)
    resolution_notes = resolution_notes.replace("\r\n", "\n")  # a form's CRLF, one character in maxlength
    if len(resolution_notes) > RESOLUTION_NOTES_MAX_LENGTH:
        raise InvalidInput.for_field(
            "resolution_notes",
            f"{len(resolution_notes):,} characters; at most {RESOLUTION_NOTES_MAX_LENGTH:,} are allowed.",
        )
    reason = ResolutionReason.objects.filter(code=reason_code or "", is_active=True).first()
    if reason is None:
        allowed = ", ".join(ResolutionReason.objects.filter(is_active=True).values_list("code", flat=True))
        problem = f"'{reason_code}' is not allowed" if reason_code else "Choose a resolution reason"
        raise InvalidInput.for_field("reason_code", f"{problem}; allowed: {allowed}.")
    previous = ticket.status
    ticket.status = TicketStatus.RESOLVED
    ticket.resolved_at = timezone.now()
    ticket.resolution_notes = resolution_notes
    ticket.resolution_reason = reason
    ticket.save(update_fields=["status", "resolved_at", "resolution_notes", "resolution_reason", "updated_at"])
    _record_event(
        ticket,
        TicketEvent.Action.RESOLVED,
        actor=actor,
        from_status=previous,
        note=reason_code,
        notes=holder_notes(ticket),
    )
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
    """Put a held ticket back in the queue (take-back of a forgotten ticket, or by its holder).

    A person handing a ticket back gives a reason (`note`, required then); the take-back job (no actor)
    writes its own. The holder's notes stay on the ticket and are copied onto the event.
    """
    ticket = lock_ticket(ticket_id)
    _check_transition(ticket, TicketStatus.QUEUED)
    if actor is not None:
        require_may_work(ticket, actor)
    note = _reason_text("reason", note, required=actor is not None, why="Say why you hand this ticket back (required).")
    previous_status, previous_agent = ticket.status, ticket.assigned_agent
    notes = holder_notes(ticket)
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
        notes=notes,
    )
    return ticket
