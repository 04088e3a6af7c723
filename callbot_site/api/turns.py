"""POST /api/v1/turns/: a whole bot turn in one request and one transaction (service: callbot_site.turns)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status

from callbot_site import turns
from core.api.fields import AllowedChoiceField
from core.api.serializers import StrictInputSerializer
from core.api.views import ApiView
from crm.api.serializers import CrmActionInput
from handoff.api.serializers import HandoffInput
from interactions.api.serializers import InteractionCreateInput, MessageInput, ResponseInput
from interactions.models import InteractionStatus, Speaker
from interactions.services import FINAL_STATUSES


class TurnMessageInput(MessageInput):
    speaker = AllowedChoiceField(Speaker, required=False, default=Speaker.CUSTOMER)


class TurnCrmActionInput(CrmActionInput):
    customer_id = serializers.CharField(max_length=50, required=False, help_text="Default: the interaction's customer.")


class TurnResponseInput(ResponseInput):
    add_to_transcript = serializers.BooleanField(
        required=False, default=True, help_text="Also append the response to the transcript (speaker 'agent')."
    )


def _fields_built_once(serializer_class) -> dict:
    """The bound fields of one prototype instance, built at the first request of the process.

    DRF deep-copies every declared field on each serializer instance, nested serializers included: a
    turn's ~40 fields cost ~0.6 ms per request, more than a whole bare create's validation. Validating
    input stores nothing on the fields (values pass through to_internal_value, and no field here reads
    the serializer's context), so every TurnInput of the process may share one set.
    """
    fields = serializer_class.__dict__.get("_fields_built_once")
    if fields is None:
        fields = serializers.Serializer.fields.real_func(serializer_class())
        serializer_class._fields_built_once = fields
    return fields


class TurnInput(StrictInputSerializer):
    exactly_one_of = ("interaction_id", "interaction")
    # A turn that opens a handoff leaves the interaction open (callbot_site.turns checks it).
    request_schema_rules = {
        "not": {
            "required": ["handoff", "status"],
            "properties": {"status": {"enum": [status.value for status in FINAL_STATUSES]}},
        }
    }

    interaction_id = serializers.UUIDField(required=False, help_text="Continue this interaction…")
    interaction = InteractionCreateInput(required=False, help_text="…or start one (give exactly one of the two).")
    message = TurnMessageInput(help_text="The customer's message (appended after the last turn).")
    crm_action = TurnCrmActionInput(required=False)
    response = TurnResponseInput(required=False)
    handoff = HandoffInput(required=False)
    status = AllowedChoiceField(InteractionStatus, required=False, help_text="Final status to set, applied last.")

    @property
    def fields(self):
        return _fields_built_once(type(self))


class TurnOutput(serializers.Serializer):
    interaction_id = serializers.UUIDField(source="interaction.pk")
    interaction_status = serializers.CharField(source="interaction.status")
    created = serializers.BooleanField(help_text="True when this turn started the interaction.")
    message_id = serializers.UUIDField()
    turn_number = serializers.IntegerField()
    action_id = serializers.UUIDField(allow_null=True)
    response_log_id = serializers.UUIDField(allow_null=True)
    response_message_id = serializers.UUIDField(allow_null=True)
    ticket_id = serializers.UUIDField(allow_null=True)


class TurnApi(ApiView):
    @extend_schema(tags=["turns"], request=TurnInput, responses={201: TurnOutput})
    def post(self, request):
        """Record a bot turn atomically: start or continue an interaction, append the customer's message, and
        optionally log a CRM action, a bot response, open a handoff and set a final status."""
        result = turns.record_turn(author=request.user, **self.validated(TurnInput))
        return self.respond(TurnOutput, result, status.HTTP_201_CREATED)
