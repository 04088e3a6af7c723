"""Webhooks to the bots: each bot's endpoints, the events that happened, one delivery per (event, endpoint).

The tables are an outbox: an event and its deliveries are written in the transaction that changed the
ticket or interaction, so a committed change always has its deliveries (docs/api.md, "Webhooks").
"""

import uuid

from django.conf import settings
from django.db import models

from core.db import in_choices


class EventType(models.TextChoices):
    TICKET_ASSIGNED = "ticket.assigned"
    TICKET_RESOLVED = "ticket.resolved"
    INTERACTION_COMPLETED = "interaction.completed"
    EXPORT_FINISHED = "export.finished"
    APPROVAL_DECIDED = "approval.decided"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookEndpoint(models.Model):
    """Where one bot client wants its events, and the material its signing secrets derive from.

    The secrets themselves are not stored: `secret_salt` is random and the secret is
    HMAC(WEBHOOKS_SIGNING_KEY, id + salt) (webhooks/secrets.py says why).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text="Event types sent to this endpoint.")
    description = models.CharField(max_length=200, blank=True, default="")
    is_active = models.BooleanField(default=True)
    secret_salt = models.CharField(max_length=64, editable=False)
    previous_secret_salt = models.CharField(max_length=64, blank=True, default="", editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "webhooks_endpoints"
        ordering = ["created_at"]
        indexes = [models.Index(fields=["client", "created_at"], name="webhooks_endpoint_client_idx")]

    def __str__(self):
        return f"{self.client_id}: {self.url}"


class WebhookEvent(models.Model):
    """Something a bot may want to hear about; `id` is the event id the receivers de-duplicate on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=40, choices=EventType.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "webhooks_events"
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=in_choices("type", EventType), name="webhooks_event_type")]

    def __str__(self):
        return f"{self.type} {self.id}"


class WebhookDelivery(models.Model):
    """One event sent to one endpoint: its attempts and their outcome (never a response body)."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "webhooks_deliveries"
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.CheckConstraint(condition=in_choices("status", DeliveryStatus), name="webhooks_delivery_status"),
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhooks_delivery_once_per_endpoint"),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="webhooks_delivery_status_idx"),
            models.Index(fields=["endpoint", "created_at"], name="webhooks_delivery_endpoint_idx"),
        ]

    def __str__(self):
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"
