"""Webhooks API: a bot manages its own endpoints (others' ids answer 404) and rotates their secrets."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from core.api.schema import uuid_path_parameter
from core.api.views import ApiView
from webhooks import selectors, services

from .permissions import IsBot
from .serializers import EndpointCreateInput, EndpointOutput, EndpointUpdateInput, EndpointWithSecretOutput

TAGS = ["webhooks"]
ENDPOINT_ID = uuid_path_parameter("endpoint_id", "The endpoint's id.")


class WebhookApi(ApiView):
    permission_classes = [IsBot]

    def with_secret(self, endpoint, secret, status_code=status.HTTP_200_OK) -> Response:
        endpoint.secret = secret
        return self.respond(EndpointWithSecretOutput, endpoint, status_code)


class EndpointCollectionApi(WebhookApi):
    @extend_schema(tags=TAGS, responses=EndpointOutput(many=True))
    def get(self, request):
        """The calling bot's endpoints, oldest first."""
        return self.paginated(EndpointOutput, selectors.endpoints_of(client=request.user))

    @extend_schema(tags=TAGS, request=EndpointCreateInput, responses={201: EndpointWithSecretOutput})
    def post(self, request):
        """Register an endpoint; the answer holds its signing secret, shown this once."""
        endpoint, secret = services.create_endpoint(client=request.user, **self.validated(EndpointCreateInput))
        return self.with_secret(endpoint, secret, status.HTTP_201_CREATED)


class EndpointDetailApi(WebhookApi):
    @extend_schema(tags=TAGS, parameters=[ENDPOINT_ID], responses=EndpointOutput)
    def get(self, request, endpoint_id):
        return self.respond(EndpointOutput, selectors.endpoint_of(client=request.user, endpoint_id=endpoint_id))

    @extend_schema(tags=TAGS, parameters=[ENDPOINT_ID], request=EndpointUpdateInput, responses=EndpointOutput)
    def patch(self, request, endpoint_id):
        """Change the fields given (URL, events, description, is_active)."""
        data = self.validated(EndpointUpdateInput)
        endpoint = services.update_endpoint(client=request.user, endpoint_id=endpoint_id, **data)
        return self.respond(EndpointOutput, endpoint)

    @extend_schema(
        tags=TAGS,
        parameters=[ENDPOINT_ID],
        responses={204: OpenApiResponse(description="Deleted, with its delivery log; nothing more is sent there.")},
    )
    def delete(self, request, endpoint_id):
        services.delete_endpoint(client=request.user, endpoint_id=endpoint_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointRotateSecretApi(WebhookApi):
    @extend_schema(tags=TAGS, parameters=[ENDPOINT_ID], request=None, responses=EndpointWithSecretOutput)
    def post(self, request, endpoint_id):
        """A new signing secret, shown this once; the previous one keeps signing during the grace period."""
        endpoint, secret = services.rotate_secret(client=request.user, endpoint_id=endpoint_id)
        return self.with_secret(endpoint, secret)
