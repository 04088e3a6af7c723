"""Input and output shapes of the handoff API: tickets, their life cycle, notifications."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import AllowedChoiceField, JSONObjectField
from core.api.serializers import StrictInputSerializer
from handoff.models import AgentNotification, HandoffTicket, Priority, TicketStatus
from interactions.api.serializers import InteractionOutput, MessageOutput


class HandoffInput(StrictInputSerializer):
    reason = serializers.CharField()
    priority = AllowedChoiceField(Priority, required=False, default=Priority.MEDIUM)
    queue_name = serializers.CharField(max_length=100, required=False, default="general")
    context_data = JSONObjectField(default=dict)


class TicketFilterInput(serializers.Serializer):
    status = AllowedChoiceField(TicketStatus, required=False)
    queue_name = serializers.CharField(max_length=100, required=False)
    priority = AllowedChoiceField(Priority, required=False)
    assigned_agent = serializers.CharField(max_length=150, required=False, help_text="Username of the holder.")


class TicketOutput(serializers.ModelSerializer):
    interaction_id = serializers.UUIDField(read_only=True)
    queue_name = serializers.CharField(source="queue_id", read_only=True)
    assigned_agent = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    resolution_reason = serializers.CharField(source="resolution_reason_id", read_only=True, allow_null=True)
    wait_minutes = serializers.SerializerMethodField(help_text="Minutes waited until assignment (or until now).")

    class Meta:
        model = HandoffTicket
        fields = [
            "ticket_id",
            "interaction_id",
            "customer_id",
            "status",
            "priority",
            "queue_name",
            "assigned_agent",
            "reason",
            "context_data",
            "wait_minutes",
            "created_at",
            "assigned_at",
            "started_at",
            "resolved_at",
            "resolution_notes",
            "resolution_reason",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_wait_minutes(self, ticket) -> int | None:
        return getattr(ticket, "wait_minutes", None)


class TicketDetailOutput(TicketOutput):
    interaction = InteractionOutput(read_only=True)
    transcript = MessageOutput(many=True, read_only=True, source="transcript_messages")

    class Meta(TicketOutput.Meta):
        fields = [*TicketOutput.Meta.fields, "interaction", "transcript"]


class AssignInput(StrictInputSerializer):
    agent = serializers.CharField(max_length=150, help_text="Username of the agent who gets the ticket.")


class ResolveInput(StrictInputSerializer):
    resolution_notes = serializers.CharField()
    reason_code = serializers.CharField(max_length=50, help_text="A code of the resolution reasons list.")


class ClaimNextInput(StrictInputSerializer):
    queue_name = serializers.CharField(max_length=100, required=False, allow_null=True, default=None)


class NotificationFilterInput(serializers.Serializer):
    is_read = serializers.BooleanField(required=False, allow_null=True, default=None)


class NotificationOutput(serializers.ModelSerializer):
    ticket_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = AgentNotification
        fields = ["notification_id", "ticket_id", "notification_type", "message", "is_read", "created_at", "read_at"]
