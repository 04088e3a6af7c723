"""The ticket rules, each written once: statuses, transitions, who may act, capacity, ageing, claim order.

Services, selectors, the console and the claim SQL all take them from here. The SQL renderers
exist because the claim is one hand-written statement (the hot path); tests/handoff/test_rules.py
checks that the statement and the Python rules agree.
"""

import math
import re

from django.db.models import F, Func, IntegerField, Value
from django.db.models.functions import Cast, Floor, Greatest, Least

from accounts.roles import is_agent, is_supervisor

from .models import PRIORITY_RANK, TicketStatus

# -- statuses and transitions -----------------------------------------------------------------

OPEN_STATUSES = (TicketStatus.QUEUED, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS)
HELD_STATUSES = (TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS)
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


def can_move(status: str, target: str) -> bool:
    return target in TICKET_TRANSITIONS[status]


# -- who may act ------------------------------------------------------------------------------


def may_work(ticket, actor) -> bool:
    """Holder rule: start, resolve or hand back a ticket — its holder (still an agent) or any supervisor."""
    return is_supervisor(actor) or (is_agent(actor) and ticket.assigned_agent_id == actor.pk)


def may_assign(actor) -> bool:
    """Giving a ticket to someone (not claiming it for oneself) is a supervisor's call."""
    return is_supervisor(actor)


# -- capacity ---------------------------------------------------------------------------------
# An agent may hold `capacity` tickets in HELD_STATUSES: their own max_open_tickets when set
# (at least 1, a CHECK constraint), else the default of the queue the ticket comes from.


def capacity(own: int | None, queue_default: int) -> int:
    return queue_default if own is None else own


def capacity_sql(own: str, queue_default: str) -> str:
    return f"COALESCE({own}, {queue_default})"


def has_room(held: int, limit: int) -> bool:
    return held < limit


def has_room_sql(held: str, limit: str) -> str:
    return f"{held} < {limit}"


# -- ageing -----------------------------------------------------------------------------------

HIGHEST_RANK = max(PRIORITY_RANK.values())
RANKS_BEST_FIRST = tuple(sorted(PRIORITY_RANK.values(), reverse=True))


def _ageing(rank, waited_seconds, target_wait_minutes, *, least, greatest, floor):
    """Every full target wait of its queue that a ticket has waited raises it one level, up to the highest."""
    return least(HIGHEST_RANK, rank + floor(waited_seconds / (greatest(target_wait_minutes, 1) * 60.0)))


def effective_rank(rank: int, waited_seconds: float, target_wait_minutes: int) -> int:
    return _ageing(rank, waited_seconds, target_wait_minutes, least=min, greatest=max, floor=math.floor)


def effective_rank_expression(rank, waited_seconds, target_wait_minutes) -> Func:
    """The ORM form; `rank` and `target_wait_minutes` are field names, `waited_seconds` an expression."""
    return _ageing(
        F(rank),
        waited_seconds,
        F(target_wait_minutes),
        least=lambda a, b: Least(Value(a), b),
        greatest=lambda a, b: Greatest(a, Value(b)),
        floor=lambda x: Cast(Floor(x), IntegerField()),
    )


class _Sql(str):
    """SQL text that composes with + * / like the Python and ORM operands of _ageing."""

    def __add__(self, other):
        return _Sql(f"({self} + {other})")

    def __radd__(self, other):
        return _Sql(f"({other} + {self})")

    def __mul__(self, other):
        return _Sql(f"({self} * {other})")

    def __truediv__(self, other):
        return _Sql(f"({self} / {other})")


def effective_rank_sql(rank: str, waited_seconds: str, target_wait_minutes: str) -> str:
    return str(
        _ageing(
            _Sql(rank),
            _Sql(waited_seconds),
            _Sql(target_wait_minutes),
            least=lambda a, b: _Sql(f"LEAST({a}, {b})"),
            greatest=lambda a, b: _Sql(f"GREATEST({a}, {b})"),
            floor=lambda x: _Sql(f"FLOOR({x})::integer"),
        )
    )


# -- claim order ------------------------------------------------------------------------------
# Best effective rank first, then the oldest, then the ticket id (so the order is total).

CLAIM_ORDERING = ("-effective_rank", "created_at", "ticket_id")


def claim_sort_key(*, effective_rank: int, created_at, ticket_id) -> tuple:
    return (-effective_rank, created_at, ticket_id)


def claim_order_sql(*, effective_rank: str, created_at: str, ticket_id: str) -> str:
    return f"{effective_rank} DESC, {created_at}, {ticket_id}"


# -- SQL literals -----------------------------------------------------------------------------


def sql_literal(value: str) -> str:
    """A status or action value as an SQL literal (they are plain identifiers, checked here)."""
    if not re.fullmatch(r"[a-z_]+", value):
        raise ValueError(f"not a plain identifier: {value!r}")
    return f"'{value}'"


def sql_list(values) -> str:
    return ", ".join(sql_literal(value) for value in values)


def sql_rank_levels() -> str:
    """The priority levels as a VALUES list, best first."""
    return ", ".join(f"({rank})" for rank in RANKS_BEST_FIRST)


# -- promised due times -----------------------------------------------------------------------
# A ticket's due_at is the earliest time the bot promised the customer something (handoff.packet).
# "Soon" is the reminder window (settings.HANDOFF_PROMISE_REMINDER_MINUTES): the queue page colours it,
# and handoff.reminders sends its first reminder in it.


def due_state(due_at, now, soon_minutes: int) -> tuple[str, int]:
    """("overdue" | "soon" | "later", whole minutes to or past the due time)."""
    seconds = (due_at - now).total_seconds()
    if seconds <= 0:
        return "overdue", int(-seconds // 60)
    minutes = int(seconds // 60)
    return ("soon" if seconds <= soon_minutes * 60 else "later"), minutes


def duration_text(minutes: int) -> str:
    """25 min, 2 h 05 min, 3 d 4 h."""
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} d {minutes % (24 * 60) // 60} h"


def countdown_text(state: str, minutes: int) -> str:
    return f"overdue {duration_text(minutes)}" if state == "overdue" else f"due in {duration_text(minutes)}"
