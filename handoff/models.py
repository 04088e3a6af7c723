"""Handoff tickets worked by human agents, their queues, notifications and audit trail."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from core.db import in_choices
from interactions.models import Interaction


class Priority(models.TextChoices):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


PRIORITY_RANK = {Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3}


def _priority_rank_expression():
    return models.Case(
        *(models.When(priority=value, then=models.Value(rank)) for value, rank in PRIORITY_RANK.items()),
        default=models.Value(0),
    )


class TicketStatus(models.TextChoices):
    QUEUED = "queued"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"


class NotificationType(models.TextChoices):
    NEW_TICKET = "new_ticket"
    URGENT = "urgent"
    REMINDER = "reminder"
    # A supervisor gave the agent's ticket to someone else (who, by whom, why).
    REASSIGNED = "reassigned"


# Text limits, enforced by the services (and shown as maxlength in the console's forms): a note is a
# working memo, not a document; a 112k-character note once made a 48,000 px page.
NOTES_MAX_LENGTH = 10_000
RESOLUTION_NOTES_MAX_LENGTH = 10_000
# Why a ticket was reassigned or handed back: one or two sentences.
REASON_MAX_LENGTH = 500


class Queue(models.Model):
    """Settings of a ticket queue. Supervisors create queues (admin or `manage.py create_queue`); only the
    default queue, `general`, exists from the start (migration 0008)."""

    name = models.CharField(max_length=100, primary_key=True)
    target_wait_minutes = models.PositiveIntegerField(default=5, help_text="Waiting longer than this is late.")
    takeback_minutes = models.PositiveIntegerField(
        default=15, help_text="An assigned ticket not started within this goes back to the queue."
    )
    default_capacity = models.PositiveIntegerField(
        default=3, help_text="Tickets an agent may hold at once in this queue, unless the agent has their own limit."
    )

    class Meta:
        db_table = "handoff_queues"
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(default_capacity__gte=1), name="queues_capacity_positive")]

    def __str__(self) -> str:
        return self.name


class AgentProfile(models.Model):
    """Per-agent settings of the console (capacity overrides the queue's default)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile")
    # Empty means the queue's default; 0 is refused (it used to mean the same, now there is one way).
    max_open_tickets = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Tickets this agent may hold at once; empty for the queue's default.",
    )

    class Meta:
        db_table = "handoff_agent_profiles"
        constraints = [
            models.CheckConstraint(
                condition=Q(max_open_tickets__isnull=True) | Q(max_open_tickets__gte=1),
                name="handoff_agent_profiles_capacity_positive",
            )
        ]

    def __str__(self) -> str:
        return f"profile of {self.user}"


class ResolutionReason(models.Model):
    """Why a ticket needed a human; required on resolution so escalations can be analysed."""

    code = models.SlugField(max_length=50, primary_key=True)
    label = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "handoff_resolution_reasons"
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class HandoffTicket(models.Model):
    ticket_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="handoff_tickets", db_column="interaction_id"
    )
    customer_id = models.CharField(max_length=50)
    reason = models.TextField()
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    # high=3 … low=1, stored so that "priority high→low, then oldest" is one index scan.
    priority_rank = models.GeneratedField(
        expression=_priority_rank_expression(), output_field=models.SmallIntegerField(), db_persist=True
    )
    status = models.CharField(max_length=20, choices=TicketStatus.choices, default=TicketStatus.QUEUED)
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="tickets", db_column="queue_name")
    assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="handoff_tickets"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_notes = models.TextField(blank=True, default="")
    resolution_reason = models.ForeignKey(
        ResolutionReason, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    context_data = models.JSONField(default=dict, blank=True)
    # The earliest due time the bot promised the customer (handoff.packet); empty without a promise.
    due_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Promise reminders (handoff.reminders): one before the due time, one once it has passed.
    due_soon_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When send_ticket_reminders last reminded about this ticket: one reminder per waiting phase.
    last_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "handoff_tickets"
        ordering = ["created_at"]
        indexes = [
            # The queue: queued tickets by priority then age (partial, stays small).
            models.Index(
                fields=["-priority_rank", "created_at"], name="handoff_tickets_queued_idx", condition=Q(status="queued")
            ),
            models.Index(
                fields=["queue", "-priority_rank", "created_at"],
                name="handoff_tickets_byqueue_idx",
                condition=Q(status="queued"),
            ),
            # The console's queue page: open tickets (default view) and all tickets, in page order.
            models.Index(
                fields=["-priority_rank", "created_at", "ticket_id"],
                name="handoff_tickets_open_idx",
                condition=Q(status__in=["queued", "assigned", "in_progress"]),
            ),
            models.Index(fields=["-priority_rank", "created_at", "ticket_id"], name="handoff_tickets_console_idx"),
            models.Index(fields=["assigned_agent", "status"], name="handoff_tickets_agent_idx"),
            # Promise reminders and the queue's "due" column: open tickets with a due time (few, stays small).
            models.Index(
                fields=["due_at"],
                name="handoff_tickets_due_idx",
                condition=Q(due_at__isnull=False, status__in=["queued", "assigned", "in_progress"]),
            ),
            models.Index(fields=["status", "created_at"], name="handoff_tickets_status_idx"),
            models.Index(fields=["customer_id"], name="handoff_tickets_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=in_choices("priority", Priority), name="handoff_tickets_priority_valid"),
            models.CheckConstraint(condition=in_choices("status", TicketStatus), name="handoff_tickets_status_valid"),
            # A queued ticket has no holder; an assigned or started one has one.
            models.CheckConstraint(
                condition=Q(status="queued", assigned_agent__isnull=True)
                | Q(status__in=["assigned", "in_progress"], assigned_agent__isnull=False)
                | Q(status="resolved"),
                name="handoff_tickets_holder_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_at__isnull=False),
                name="handoff_tickets_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.priority} ticket for {self.customer_id} ({self.status})"


class AgentNotification(models.Model):
    notification_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey(
        HandoffTicket, on_delete=models.CASCADE, related_name="notifications", db_column="ticket_id"
    )
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    notification_type = models.CharField(max_length=20, choices=NotificationType.choices)
    message = models.TextField()
    is_read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "agent_notifications"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agent", "is_read", "-created_at"], name="agent_notifications_inbox_idx")]
        constraints = [
            models.CheckConstraint(
                condition=in_choices("notification_type", NotificationType), name="agent_notifications_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_type} for {self.agent}"


class TicketEvent(models.Model):
    """Append-only audit trail of a ticket's transitions and assignments."""

    class Action(models.TextChoices):
        CREATED = "created"
        ASSIGNED = "assigned"
        CLAIMED = "claimed"
        REASSIGNED = "reassigned"
        STARTED = "started"
        RESOLVED = "resolved"
        RETURNED = "returned"

    ticket = models.ForeignKey(HandoffTicket, on_delete=models.CASCADE, related_name="events", db_column="ticket_id")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True, default="")
    to_status = models.CharField(max_length=20)
    from_agent = models.CharField(max_length=150, blank=True, default="")
    to_agent = models.CharField(max_length=150, blank=True, default="")
    # A reason (reassign, hand-back) or the resolution reason's code.
    note = models.TextField(blank=True, default="")
    # The working notes of the agent who let go of the ticket (reassigned, handed back, resolved), as they
    # were at that moment: the trail keeps what was known at each hand-over, not every keystroke.
    # (A database default too: the claim's hand-written INSERT names no such column.)
    notes = models.TextField(blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "handoff_ticket_events"
        ordering = ["ticket", "created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="ticket_events_ticket_idx"),
            # The supervisor's board: each agent's last activity (handoff.workload).
            models.Index(fields=["actor", "-created_at"], name="ticket_events_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status or '—'} → {self.to_status}"


class TicketNote(models.Model):
    """One person's working notes on a ticket: a draft saved as they type, one row per author and ticket.

    The holder writes while working; whoever holds the ticket next reads every earlier author's notes
    (name, last saved) beside their own, so a reassignment or a hand-back loses nothing. One row per
    author rather than one shared text: two people never overwrite each other, and each note says who
    wrote it. The same author in two tabs: the last save wins (both show the same person's text).
    Who may write is services.notes.save_ticket_note's rule (the holder, or a supervisor).
    """

    ticket = models.ForeignKey(HandoffTicket, on_delete=models.CASCADE, related_name="working_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "handoff_ticket_notes"
        ordering = ["ticket", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "author"], name="handoff_ticket_notes_one_per_author"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), NOTES_MAX_LENGTH),
                name="handoff_ticket_notes_body_max_length",
            ),
        ]

    def __str__(self) -> str:
        return f"notes of {self.author} on {self.ticket_id}"
