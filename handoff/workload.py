"""Who carries what: each human agent's held tickets against capacity, and each queue's backlog.

Reads for the supervisor's board, the reassign form and the "held by" filter. Every function
costs a constant number of queries, whatever the number of agents, queues or tickets.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Count, IntegerField, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.roles import agents_queryset

from . import rules, selectors
from .models import HandoffTicket, Queue, TicketEvent, TicketStatus
from .services.tickets import DEFAULT_QUEUE

# An agent without their own limit gets the default queue's capacity; this when that queue is missing.
_FALLBACK_CAPACITY = Queue._meta.get_field("default_capacity").default


@dataclass(frozen=True)
class AgentWorkload:
    """One human agent: tickets held now against their limit, the oldest held, their last activity."""

    user: object
    username: str
    held: int
    capacity: int
    oldest_held_at: datetime | None
    last_activity_at: datetime | None

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.username

    @property
    def is_full(self) -> bool:
        return not rules.has_room(self.held, self.capacity)

    @property
    def load_percent(self) -> int:
        """Held against capacity for the board's bar, capped at 100 (an agent may be over after a limit cut)."""
        return min(100, round(100 * self.held / self.capacity)) if self.capacity else 100


@dataclass(frozen=True)
class QueueWorkload:
    """One queue: how many wait (counted up to a cap), the oldest wait, how many wait past the target."""

    name: str
    target_wait_minutes: int
    waiting: int
    waiting_capped: bool
    oldest_wait_minutes: int | None
    past_target: int

    @property
    def is_late(self) -> bool:
        return self.oldest_wait_minutes is not None and self.oldest_wait_minutes > self.target_wait_minutes


def default_capacity() -> int:
    queue_default = Queue.objects.filter(name=DEFAULT_QUEUE).values_list("default_capacity", flat=True).first()
    return queue_default if queue_default is not None else _FALLBACK_CAPACITY


def agent_workloads() -> list[AgentWorkload]:
    """Every active human agent and supervisor, by username: two queries.

    Counts come from correlated subqueries on the (assigned_agent, status) index rather than joins,
    so one agent's many events or tickets do not multiply another aggregate.
    """
    held = HandoffTicket.objects.filter(assigned_agent=OuterRef("pk"), status__in=rules.HELD_STATUSES)
    held_count = held.order_by().values("assigned_agent").annotate(n=Count("pk")).values("n")
    oldest_held = held.order_by().values("assigned_agent").annotate(at=Min("assigned_at")).values("at")
    last_event = TicketEvent.objects.filter(actor=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    fallback = default_capacity()
    users = (
        agents_queryset()
        .select_related("agent_profile")
        .annotate(
            held_now=Coalesce(Subquery(held_count, output_field=IntegerField()), 0),
            oldest_held_at=Subquery(oldest_held),
            last_event_at=Subquery(last_event),
        )
        .order_by("username")
    )
    workloads = []
    for user in users:
        profile = getattr(user, "agent_profile", None)
        own = profile.max_open_tickets if profile is not None else None
        workloads.append(
            AgentWorkload(
                user=user,
                username=user.get_username(),
                held=user.held_now,
                capacity=rules.capacity(own, fallback),
                oldest_held_at=user.oldest_held_at,
                last_activity_at=_latest(user.last_event_at, user.last_login),
            )
        )
    return workloads


def _latest(*moments):
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


_PAST_TARGET_SQL = f"""
SELECT t.queue_name, COUNT(*)
FROM handoff_tickets t JOIN handoff_queues q ON q.name = t.queue_name
WHERE t.status = {rules.sql_literal(TicketStatus.QUEUED)}
  AND t.created_at <= %(now)s - make_interval(mins => q.target_wait_minutes + 1)
GROUP BY t.queue_name
"""


def queue_workloads(*, cap: int = 100) -> list[QueueWorkload]:
    """Every queue by name (selectors.queue_board) plus its tickets waiting past the target: two queries.

    "Past target" matches QueueLoad.is_late: more whole minutes waited than the target. Queued tickets
    are few (a partial index holds them), so the grouped count stays small at any table size.
    """
    with connection.cursor() as cursor:
        cursor.execute(_PAST_TARGET_SQL, {"now": timezone.now()})
        late = dict(cursor.fetchall())
    return [
        QueueWorkload(
            name=load.name,
            target_wait_minutes=load.target_wait_minutes,
            waiting=load.waiting,
            waiting_capped=load.waiting_capped,
            oldest_wait_minutes=load.oldest_wait_minutes,
            past_target=late.get(load.name, 0),
        )
        for load in selectors.queue_board(cap=cap)
    ]


def held_by_choices() -> list[tuple[int, str]]:
    """(user id, name) of every human agent, for the "held by" filter: one query."""
    return [
        (user.pk, user.get_full_name() or user.get_username())
        for user in agents_queryset().only("pk", "username", "first_name", "last_name").order_by("username")
    ]
