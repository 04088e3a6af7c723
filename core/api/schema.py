"""OpenAPI helpers: the Error component, common error responses and the Idempotency-Key header.

`add_common_responses` is a drf-spectacular post-processing hook (SPECTACULAR_SETTINGS): the error
shape, the Idempotency-Key header and 401/403/429 are the same for every operation, so they are
declared once here instead of on each view. Views still declare their specific bodies and codes.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes

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
    "409": "Conflicts with the current state (e.g. an invalid life-cycle transition, with from/to status).",
    "415": "Unsupported media type (send application/json).",
    "422": "The Idempotency-Key was already used with a different request.",
    "429": "Too many requests; retry after `Retry-After` seconds.",
}
READ_CODES = ("400", "401", "403", "404", "405", "406", "429")
WRITE_CODES = (*READ_CODES, "409", "415", "422")

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


def add_common_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = READ_CODES if method in {"get", "delete"} else WRITE_CODES
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"content": error_ref, "description": ERROR_DESCRIPTIONS[code]})
            if "429" in responses:
                responses["429"].setdefault("headers", {})["Retry-After"] = {
                    "schema": {"type": "integer"},
                    "description": "Seconds to wait before retrying.",
                }
            if method == "post":
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == IDEMPOTENCY_HEADER["name"] for p in parameters):
                    parameters.append(IDEMPOTENCY_HEADER)
    return result
