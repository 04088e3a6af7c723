"""Writes of the handoff app: the ticket life cycle, claiming, capacity, notifications and audit.

Life cycle: queued → assigned → in_progress → resolved. An assigned or started ticket may be
reassigned by a supervisor, or go back to the queue (take-back). Every change writes a TicketEvent.
"""

import psycopg
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.roles import AGENTS_GROUP, SUPERVISORS_GROUP, agents_queryset, is_agent, is_supervisor
from core.errors import Conflict, InvalidInput, InvalidTransition, PermissionRefused, get_or_not_found
from core.validation import require_choice, require_text
from interactions import services as interaction_services
from interactions.models import InteractionStatus

from . import selectors
from .errors import CapacityReached, NotTicketHolder
from .models import (
    AgentNotification,
    AgentProfile,
    HandoffTicket,
    NotificationType,
    Priority,
    Queue,
    ResolutionReason,
    TicketEvent,
    TicketStatus,
)

TICKET_TRANSITIONS: dict[str, tuple[str, ...]] = {
    TicketStatus.QUEUED: (TicketStatus.ASSIGNED,),
    TicketStatus.ASSIGNED: (
        TicketStatus.ASSIGNED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.RESOLVED,
        TicketStatus.QUEUED,
    ),
    TicketStatus.IN_PROGRESS: (TicketStatus.ASSIGNED, TicketStatus.RESOLVED, TicketStatus.QUEUED),
    TicketStatus.RESOLVED: (),
}
OPEN_STATUSES = (TicketStatus.QUEUED, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS)
HELD_STATUSES = (TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS)
DEFAULT_QUEUE = "general"


def _check_transition(ticket: HandoffTicket, target: str) -> None:
    allowed = TICKET_TRANSITIONS[ticket.status]
    if target not in allowed:
        raise InvalidTransition("Ticket", ticket.status, target, allowed)


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


def _require_holder_or_supervisor(ticket: HandoffTicket, actor) -> None:
    if is_supervisor(actor):
        return
    if not is_agent(actor):
        raise PermissionRefused("Only human agents and supervisors may work tickets.")
    if ticket.assigned_agent_id != actor.pk:
        holder = ticket.assigned_agent.get_username() if ticket.assigned_agent_id else "nobody"
        raise NotTicketHolder(f"This ticket is held by {holder}; agents may act only on tickets they hold.")


def _check_capacity(agent, queue: Queue) -> None:
    """Refuse a new ticket to an agent already at their limit.

    The agent's user row is locked first, so two claims by the same agent at once are
    counted one after the other instead of both seeing room for one more.
    """
    get_user_model().objects.select_for_update(no_key=True).filter(pk=agent.pk).first()
    limit = selectors.capacity_of(agent=agent, queue=queue)
    held = HandoffTicket.objects.filter(assigned_agent=agent, status__in=HELD_STATUSES).count()
    if held >= limit:
        raise CapacityReached(
            f"{agent.get_username()} already holds {held} open ticket(s), the maximum is {limit}. "
            "Resolve or hand back a ticket first."
        )


def get_or_create_queue(*, name: str) -> Queue:
    require_text("queue_name", name)
    if len(name) > Queue._meta.get_field("name").max_length:
        raise InvalidInput.for_field("queue_name", "At most 100 characters.")
    queue, _ = Queue.objects.get_or_create(name=name)
    return queue


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
    """Queue a ticket for a human, move the interaction to in_progress and notify the agents."""
    require_text("reason", reason)
    require_choice("priority", priority, Priority)
    queue = get_or_create_queue(name=queue_name)
    interaction = interaction_services.get_interaction_for_update(interaction_id)
    if interaction.status in interaction_services.FINAL_STATUSES:
        raise Conflict(f"Interaction {interaction.pk} is already {interaction.status}; it cannot be handed off.")
    if interaction.handoff_tickets.filter(status__in=OPEN_STATUSES).exists():
        raise Conflict(f"Interaction {interaction.pk} already has an open handoff ticket.")
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
        context_data=context_data or {},
    )
    _record_event(ticket, TicketEvent.Action.CREATED, actor=None)
    _notify_agents_of_new_ticket(ticket)
    return ticket


def _notify_agents_of_new_ticket(ticket: HandoffTicket) -> None:
    urgent = ticket.priority == Priority.HIGH
    kind = NotificationType.URGENT if urgent else NotificationType.NEW_TICKET
    text = f"{'Urgent: ' if urgent else ''}new {ticket.priority} ticket in {ticket.queue_id} — {ticket.reason[:120]}"
    AgentNotification.objects.bulk_create(
        AgentNotification(ticket=ticket, agent=agent, notification_type=kind, message=text)
        for agent in agents_queryset().only("pk")
    )


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
    if not is_supervisor(actor):
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
    AgentNotification.objects.create(
        ticket=ticket,
        agent=agent,
        notification_type=NotificationType.URGENT if ticket.priority == Priority.HIGH else NotificationType.NEW_TICKET,
        message=f"{actor.get_username()} assigned you a {ticket.priority} ticket in {ticket.queue_id}.",
    )
    return ticket


# The best queued ticket can only be the oldest unlocked one of some (queue, priority level):
# within one queue and level, the oldest has waited longest, so it has aged at least as much as
# the others. So a claim reads a handful of heads through the partial index
# handoff_tickets_byqueue_idx (each locked with SKIP LOCKED, so concurrent claimers get
# different heads) and ranks those few by effective rank (same order as
# selectors.in_claim_order), instead of computing the ageing rank of every queued row.
# Capacity check, assignment and audit row run in the same statement: a claim is the hot path
# of the console and the API (one round trip instead of six). The capacity rule is the one of
# _check_capacity and selectors.capacity_of; the agent's row is locked by the caller beforehand,
# so this statement's snapshot already sees that agent's other claims.
_CLAIM_NEXT_SQL = """
WITH ranked_levels AS (
    -- Unlocked read of each (queue, level)'s oldest ticket, best effective rank first.
    SELECT q.name, levels.rank, q.default_capacity
    FROM handoff_queues q
    CROSS JOIN (VALUES (3), (2), (1)) AS levels(rank)
    CROSS JOIN LATERAL (
        SELECT t.ticket_id, t.created_at
        FROM handoff_tickets t
        WHERE t.status = 'queued' AND t.queue_name = q.name AND t.priority_rank = levels.rank
        ORDER BY t.created_at  -- the index order; ticket_id breaks ties below, among the heads
        LIMIT 1
    ) oldest
    WHERE (%(queue)s::text IS NULL OR q.name = %(queue)s::text)
    ORDER BY
        LEAST(%(highest)s, levels.rank + FLOOR(
            EXTRACT(EPOCH FROM STATEMENT_TIMESTAMP() - oldest.created_at)
            / (GREATEST(q.target_wait_minutes, 1) * 60.0)
        )::integer) DESC,
        oldest.created_at,
        oldest.ticket_id
),
head AS (
    -- Lock the first ticket nobody else is claiming, trying the levels in rank order: the
    -- nested loop stops at the first level that yields one, so a claim locks one row.
    SELECT candidate.ticket_id, ranked_levels.default_capacity
    FROM ranked_levels
    CROSS JOIN LATERAL (
        SELECT t.ticket_id
        FROM handoff_tickets t
        WHERE t.status = 'queued' AND t.queue_name = ranked_levels.name AND t.priority_rank = ranked_levels.rank
        ORDER BY t.created_at
        LIMIT 1
        FOR NO KEY UPDATE OF t SKIP LOCKED
    ) candidate
    LIMIT 1
),
limits AS (
    SELECT
        head.ticket_id AS head_id,
        COALESCE(
            (SELECT NULLIF(p.max_open_tickets, 0) FROM handoff_agent_profiles p WHERE p.user_id = %(agent)s),
            head.default_capacity
        ) AS capacity
    FROM head
),
room AS (
    -- Counting stops at the capacity: knowing that the agent is full is enough.
    SELECT limits.head_id, limits.capacity, (
        SELECT COUNT(*) FROM (
            SELECT 1 FROM handoff_tickets h
             WHERE h.assigned_agent_id = %(agent)s AND h.status IN ('assigned', 'in_progress')
             LIMIT limits.capacity
        ) AS held_rows
    ) AS held
    FROM limits
),
claimed AS (
    UPDATE handoff_tickets t
       SET status = 'assigned', assigned_agent_id = %(agent)s,
           assigned_at = STATEMENT_TIMESTAMP(), updated_at = STATEMENT_TIMESTAMP()
      FROM room
     WHERE t.ticket_id = room.head_id AND room.held < room.capacity
    RETURNING {columns}
),
audit AS (
    INSERT INTO handoff_ticket_events
        (ticket_id, action, actor_id, from_status, to_status, from_agent, to_agent, note, created_at)
    SELECT claimed.ticket_id, 'claimed', %(agent)s, 'queued', 'assigned', '', %(username)s, '', STATEMENT_TIMESTAMP()
      FROM claimed
)
SELECT room.capacity, room.held, claimed.* FROM room LEFT JOIN claimed ON TRUE
"""


_TICKET_FIELDS = HandoffTicket._meta.concrete_fields
_CLAIM_NEXT = _CLAIM_NEXT_SQL.format(columns=", ".join(f't."{field.column}"' for field in _TICKET_FIELDS))
_LOCK_AGENT = f'SELECT 1 FROM "{get_user_model()._meta.db_table}" WHERE id = %(agent)s FOR NO KEY UPDATE'


def _execute_prepared(sql: str, params: dict) -> tuple | None:
    """Run a hot statement as a server-side prepared statement on Django's connection.

    Django's cursors bind parameters client-side, so PostgreSQL would plan the claim query
    (about 1 ms) on every claim. psycopg's own cursor prepares it once per connection and
    re-prepares by itself on a new one; it shares Django's connection, so the statement runs
    inside the caller's transaction.
    """
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()


def _ticket_from_row(values) -> HandoffTicket:
    converted = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(_TICKET_FIELDS, values, strict=True)
    ]
    return HandoffTicket.from_db(connection.alias, [field.attname for field in _TICKET_FIELDS], converted)


@transaction.atomic
def claim_next_ticket(*, agent, queue_name: str | None = None) -> HandoffTicket | None:
    """Give the agent the queued ticket that ranks first (effective priority, then age), or None.

    Rows are taken with FOR UPDATE SKIP LOCKED: concurrent claimers skip each other's
    candidate instead of waiting for it or taking it twice. Raises CapacityReached when the
    agent already holds as many tickets as they may (nothing is changed then).
    """
    if not is_agent(agent):
        raise PermissionRefused("Only human agents and supervisors may claim tickets.")
    if queue_name:
        queue_name = get_or_not_found(Queue.objects.all(), "Queue", pk=queue_name).pk
    # Same-agent claims queue up here, so each one counts the tickets the previous one took.
    _execute_prepared(_LOCK_AGENT, {"agent": agent.pk})
    row = _execute_prepared(
        _CLAIM_NEXT,
        {
            "queue": queue_name or None,
            "highest": selectors.HIGHEST_RANK,
            "agent": agent.pk,
            "username": agent.get_username(),
        },
    )
    if row is None:
        return None
    capacity, held, values = row[0], row[1], row[2:]
    if values[0] is None:
        raise CapacityReached(
            f"{agent.get_username()} already holds {held} open ticket(s), the maximum is {capacity}. "
            "Resolve or hand back a ticket first."
        )
    ticket = _ticket_from_row(values)
    ticket.assigned_agent = agent
    return ticket


@transaction.atomic
def start_ticket(*, ticket_id, actor) -> HandoffTicket:
    ticket = _lock_ticket(ticket_id)
    _check_transition(ticket, TicketStatus.IN_PROGRESS)
    _require_holder_or_supervisor(ticket, actor)
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
    _require_holder_or_supervisor(ticket, actor)
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
    return ticket


@transaction.atomic
def return_ticket_to_queue(*, ticket_id, actor=None, note: str = "") -> HandoffTicket:
    """Put a held ticket back in the queue (take-back of a forgotten ticket, or by its holder)."""
    ticket = _lock_ticket(ticket_id)
    _check_transition(ticket, TicketStatus.QUEUED)
    if actor is not None:
        _require_holder_or_supervisor(ticket, actor)
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


def ensure_agent_profile(*, user) -> AgentProfile:
    """The console settings row of a human agent (its capacity stays the queue's default until set)."""
    profile, _ = AgentProfile.objects.get_or_create(user=user)
    return profile


def ensure_console_roles() -> None:
    """Create the Agents and Supervisors groups and the default resolution reasons when missing.

    Migration 0003 creates them; a database flush (transactional tests, a restored dump without
    them) removes them. Idempotent; uses the migration's own lists so there is one definition.
    """
    import importlib

    from django.contrib.auth.models import Group, Permission

    definition = importlib.import_module("handoff.migrations.0003_groups_and_reasons")

    def permissions(pairs):
        query = Q()
        for app_label, codename in pairs:
            query |= Q(content_type__app_label=app_label, codename=codename)
        return Permission.objects.filter(query)

    agent_pairs = definition.AGENT_PERMISSIONS
    for name, pairs in ((AGENTS_GROUP, agent_pairs), (SUPERVISORS_GROUP, agent_pairs + definition.SUPERVISOR_EXTRA)):
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.set(permissions(pairs))
    for code, label in definition.REASONS:
        ResolutionReason.objects.get_or_create(code=code, defaults={"label": label})
