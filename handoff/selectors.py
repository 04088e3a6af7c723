"""Reads of the handoff app: queues in claim order, wait times, capacity, inboxes."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import F, FloatField, Func, IntegerField, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Floor, Now
from django.utils import timezone

from core.errors import get_or_not_found

from . import rules
from .models import AgentNotification, AgentProfile, HandoffTicket, Queue, ResolutionReason, TicketNote, TicketStatus


def _seconds_between(start, end) -> Func:
    return Func(end - start, template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField())


def with_wait(queryset: QuerySet[HandoffTicket]) -> QuerySet[HandoffTicket]:
    """Annotate wait_minutes (until assignment, or until now while queued) and the ageing rank (rules)."""
    waited = _seconds_between(F("created_at"), Coalesce(F("assigned_at"), Now()))
    return queryset.annotate(
        wait_minutes=Cast(Floor(waited / Value(60.0)), IntegerField()),
        effective_rank=rules.effective_rank_expression("priority_rank", waited, "queue__target_wait_minutes"),
    )


def in_claim_order(queryset: QuerySet[HandoffTicket]) -> QuerySet[HandoffTicket]:
    return with_wait(queryset).order_by(*rules.CLAIM_ORDERING)


def queued_tickets(*, queue_name: str | None = None) -> QuerySet[HandoffTicket]:
    """The seed's "tickets en attente": queued tickets, priority high→low then oldest, with wait minutes."""
    queryset = HandoffTicket.objects.filter(status=TicketStatus.QUEUED).select_related("interaction", "queue")
    if queue_name:
        queryset = queryset.filter(queue_id=queue_name)
    return in_claim_order(queryset)


def get_ticket(*, ticket_id) -> HandoffTicket:
    return get_or_not_found(
        with_wait(HandoffTicket.objects.select_related("interaction", "queue", "assigned_agent", "resolution_reason")),
        "Ticket",
        pk=ticket_id,
    )


def capacity_of(*, agent, queue: Queue) -> int:
    """The agent's own limit when set, else the queue's default (rules.capacity)."""
    own = AgentProfile.objects.filter(user=agent).values_list("max_open_tickets", flat=True).first()
    return rules.capacity(own, queue.default_capacity)


def notifications_of(*, agent, is_read: bool | None = None) -> QuerySet[AgentNotification]:
    queryset = AgentNotification.objects.filter(agent=agent).select_related("ticket")
    if is_read is not None:
        queryset = queryset.filter(is_read=is_read)
    return queryset.order_by("-created_at")


def get_notification(*, notification_id, agent) -> AgentNotification:
    """One of the agent's own notifications (NotFound for anyone else's)."""
    return get_or_not_found(AgentNotification.objects.filter(agent=agent), "Notification", pk=notification_id)


def unread_count(*, agent) -> int:
    return AgentNotification.objects.filter(agent=agent, is_read=False).count()


def list_tickets(
    *,
    status: str | None = None,
    queue_name: str | None = None,
    priority: str | None = None,
    assigned_agent: str | None = None,
) -> QuerySet[HandoffTicket]:
    """Tickets for the API's list: filtered, priority high→low then oldest first, with wait_minutes.

    `assigned_agent` is a username. Related rows are joined so a page costs a constant number of queries.
    """
    queryset = HandoffTicket.objects.select_related("queue", "assigned_agent", "resolution_reason")
    if status:
        queryset = queryset.filter(status=status)
    if queue_name:
        queryset = queryset.filter(queue_id=queue_name)
    if priority:
        queryset = queryset.filter(priority=priority)
    if assigned_agent:
        queryset = queryset.filter(assigned_agent__username=assigned_agent)
    return with_wait(queryset).order_by("-priority_rank", "created_at", "ticket_id")


@dataclass(frozen=True)
class QueueLoad:
    """One queue on the console's board: how many wait (counted up to a cap) and for how long."""

    name: str
    target_wait_minutes: int
    waiting: int
    waiting_capped: bool
    oldest_wait_minutes: int | None

    @property
    def is_late(self) -> bool:
        return self.oldest_wait_minutes is not None and self.oldest_wait_minutes > self.target_wait_minutes


_QUEUED = rules.sql_literal(TicketStatus.QUEUED)

# Per queue: queued tickets counted up to a cap, and the oldest one found through the three
# priority levels of the partial index: a few index probes per queue, whatever the table size.
_QUEUE_BOARD_SQL = f"""
SELECT q.name, q.target_wait_minutes, waiting.n, oldest.created_at
FROM handoff_queues q
CROSS JOIN LATERAL (
    SELECT COUNT(*) AS n FROM (
        SELECT 1 FROM handoff_tickets t WHERE t.status = {_QUEUED} AND t.queue_name = q.name LIMIT %(cap)s
    ) AS capped
) waiting
CROSS JOIN LATERAL (
    SELECT MIN(head.created_at) AS created_at
    FROM (VALUES {rules.sql_rank_levels()}) AS levels(rank)
    CROSS JOIN LATERAL (
        SELECT t.created_at FROM handoff_tickets t
        WHERE t.status = {_QUEUED} AND t.queue_name = q.name AND t.priority_rank = levels.rank
        ORDER BY t.created_at LIMIT 1
    ) head
) oldest
ORDER BY q.name
"""


def queue_board(*, cap: int = 100) -> list[QueueLoad]:
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_QUEUE_BOARD_SQL, {"cap": cap})
        rows = cursor.fetchall()
    return [
        QueueLoad(
            name=name,
            target_wait_minutes=target,
            waiting=min(waiting, cap - 1) if waiting >= cap else waiting,
            waiting_capped=waiting >= cap,
            oldest_wait_minutes=int((now - oldest).total_seconds() // 60) if oldest else None,
        )
        for name, target, waiting, oldest in rows
    ]


def held_count(*, agent) -> int:
    """Open tickets the agent holds right now (assigned or in progress)."""
    return HandoffTicket.objects.filter(assigned_agent=agent, status__in=rules.HELD_STATUSES).count()


def has_open_ticket(*, interaction_id) -> bool:
    """Whether a human agent still has (or will have) work on this interaction."""
    return HandoffTicket.objects.filter(interaction_id=interaction_id, status__in=rules.OPEN_STATUSES).exists()


def active_reason_codes() -> list[str]:
    return list(ResolutionReason.objects.filter(is_active=True).order_by("code").values_list("code", flat=True))


def queue_names() -> list[str]:
    return list(Queue.objects.order_by("name").values_list("name", flat=True))


def working_notes_of(*, ticket_id) -> QuerySet[TicketNote]:
    """Every author's working notes on the ticket, oldest author first, with the author joined."""
    return TicketNote.objects.filter(ticket_id=ticket_id).select_related("author").order_by("created_at", "id")
