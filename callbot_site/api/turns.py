"""POST /api/v1/turns/: a whole bot turn in one request and one transaction (service: callbot_site.turns)."""

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings

from callbot_site import turns
from callbot_site.api.fields import AllowedChoiceField
from callbot_site.api.serializers import StrictInputSerializer
from callbot_site.api.views import ApiView
from crm.api.serializers import CrmActionInput
from handoff.api.serializers import HandoffInput
from interactions.api.serializers import InteractionCreateInput, MessageInput, ResponseInput
from interactions.models import InteractionStatus, Speaker


class TurnMessageInput(MessageInput):
    speaker = AllowedChoiceField(Speaker, required=False, default=Speaker.CUSTOMER)


class TurnCrmActionInput(CrmActionInput):
    customer_id = serializers.CharField(max_length=50, required=False, help_text="Default: the interaction's customer.")


class TurnResponseInput(ResponseInput):
    add_to_transcript = serializers.BooleanField(
        required=False, default=True, help_text="Also append the response to the transcript (speaker 'agent')."
    )


class TurnInput(StrictInputSerializer):
    interaction_id = serializers.UUIDField(required=False, help_text="Continue this interaction…")
    interaction = InteractionCreateInput(required=False, help_text="…or start one (give exactly one of the two).")
    message = TurnMessageInput(help_text="The customer's message (appended after the last turn).")
    crm_action = TurnCrmActionInput(required=False)
    response = TurnResponseInput(required=False)
    handoff = HandoffInput(required=False)
    status = AllowedChoiceField(InteractionStatus, required=False, help_text="Final status to set, applied last.")


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


class TokenWithGroupsAuthentication(TokenAuthentication):
    """DRF's token authentication, reading the user's group names in the same query.

    The role check (callbot_site.api.roles) needs them on every request and handoff.roles caches them
    on the user object: filling that cache here spares the turn, the hottest endpoint, one query.
    Same answers as TokenAuthentication (401 for an unknown token or an inactive user).
    """

    def authenticate_credentials(self, key):
        group_names = ArraySubquery(Group.objects.filter(user=OuterRef("user_id")).values("name"))
        token = Token.objects.select_related("user").annotate(group_names=group_names).filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user._callbot_groups = set(token.group_names)  # the cache handoff.roles._group_names reads
        return token.user, token


# The same "tokenAuth" security scheme as DRF's class in the OpenAPI schema: not a second scheme.
set_override(TokenWithGroupsAuthentication, "suppress_collision_warning", True)


class TurnApi(ApiView):
    authentication_classes = [
        TokenWithGroupsAuthentication,
        *(cls for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES if cls is not TokenAuthentication),
    ]

    @extend_schema(tags=["turns"], request=TurnInput, responses={201: TurnOutput})
    def post(self, request):
        """Record a bot turn atomically: start or continue an interaction, append the customer's message, and
        optionally log a CRM action, a bot response, open a handoff and set a final status."""
        result = turns.record_turn(**self.validated(TurnInput))
        return self.respond(TurnOutput, result, status.HTTP_201_CREATED)
