"""OpenAPI helpers: the Error component, common error responses, the Idempotency-Key header, exact strings.

`add_common_responses` is a drf-spectacular post-processing hook (SPECTACULAR_SETTINGS): the error
shape, the Idempotency-Key header and 401/403/413/429/503 are the same for every operation, so they are
declared once here instead of on each view. Views still declare their specific bodies and codes.

`CallbotAutoSchema` declares what every text input refuses (a generated client, or schemathesis, must find
in the document each limit the server enforces): no NUL character (PostgreSQL cannot store it) and, where
blank is refused, at least one character that is not white space (DRF trims before it checks).
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes
from rest_framework import serializers

from core.api.patterns import JSON_VALUE_SCHEMA, NON_BLANK_PATTERN, NUL_FREE_PATTERN


class CallbotAutoSchema(AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        is_plain_text = (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and isinstance(schema, dict)
            and schema.get("type") == "string"
            and not {"enum", "format", "pattern"} & schema.keys()
        )
        if is_plain_text:
            blank_refused = not field.allow_blank and field.trim_whitespace
            schema["pattern"] = NON_BLANK_PATTERN if blank_refused else NUL_FREE_PATTERN
        return schema


ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error shape of the API.",
    "properties": {
        "type": {"type": "string", "description": "Machine-readable kind, e.g. validation_error, not_found."},
        "detail": {"type": "string", "description": "Human-readable explanation."},
        "errors": {
            "type": "object",
            "description": "Field name → messages (empty when the error is not about a field).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "detail", "errors"],
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input (the `errors` object names each field and what is allowed).",
    "401": "No or invalid credentials.",
    "403": "Authenticated, but not allowed to do this.",
    "404": "Unknown id.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "413": "The request body is larger than the API accepts.",
    "409": "Conflicts with the current state (e.g. an invalid life-cycle transition, with from/to status).",
    "415": "Unsupported media type (send application/json).",
    "422": "The Idempotency-Key was already used with a different request.",
    "429": "Too many requests; retry after `Retry-After` seconds.",
    "503": "The database is unavailable for a moment; retry after `Retry-After` seconds.",
}
READ_CODES = ("400", "401", "403", "404", "405", "406", "429", "503")
WRITE_CODES = (*READ_CODES, "409", "413", "415", "422")
# gunicorn refuses a request line over 4094 bytes itself, with a small HTML page, before Django runs.
URI_TOO_LONG = {
    "content": {"text/html": {"schema": {"type": "string"}}},
    "description": "The request line is too long (over 4094 bytes); refused by the HTTP server.",
}
RETRY_AFTER_HEADER = {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}

IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string (e.g. a UUID), at most 255 printable ASCII characters. Retrying with the "
    "same key and body returns the first response and writes nothing; another body with the key gives 422. "
    "Keys expire after 24 hours.",
    "schema": {"type": "string", "maxLength": 255, "pattern": "^[ -~]{1,255}$"},
}


def uuid_path_parameter(name: str, description: str = "") -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)


def _any_or_null_as_any(node) -> None:
    """drf-spectacular writes a nullable JSONField as `oneOf: [{}, {type: null}]`; null matches both branches,
    so the document would call every null a violation. `{}` already admits null: keep just that."""
    if isinstance(node, dict):
        if any(branch == {} for branch in node.get("oneOf", ())):
            del node["oneOf"]
        for value in node.values():
            _any_or_null_as_any(value)
    elif isinstance(node, list):
        for value in node:
            _any_or_null_as_any(value)


def add_common_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["JsonValue"] = JSON_VALUE_SCHEMA
    _any_or_null_as_any(schemas)
    error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = READ_CODES if method in {"get", "delete"} else WRITE_CODES
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"content": error_ref, "description": ERROR_DESCRIPTIONS[code]})
            responses.setdefault("414", URI_TOO_LONG)
            for code in ("429", "503"):
                responses[code].setdefault("headers", {})["Retry-After"] = RETRY_AFTER_HEADER
            if method == "post":
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == IDEMPOTENCY_HEADER["name"] for p in parameters):
                    parameters.append(IDEMPOTENCY_HEADER)
    return result
