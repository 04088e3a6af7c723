"""Input and output shapes of the webhook endpoints API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import AllowedChoiceField
from core.api.serializers import StrictInputSerializer
from webhooks.models import EventType, WebhookEndpoint

URL_HELP = "Where events are POSTed: https:// (plain http only to localhost/127.0.0.1 in development)."


def _events_field(**kwargs):
    return serializers.ListField(
        child=AllowedChoiceField(EventType),
        allow_empty=False,
        min_length=1,  # declared as minItems (allow_empty alone is not in the schema)
        max_length=len(EventType.values),
        help_text="Event types to receive: " + ", ".join(EventType.values) + ".",
        **kwargs,
    )


@extend_schema_field(
    # The scheme rule as a pattern; the rest (a host with a top-level domain, no credentials) is Django's
    # URLValidator, which no pattern reproduces exactly (docs/api.md, "An exact contract").
    {
        "type": "string",
        "format": "uri",
        "maxLength": 2000,
        "pattern": r"^(https://|http://(localhost|127\.0\.0\.1)[:/]?)",
    }
)
class WebhookUrlField(serializers.CharField):
    pass


class EndpointCreateInput(StrictInputSerializer):
    url = WebhookUrlField(max_length=2000, help_text=URL_HELP)
    events = _events_field()
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EndpointUpdateInput(StrictInputSerializer):
    url = WebhookUrlField(max_length=2000, required=False, help_text=URL_HELP)
    events = _events_field(required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False, help_text="false: stop sending events here.")


class EndpointOutput(serializers.ModelSerializer):
    events = serializers.ListField(child=AllowedChoiceField(EventType))

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "events",
            "description",
            "is_active",
            "created_at",
            "updated_at",
            "secret_rotated_at",
            "previous_secret_expires_at",
        ]
        extra_kwargs = {
            "previous_secret_expires_at": {
                "help_text": "Until when the previous secret still signs too (null: one secret signs)."
            },
        }


class EndpointWithSecretOutput(EndpointOutput):
    """The endpoint with its new signing secret (the view sets `endpoint.secret`; it is never stored)."""

    secret = serializers.CharField(
        read_only=True, help_text="The signing secret, shown this once: store it now (rotate-secret gives a new one)."
    )

    class Meta(EndpointOutput.Meta):
        fields = [*EndpointOutput.Meta.fields, "secret"]
