"""Claim next: the hot path of the console and the API, one SQL statement built from handoff.rules."""

import psycopg
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from accounts.roles import is_agent
from core import prepared_sql
from core.errors import PermissionRefused, get_or_not_found

from .. import rules, signals
from ..models import HandoffTicket, Queue, TicketEvent, TicketStatus
from .tickets import capacity_reached

_TICKET_FIELDS = HandoffTicket._meta.concrete_fields
_CONVERTERS = [getattr(field, "from_db_value", None) for field in _TICKET_FIELDS]
_ATTNAMES = [field.attname for field in _TICKET_FIELDS]
_QUEUED = rules.sql_literal(TicketStatus.QUEUED)
_ASSIGNED = rules.sql_literal(TicketStatus.ASSIGNED)
_CLAIMED = rules.sql_literal(TicketEvent.Action.CLAIMED)
_HELD = rules.sql_list(rules.HELD_STATUSES)
_HEADS_ORDER = rules.claim_order_sql(
    effective_rank=rules.effective_rank_sql(
        "levels.rank", "EXTRACT(EPOCH FROM STATEMENT_TIMESTAMP() - oldest.created_at)", "q.target_wait_minutes"
    ),
    created_at="oldest.created_at",
    ticket_id="oldest.ticket_id",
)
_CAPACITY = rules.capacity_sql(
    "(SELECT p.max_open_tickets FROM handoff_agent_profiles p WHERE p.user_id = %(agent)s)", "head.default_capacity"
)
_HAS_ROOM = rules.has_room_sql("room.held", "room.capacity")
_COLUMNS = ", ".join(f't."{field.column}"' for field in _TICKET_FIELDS)

# The best queued ticket can only be the oldest unlocked one of some (queue, priority level):
# within one queue and level, the oldest has waited longest, so it has aged at least as much as
# the others. So a claim reads a handful of heads through the partial index
# handoff_tickets_byqueue_idx (each locked with SKIP LOCKED, so concurrent claimers get
# different heads) and ranks those few in claim order (the rules' ageing and order, as
# selectors.in_claim_order), instead of computing the ageing rank of every queued row.
# Capacity check, assignment and audit row run in the same statement: one round trip instead
# of six. The agent's row is locked by the statement before, so this statement's snapshot
# already sees that agent's other claims.
_CLAIM_NEXT = f"""
WITH ranked_levels AS (
    -- Unlocked read of each (queue, level)'s oldest ticket, best effective rank first.
    SELECT q.name, levels.rank, q.default_capacity
    FROM handoff_queues q
    CROSS JOIN (VALUES {rules.sql_rank_levels()}) AS levels(rank)
    CROSS JOIN LATERAL (
        SELECT t.ticket_id, t.created_at
        FROM handoff_tickets t
        WHERE t.status = {_QUEUED} AND t.queue_name = q.name AND t.priority_rank = levels.rank
        ORDER BY t.created_at  -- the index order; ticket_id breaks ties below, among the heads
        LIMIT 1
    ) oldest
    WHERE (%(queue)s::text IS NULL OR q.name = %(queue)s::text)
    ORDER BY {_HEADS_ORDER}
),
head AS (
    -- Lock the first ticket nobody else is claiming, trying the levels in rank order: the
    -- nested loop stops at the first level that yields one, so a claim locks one row.
    SELECT candidate.ticket_id, ranked_levels.default_capacity
    FROM ranked_levels
    CROSS JOIN LATERAL (
        SELECT t.ticket_id
        FROM handoff_tickets t
        WHERE t.status = {_QUEUED} AND t.queue_name = ranked_levels.name AND t.priority_rank = ranked_levels.rank
        ORDER BY t.created_at
        LIMIT 1
        FOR NO KEY UPDATE OF t SKIP LOCKED
    ) candidate
    LIMIT 1
),
limits AS (
    SELECT head.ticket_id AS head_id, {_CAPACITY} AS capacity
    FROM head
),
room AS (
    -- Counting stops at the capacity: knowing that the agent is full is enough.
    SELECT limits.head_id, limits.capacity, (
        SELECT COUNT(*) FROM (
            SELECT 1 FROM handoff_tickets h
             WHERE h.assigned_agent_id = %(agent)s AND h.status IN ({_HELD})
             LIMIT limits.capacity
        ) AS held_rows
    ) AS held
    FROM limits
),
claimed AS (
    UPDATE handoff_tickets t
       SET status = {_ASSIGNED}, assigned_agent_id = %(agent)s,
           assigned_at = STATEMENT_TIMESTAMP(), updated_at = STATEMENT_TIMESTAMP()
      FROM room
     WHERE t.ticket_id = room.head_id AND {_HAS_ROOM}
    RETURNING {_COLUMNS}
),
audit AS (
    INSERT INTO handoff_ticket_events
        (ticket_id, action, actor_id, from_status, to_status, from_agent, to_agent, note, created_at)
    SELECT claimed.ticket_id, {_CLAIMED}, %(agent)s, {_QUEUED}, {_ASSIGNED}, '', %(username)s, '', STATEMENT_TIMESTAMP()
      FROM claimed
)
SELECT room.capacity, room.held, claimed.* FROM room LEFT JOIN claimed ON TRUE
"""
_LOCK_AGENT = f'SELECT 1 FROM "{get_user_model()._meta.db_table}" WHERE id = %(agent)s FOR NO KEY UPDATE'


def _lock_agent_and_claim(params: dict) -> tuple | None:
    """Lock the agent's row, then run the claim: two statements.

    The claim stays a statement of its own: under READ COMMITTED its snapshot is taken once the
    agent's lock is granted, so it counts the tickets that a concurrent claim of the same agent
    has just committed. They are not sent in one psycopg pipeline: that saves two round trips but
    costs more interpreter time than they do, and with 8 agents claiming in one process the claims
    were 30% slower (docs/benchmarks.md, "Round three").
    Django's cursors bind parameters client-side, so PostgreSQL would plan the claim query
    (about 0.5 ms) on every claim. psycopg's own cursors ask to prepare both, which psycopg does
    only when the connection allows it (OPTIONS "prepare_threshold"; Django's default is None:
    never, see docs/benchmarks.md, "Round two"); they share Django's connection, so the statements
    run inside the caller's transaction.
    """
    connection.ensure_connection()
    conn = connection.connection
    prepare = prepared_sql.may_prepare()
    with psycopg.Cursor(conn) as cursor:
        cursor.execute(_LOCK_AGENT, params, prepare=prepare)
        cursor.execute(_CLAIM_NEXT, params, prepare=prepare)  # its result is the one fetched
        return cursor.fetchone()


def _ticket_from_row(values) -> HandoffTicket:
    converted = [
        value if convert is None else convert(value, None, connection)
        for convert, value in zip(_CONVERTERS, values, strict=True)
    ]
    return HandoffTicket.from_db(connection.alias, _ATTNAMES, converted)


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
    # Same-agent claims queue up on the agent's row, so each one counts the tickets the previous one took.
    row = _lock_agent_and_claim({"queue": queue_name or None, "agent": agent.pk, "username": agent.get_username()})
    if row is None:
        return None
    limit, held, values = row[0], row[1], row[2:]
    if values[0] is None:
        raise capacity_reached(agent, held=held, limit=limit)
    ticket = _ticket_from_row(values)
    ticket.assigned_agent = agent
    signals.ticket_assigned.send(sender=HandoffTicket, ticket=ticket)
    return ticket
