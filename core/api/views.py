"""Base view of the API: validate input with a serializer, call a service/selector, serialize the output."""

from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.metadata import SimpleMetadata
from rest_framework.response import Response


def refuse_repeated_parameters(request) -> None:
    repeated = {name: values for name, values in request.query_params.lists() if len(values) > 1}
    if repeated:
        raise ValidationError(
            {name: [f"Given {len(values)} times; allowed: once."] for name, values in sorted(repeated.items())}
        )


class ApiMetadata(SimpleMetadata):
    """OPTIONS without the form description of DRF's browsable API (our views have no serializer_class;
    the OpenAPI schema at /api/v1/schema/ describes every body)."""

    def determine_actions(self, request, view):
        return {}


class ApiView(GenericAPIView):
    # Thin view: no queryset, no filter backends (filters are input serializers passed to selectors).
    # No class docstring on purpose: OpenAPI descriptions come from each method's docstring.
    # Permissions: REST_FRAMEWORK's DEFAULT_PERMISSION_CLASSES (any callbot client), or the view's own.

    filter_backends: list = []
    metadata_class = ApiMetadata

    def validated(self, serializer_class, data=None) -> dict:
        serializer = serializer_class(data=self.request.data if data is None else data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def query(self, serializer_class) -> dict:
        """Validated query-string filters (only those given); a filter given twice is refused, not half-read."""
        refuse_repeated_parameters(self.request)
        return self.validated(serializer_class, data=self.request.query_params.dict())

    def respond(self, serializer_class, instance, status_code=status.HTTP_200_OK, *, many=False) -> Response:
        serializer = serializer_class(instance, many=many, context={"request": self.request})
        return Response(serializer.data, status=status_code)

    def paginated(self, serializer_class, queryset) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True, context={"request": self.request}).data)
