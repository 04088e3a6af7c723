"""The unified callbot record: one interaction per customer contact, its transcript and the bot's responses."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.db import in_choices, unit_interval


class Channel(models.TextChoices):
    PHONE = "phone"
    CHAT = "chat"
    EMAIL = "email"


class Urgency(models.TextChoices):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class InteractionStatus(models.TextChoices):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"


class Speaker(models.TextChoices):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class Tone(models.TextChoices):
    EMPATHETIC = "empathetic"
    PROFESSIONAL = "professional"
    FRIENDLY = "friendly"


class Interaction(models.Model):
    interaction_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A plain reference, not a FK: `interactions` depends on no other app (see docs/architecture).
    customer_id = models.CharField(max_length=50)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    intent = models.CharField(max_length=100, blank=True, default="")
    emotion = models.CharField(max_length=50, blank=True, default="")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.LOW)
    confidence_score = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    status = models.CharField(max_length=20, choices=InteractionStatus.choices, default=InteractionStatus.PENDING)
    assigned_agent = models.CharField(max_length=150, blank=True, default="")
    # Indexed by interactions_day_cover_idx below (created_at first).
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_time_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        db_table = "interactions"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer_id", "-created_at"], name="interactions_customer_idx"),
            models.Index(fields=["status", "-created_at"], name="interactions_status_idx"),
            # Serves every created_at range, and lets the per-day figures (analytics.selectors.daily_performance)
            # read only the index (an index-only scan): it replaces the plain created_at index.
            models.Index(
                fields=["created_at"],
                include=["customer_id", "status", "resolution_time_seconds"],
                name="interactions_day_cover_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=in_choices("channel", Channel), name="interactions_channel_valid"),
            models.CheckConstraint(condition=in_choices("urgency", Urgency), name="interactions_urgency_valid"),
            models.CheckConstraint(condition=in_choices("status", InteractionStatus), name="interactions_status_valid"),
            models.CheckConstraint(condition=unit_interval("confidence_score"), name="interactions_confidence_0_1"),
            models.CheckConstraint(
                condition=Q(resolution_time_seconds__isnull=True) | Q(resolution_time_seconds__gte=0),
                name="interactions_resolution_time_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} · {self.channel} · {self.intent or 'no intent'} ({self.status})"


class ConversationMessage(models.Model):
    message_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="messages", db_column="interaction_id"
    )
    turn_number = models.PositiveIntegerField()
    speaker = models.CharField(max_length=20, choices=Speaker.choices)
    message = models.TextField()
    timestamp = models.DateTimeField(auto_now_add=True)
    metadata = models.JSONField(default=dict, blank=True)
    # The account that recorded the message (a bot client, or a person through the API); NULL for older rows.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        db_table = "conversation_messages"
        ordering = ["interaction", "turn_number"]
        constraints = [
            models.UniqueConstraint(fields=["interaction", "turn_number"], name="conversation_messages_turn_unique"),
            models.CheckConstraint(
                condition=in_choices("speaker", Speaker), name="conversation_messages_speaker_valid"
            ),
            models.CheckConstraint(condition=Q(turn_number__gte=1), name="conversation_messages_turn_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.turn_number} {self.speaker}"


class ResponseLog(models.Model):
    log_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="responses", db_column="interaction_id"
    )
    response_text = models.TextField()
    tone = models.CharField(max_length=20, choices=Tone.choices, default=Tone.PROFESSIONAL)
    confidence_score = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    execution_time_ms = models.PositiveIntegerField(null=True, blank=True)
    model_used = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "response_logs"
        ordering = ["interaction", "created_at"]
        indexes = [models.Index(fields=["interaction", "created_at"], name="response_logs_interaction_idx")]
        constraints = [
            models.CheckConstraint(condition=in_choices("tone", Tone), name="response_logs_tone_valid"),
            models.CheckConstraint(condition=unit_interval("confidence_score"), name="response_logs_confidence_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.tone} response ({self.model_used or 'unknown model'})"
