"""POST /api/v1/interactions/{id}/status/: the bots' status change, which needs interactions and handoff.

It lives in the shell, beside the turn, because finishing an interaction checks for an open handoff
ticket (callbot_site.turns.set_interaction_status), and `interactions` never learns about tickets.
"""

from drf_spectacular.utils import extend_schema

from callbot_site import turns
from core.api.views import ApiView
from interactions.api.serializers import InteractionOutput, StatusInput
from interactions.api.views import INTERACTION_ID, TAGS


class InteractionStatusApi(ApiView):
    @extend_schema(tags=TAGS, parameters=[INTERACTION_ID], request=StatusInput, responses=InteractionOutput)
    def post(self, request, interaction_id):
        """Move the interaction along pending → in_progress → completed | failed (409 otherwise)."""
        interaction = turns.set_interaction_status(interaction_id=interaction_id, **self.validated(StatusInput))
        return self.respond(InteractionOutput, interaction)
