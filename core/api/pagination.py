"""Pagination: pages of `page_size` (default 50, at most 200); interactions use a cursor (no COUNT(*)).

DRF falls back to the default page size on a bad `page_size` and answers 404 on a bad `page`. Here a
malformed or out-of-range value is a 400 naming the parameter and what is allowed, and the schema declares
the same bounds. A page past the last one, or a cursor that decodes to nothing, is a 404: like an unknown id,
it is well-formed text that points nowhere (a cursor is opaque; no pattern can tell a good one).
"""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

from core.api.patterns import NUL_FREE_PATTERN

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _positive_int(request, name: str, maximum: int | None = None) -> int | None:
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise ValidationError({name: [f"Given {len(values)} times; allowed: once."]})
    raw = values[0]
    allowed = f"an integer from 1 to {maximum}" if maximum else "an integer from 1"
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= (maximum or int(raw)):
        raise ValidationError({name: [f"'{raw}' is not allowed; allowed: {allowed}."]})
    return int(raw)


def _with_bounds(parameters: list[dict], bounds: dict[str, dict]) -> list[dict]:
    for parameter in parameters:
        parameter["schema"].update(bounds.get(parameter["name"], {}))
    return parameters


class StrictPageSize:
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return _positive_int(request, self.page_size_query_param, self.max_page_size) or self.page_size


class ApiPagination(StrictPageSize, PageNumberPagination):
    last_page_strings = ()  # `page` is an integer, as the schema says

    def get_page_number(self, request, paginator):
        return _positive_int(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view):
        bounds = {"page": {"minimum": 1}, "page_size": {"minimum": 1, "maximum": self.max_page_size}}
        return _with_bounds(super().get_schema_operation_parameters(view), bounds)


class InteractionCursorPagination(StrictPageSize, CursorPagination):
    """The interactions table is the biggest: a cursor keeps deep pages as cheap as the first one."""

    ordering = ("-created_at", "-interaction_id")

    def get_schema_operation_parameters(self, view):
        bounds = {"page_size": {"minimum": 1, "maximum": self.max_page_size}, "cursor": {"pattern": NUL_FREE_PATTERN}}
        return _with_bounds(super().get_schema_operation_parameters(view), bounds)
