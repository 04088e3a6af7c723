"""Interactions API: interactions, their transcript and the bot's responses (status changes: callbot_site.api)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status

from core.api.pagination import InteractionCursorPagination
from core.api.schema import uuid_path_parameter
from core.api.views import ApiView
from interactions import selectors, services

from .serializers import (
    InteractionCreateInput,
    InteractionFilterInput,
    InteractionOutput,
    MessageInput,
    MessageOutput,
    ResponseInput,
    ResponseOutput,
)

INTERACTION_ID = uuid_path_parameter("interaction_id")
TAGS = ["interactions"]


class InteractionCollectionApi(ApiView):
    pagination_class = InteractionCursorPagination

    @extend_schema(tags=TAGS, parameters=[InteractionFilterInput], responses=InteractionOutput(many=True))
    def get(self, request):
        filters = self.query(InteractionFilterInput)
        return self.paginated(InteractionOutput, selectors.filter_interactions(**filters))

    @extend_schema(tags=TAGS, request=InteractionCreateInput, responses={201: InteractionOutput})
    def post(self, request):
        interaction = services.create_interaction(**self.validated(InteractionCreateInput))
        return self.respond(InteractionOutput, interaction, status.HTTP_201_CREATED)


class InteractionDetailApi(ApiView):
    @extend_schema(tags=TAGS, parameters=[INTERACTION_ID], responses=InteractionOutput)
    def get(self, request, interaction_id):
        return self.respond(InteractionOutput, selectors.get_interaction(interaction_id=interaction_id))


class InteractionMessagesApi(ApiView):
    @extend_schema(tags=TAGS, parameters=[INTERACTION_ID], responses=MessageOutput(many=True))
    def get(self, request, interaction_id):
        """The transcript, ordered by turn."""
        return self.paginated(MessageOutput, selectors.get_conversation_history(interaction_id=interaction_id))

    @extend_schema(tags=TAGS, parameters=[INTERACTION_ID], request=MessageInput, responses={201: MessageOutput})
    def post(self, request, interaction_id):
        message = services.add_conversation_message(
            interaction_id=interaction_id, author=request.user, **self.validated(MessageInput)
        )
        return self.respond(MessageOutput, message, status.HTTP_201_CREATED)


class InteractionResponsesApi(ApiView):
    @extend_schema(tags=TAGS, parameters=[INTERACTION_ID], request=ResponseInput, responses={201: ResponseOutput})
    def post(self, request, interaction_id):
        response_log = services.log_response(interaction_id=interaction_id, **self.validated(ResponseInput))
        return self.respond(ResponseOutput, response_log, status.HTTP_201_CREATED)
