"""Handoff API: opening a handoff, the ticket queue and its life cycle, the agents' notifications.

Who may call what is the view's permission class (docs/api.md has the matrix); whether this agent
may act on this ticket (holder or supervisor) is decided by the services and answered 403.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.permissions import IsAgent, IsSupervisor
from core.api.schema import uuid_path_parameter
from core.api.views import ApiView
from handoff import selectors, services
from interactions import selectors as interaction_selectors

from .serializers import (
    AssignInput,
    ClaimNextInput,
    HandoffInput,
    NotificationFilterInput,
    NotificationOutput,
    ResolveInput,
    TicketDetailOutput,
    TicketFilterInput,
    TicketOutput,
)

TICKET_ID = uuid_path_parameter("ticket_id")
TAGS = ["tickets"]
# The one error shape (core.api.schema adds the component), for responses described here specifically.
ERROR = {"$ref": "#/components/schemas/Error"}


class TicketActionApi(ApiView):
    """Runs one ticket service, then answers the ticket as the list shows it (with wait_minutes)."""

    def ticket_response(self, ticket, status_code=status.HTTP_200_OK) -> Response:
        return self.respond(TicketOutput, selectors.get_ticket(ticket_id=ticket.pk), status_code)


class InteractionHandoffApi(TicketActionApi):
    @extend_schema(
        tags=TAGS,
        parameters=[uuid_path_parameter("interaction_id")],
        request=HandoffInput,
        responses={201: TicketOutput},
    )
    def post(self, request, interaction_id):
        """Queue a ticket for a human; the interaction moves to in_progress."""
        ticket = services.create_handoff_ticket(interaction_id=interaction_id, **self.validated(HandoffInput))
        return self.ticket_response(ticket, status.HTTP_201_CREATED)


class TicketListApi(ApiView):
    @extend_schema(tags=TAGS, parameters=[TicketFilterInput], responses=TicketOutput(many=True))
    def get(self, request):
        """Tickets by priority (high first), then oldest first."""
        return self.paginated(TicketOutput, selectors.list_tickets(**self.query(TicketFilterInput)))


class TicketDetailApi(ApiView):
    @extend_schema(tags=TAGS, parameters=[TICKET_ID], responses=TicketDetailOutput)
    def get(self, request, ticket_id):
        """The ticket with its interaction and the transcript."""
        ticket = selectors.get_ticket(ticket_id=ticket_id)
        ticket.transcript_messages = interaction_selectors.get_conversation_history(
            interaction_id=ticket.interaction_id
        )
        return self.respond(TicketDetailOutput, ticket)


class TicketAssignApi(TicketActionApi):
    permission_classes = [IsSupervisor]

    @extend_schema(
        tags=TAGS,
        parameters=[TICKET_ID],
        request=AssignInput,
        responses={
            200: TicketOutput,
            400: OpenApiResponse(
                ERROR,
                description="Invalid input: an unknown agent, or no `reason` when the ticket has a holder "
                "(`errors.reason` says who holds it and whether they started).",
            ),
            409: OpenApiResponse(
                ERROR,
                description="Already held by this agent, the agent is at capacity, or the ticket is resolved.",
            ),
        },
    )
    def post(self, request, ticket_id):
        """Give the ticket to an agent (supervisors only); taking it from its holder needs a `reason`.

        The previous holder gets a `reassigned` notification (who, by whom, why); their working notes stay
        on the ticket for the new holder.
        """
        data = self.validated(AssignInput)
        ticket = services.assign_ticket_to_agent(
            ticket_id=ticket_id, agent=data["agent"], actor=request.user, reason=data["reason"]
        )
        return self.ticket_response(ticket)


class TicketStartApi(TicketActionApi):
    permission_classes = [IsAgent]

    @extend_schema(tags=TAGS, parameters=[TICKET_ID], request=None, responses=TicketOutput)
    def post(self, request, ticket_id):
        """The holder (or a supervisor) starts working the ticket: assigned → in_progress."""
        return self.ticket_response(services.start_ticket(ticket_id=ticket_id, actor=request.user))


class TicketResolveApi(TicketActionApi):
    permission_classes = [IsAgent]

    @extend_schema(tags=TAGS, parameters=[TICKET_ID], request=ResolveInput, responses=TicketOutput)
    def post(self, request, ticket_id):
        """Resolve a held ticket; its interaction is completed."""
        data = self.validated(ResolveInput)
        ticket = services.resolve_ticket(ticket_id=ticket_id, actor=request.user, **data)
        return self.ticket_response(ticket)


class TicketClaimNextApi(TicketActionApi):
    permission_classes = [IsAgent]

    @extend_schema(
        tags=TAGS,
        request=ClaimNextInput,
        responses={200: TicketOutput, 204: OpenApiResponse(description="The queue is empty.")},
    )
    def post(self, request):
        """The calling agent gets the highest-priority, oldest queued ticket (never one given to someone else)."""
        ticket = services.claim_next_ticket(agent=request.user, **self.validated(ClaimNextInput))
        if ticket is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self.ticket_response(ticket)


class NotificationListApi(ApiView):
    permission_classes = [IsAgent]

    @extend_schema(
        tags=["notifications"], parameters=[NotificationFilterInput], responses=NotificationOutput(many=True)
    )
    def get(self, request):
        """The calling agent's notifications, newest first."""
        filters = self.query(NotificationFilterInput)
        return self.paginated(NotificationOutput, selectors.notifications_of(agent=request.user, **filters))


class NotificationReadApi(ApiView):
    permission_classes = [IsAgent]

    @extend_schema(
        tags=["notifications"],
        parameters=[uuid_path_parameter("notification_id")],
        request=None,
        responses=NotificationOutput,
    )
    def post(self, request, notification_id):
        notification = services.mark_notification_read(notification_id=notification_id, agent=request.user)
        return self.respond(NotificationOutput, notification)
