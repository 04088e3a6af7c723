"""Reads of the handoff app: queues in claim order, wait times, capacity, inboxes."""

from django.db.models import F, FloatField, Func, IntegerField, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Floor, Greatest, Least, Now

from callbot_site.errors import get_or_not_found

from .models import AgentNotification, AgentProfile, HandoffTicket, Queue, TicketStatus

HIGHEST_RANK = 3


def _seconds_between(start, end) -> Func:
    return Func(end - start, template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField())


def with_wait(queryset: QuerySet[HandoffTicket]) -> QuerySet[HandoffTicket]:
    """Annotate wait_minutes (until assignment, or until now while queued) and the ageing rank.

    Ageing: every full target wait of its queue that a ticket has waited raises it one priority
    level, up to high — so a medium ticket past its target ranks with the high ones.
    """
    waited = _seconds_between(F("created_at"), Coalesce(F("assigned_at"), Now()))
    steps = Cast(Floor(waited / (Greatest(F("queue__target_wait_minutes"), Value(1)) * Value(60.0))), IntegerField())
    return queryset.annotate(
        wait_minutes=Cast(Floor(waited / Value(60.0)), IntegerField()),
        effective_rank=Least(Value(HIGHEST_RANK), F("priority_rank") + steps),
    )


def in_claim_order(queryset: QuerySet[HandoffTicket]) -> QuerySet[HandoffTicket]:
    return with_wait(queryset).order_by("-effective_rank", "created_at", "ticket_id")


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
    """The agent's own limit when set, else the queue's default."""
    own = AgentProfile.objects.filter(user=agent).values_list("max_open_tickets", flat=True).first()
    return own or queue.default_capacity


def notifications_of(*, agent, is_read: bool | None = None) -> QuerySet[AgentNotification]:
    queryset = AgentNotification.objects.filter(agent=agent).select_related("ticket")
    if is_read is not None:
        queryset = queryset.filter(is_read=is_read)
    return queryset.order_by("-created_at")


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
