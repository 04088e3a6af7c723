"""Input and output shapes of the interactions API (validation of shape and types; meaning is the services')."""

from rest_framework import serializers

from accounts.roles import agents_queryset
from core.api.fields import AllowedChoiceField, BoundedIntegerField, JSONObjectField, ScoreField
from core.api.serializers import StrictInputSerializer
from interactions.models import (
    Channel,
    ConversationMessage,
    Interaction,
    InteractionStatus,
    ResponseLog,
    Speaker,
    Tone,
    Urgency,
)


class InteractionCreateInput(StrictInputSerializer):
    customer_id = serializers.CharField(max_length=50)
    channel = AllowedChoiceField(Channel)
    intent = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    emotion = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    urgency = AllowedChoiceField(Urgency, required=False, default=Urgency.LOW)
    confidence_score = ScoreField(required=False, allow_null=True, default=None)


class InteractionFilterInput(serializers.Serializer):
    status = AllowedChoiceField(InteractionStatus, required=False)
    customer_id = serializers.CharField(max_length=50, required=False)
    channel = AllowedChoiceField(Channel, required=False)
    created_after = serializers.DateTimeField(required=False, help_text="Inclusive, ISO 8601.")
    created_before = serializers.DateTimeField(required=False, help_text="Exclusive, ISO 8601.")


class InteractionOutput(serializers.ModelSerializer):
    class Meta:
        model = Interaction
        fields = [
            "interaction_id",
            "customer_id",
            "channel",
            "intent",
            "emotion",
            "urgency",
            "confidence_score",
            "status",
            "assigned_agent",
            "created_at",
            "updated_at",
            "resolved_at",
            "resolution_time_seconds",
        ]


class MessageInput(StrictInputSerializer):
    speaker = AllowedChoiceField(Speaker)
    message = serializers.CharField()
    turn_number = BoundedIntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="Omit to append after the last turn."
    )
    metadata = JSONObjectField(default=dict)


class MessageOutput(serializers.ModelSerializer):
    interaction_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = ConversationMessage
        fields = ["message_id", "interaction_id", "turn_number", "speaker", "message", "timestamp", "metadata"]


class StatusInput(StrictInputSerializer):
    status = AllowedChoiceField(InteractionStatus)
    assigned_agent = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        default=None,
        help_text="Username of the human agent who handled the interaction (an active agent or supervisor).",
    )

    def validate_assigned_agent(self, value):
        # Free text would let a bot name any person as the one who handled a customer.
        if value and not agents_queryset().filter(username=value).exists():
            raise serializers.ValidationError(
                f"'{value}' is not an active agent or supervisor; give an agent's username, or leave it out."
            )
        return value


class ResponseInput(StrictInputSerializer):
    response_text = serializers.CharField()
    tone = AllowedChoiceField(Tone, required=False, default=Tone.PROFESSIONAL)
    confidence_score = ScoreField(required=False, allow_null=True, default=None)
    execution_time_ms = BoundedIntegerField(min_value=0, required=False, allow_null=True, default=None)
    model_used = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ResponseOutput(serializers.ModelSerializer):
    interaction_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = ResponseLog
        fields = [
            "log_id",
            "interaction_id",
            "response_text",
            "tone",
            "confidence_score",
            "execution_time_ms",
            "model_used",
            "created_at",
        ]
