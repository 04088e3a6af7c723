"""Input and output shapes of the handoff API: tickets, their life cycle, notifications."""

from django.db import DatabaseError
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import AllowedChoiceField, JSONObjectField
from core.api.patterns import JSON_OBJECT_SCHEMA, NON_BLANK_PATTERN
from core.api.serializers import StrictInputSerializer
from handoff import packet
from handoff.models import (
    REASON_MAX_LENGTH,
    RESOLUTION_NOTES_MAX_LENGTH,
    AgentNotification,
    HandoffTicket,
    Priority,
    TicketStatus,
)
from handoff.selectors import active_reason_codes, queue_names
from interactions.api.serializers import InteractionOutput, MessageOutput


class PacketOrFreeFormSchema(serializers.JSONField):
    """Stands for ContextDataField in the schema (JSONObjectField's own schema annotation would win over an
    extension of its subclass); ContextDataFieldExtension maps it."""


@extend_schema_field(PacketOrFreeFormSchema)
class ContextDataField(JSONObjectField):
    """A handoff packet (with `version`, checked against its schema) or the legacy free form (without)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        errors = packet.packet_errors(value)
        if errors:
            # The keys name the path below context_data; DRF's nesting puts context_data in front again.
            raise serializers.ValidationError({name.removeprefix("context_data."): m for name, m in errors.items()})
        return value


class ContextDataFieldExtension(OpenApiSerializerFieldExtension):
    """`oneOf` the published packet versions (named components) and the legacy free-form object."""

    target_class = PacketOrFreeFormSchema

    def map_serializer_field(self, auto_schema, direction):
        versions = []
        for version, name in packet.COMPONENT_NAMES.items():
            component = ResolvedComponent(
                name=name, type=ResolvedComponent.SCHEMA, object=name, schema=packet.published_schema(version)
            )
            auto_schema.registry.register_on_missing(component)
            versions.append(component.ref)
        return {
            "description": 'The handoff packet (docs/api.md, "Handoff packet"), or a legacy free-form object.',
            "oneOf": [*versions, packet.legacy_schema(JSON_OBJECT_SCHEMA)],
        }


class QueueNameField(serializers.CharField):
    """The name of an existing queue (the service refuses any other with a 400 naming the existing ones)."""


class QueueNameFieldExtension(OpenApiSerializerFieldExtension):
    """The description lists the queues that exist when the schema is served (a list, not an enum: supervisors
    add queues at any time, and an unknown name is a documented 400 rather than a schema violation)."""

    target_class = QueueNameField

    def map_serializer_field(self, auto_schema, direction):
        try:
            names = ", ".join(queue_names())
        except (DatabaseError, RuntimeError):
            names = ""  # no database at hand (an offline `spectacular --file`)
        existing = f" Existing queues now: {names}." if names else ""
        return {
            "type": "string",
            "maxLength": 100,
            "description": (
                "An existing queue (default `general`). Any other name is refused with 400 (`errors.queue_name` "
                f"names the existing queues); supervisors create queues (`manage.py create_queue NAME`).{existing}"
            ),
        }


class HandoffInput(StrictInputSerializer):
    reason = serializers.CharField()
    priority = AllowedChoiceField(Priority, required=False, default=Priority.MEDIUM)
    queue_name = QueueNameField(max_length=100, required=False, default="general")
    context_data = ContextDataField(default=dict)


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
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        default="",
        allow_blank=True,
        help_text="Why the ticket is taken from its holder. Required (400 without it) when the ticket is assigned "
        "or in progress; recorded on the audit event and sent to the previous holder. Optional for a queued ticket.",
    )


class ReasonCodeField(serializers.CharField):
    """A code of the active resolution reasons (supervisors edit the list; the service checks it)."""


class ReasonCodeFieldExtension(OpenApiSerializerFieldExtension):
    """The schema lists the codes active when it is built, so a client knows them without a round trip."""

    target_class = ReasonCodeField

    def map_serializer_field(self, auto_schema, direction):
        schema = {"type": "string", "maxLength": 50}
        try:
            codes = active_reason_codes()
        except (DatabaseError, RuntimeError):
            # No database at hand (an offline `spectacular --file`, test collection): no list rather than a
            # stale one; the API still answers 400 with the allowed codes.
            codes = []
        if codes:
            schema["enum"] = codes
        else:  # an empty enum is no valid document; with no active reason every resolve answers 400 anyway
            schema["pattern"] = NON_BLANK_PATTERN
        return schema


class ResolveInput(StrictInputSerializer):
    resolution_notes = serializers.CharField(max_length=RESOLUTION_NOTES_MAX_LENGTH)
    reason_code = ReasonCodeField(max_length=50, help_text="A code of the resolution reasons list.")


class ClaimNextInput(StrictInputSerializer):
    queue_name = serializers.CharField(max_length=100, required=False, allow_null=True, default=None)


class NotificationFilterInput(serializers.Serializer):
    is_read = serializers.BooleanField(required=False, allow_null=True, default=None)


class NotificationOutput(serializers.ModelSerializer):
    ticket_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = AgentNotification
        fields = ["notification_id", "ticket_id", "notification_type", "message", "is_read", "created_at", "read_at"]
