"""One error shape for the whole API: `{"type": ..., "detail": ..., "errors": {field: [messages]}}`.

Installed as REST_FRAMEWORK["EXCEPTION_HANDLER"], so every DRF view of every app answers errors the
same way: DRF's own exceptions (validation, authentication, throttling, parsing…) and the domain
errors of `core.errors` raised by services are translated here, once.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, IntegrityError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from core import errors as domain

logger = logging.getLogger(__name__)

NON_FIELD_KEY = "non_field_errors"
DATABASE_RETRY_AFTER_SECONDS = 5

# (domain error class, HTTP status, type), most specific first.
DOMAIN_ERRORS: list[tuple[type[domain.DomainError], int, str]] = [
    (domain.InvalidTransition, status.HTTP_409_CONFLICT, "invalid_transition"),
    (domain.Conflict, status.HTTP_409_CONFLICT, "conflict"),
    (domain.NotFound, status.HTTP_404_NOT_FOUND, "not_found"),
    (domain.PermissionRefused, status.HTTP_403_FORBIDDEN, "permission_denied"),
    (domain.InvalidInput, status.HTTP_400_BAD_REQUEST, "validation_error"),
]


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def too_large(limit: int) -> RequestTooLarge:
    return RequestTooLarge(f"The request body is over the {limit} bytes this endpoint accepts.")


def error_body(error_type: str, detail: str, errors: dict[str, list[str]] | None = None) -> dict:
    return {"type": error_type, "detail": str(detail), "errors": errors or {}}


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as {"field": [...], "nested.field": [...], "items.0.field": [...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == NON_FIELD_KEY and prefix:
                name = prefix
            for field, messages in flatten_errors(value, name).items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            flat[prefix or NON_FIELD_KEY] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                name = f"{prefix}.{index}" if prefix else str(index)
                for field, messages in flatten_errors(item, name).items():
                    flat.setdefault(field, []).extend(messages)
    else:
        flat[prefix or NON_FIELD_KEY] = [str(detail)]
    return flat


def _validation_detail(errors: dict[str, list[str]]) -> str:
    if not errors:
        return "Invalid input."
    field, messages = next(iter(errors.items()))
    return f"Invalid input: {field}: {messages[0]}" + (" (and more)" if len(errors) > 1 or len(messages) > 1 else "")


def _from_api_exception(exc: exceptions.APIException) -> Response:
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(max(1, round(exc.wait)))
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        body = error_body("validation_error", _validation_detail(errors), errors)
    else:
        detail = exc.detail if not isinstance(exc.detail, list | dict) else exc.default_detail
        body = error_body(getattr(exc, "default_code", "error"), detail)
    return Response(body, status=exc.status_code, headers=headers)


def _from_domain_error(exc: domain.DomainError) -> Response:
    for error_class, http_status, error_type in DOMAIN_ERRORS:
        if isinstance(exc, error_class):
            errors = exc.errors
            if isinstance(exc, domain.InvalidTransition) and not errors:
                errors = {"status": [exc.message]}
            return Response(error_body(error_type, exc.message, errors), status=http_status)
    return Response(error_body("domain_error", exc.message, exc.errors), status=status.HTTP_400_BAD_REQUEST)


def api_exception_handler(exc, context) -> Response:
    """Translate any exception raised by an API view into the API's error shape; never a traceback."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, RequestDataTooBig):  # DRF reads request.body, bounded by Django's own limit
        exc = too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exc, exceptions.APIException):
        return _from_api_exception(exc)
    if isinstance(exc, domain.DomainError):
        return _from_domain_error(exc)
    # Input the serializers let through but PostgreSQL refused (a race on a unique key, a value out of
    # a column's range): the client's request, not our crash.
    if isinstance(exc, IntegrityError):
        logger.warning("API request hit an integrity error: %s", exc)
        return Response(
            error_body("conflict", "The request conflicts with the current state of the data; retry."),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DataError):
        logger.warning("API request hit a data error: %s", exc)
        return Response(
            error_body("validation_error", "A value is outside what the database can store (range or characters)."),
            status=status.HTTP_400_BAD_REQUEST,
        )
    # A query cancelled by statement_timeout (core.db), a lost or refused connection: passing, and not the
    # client's fault. One line in the log, no traceback; the client retries.
    if isinstance(exc, OperationalError):
        logger.warning("API request hit a database error: %s", exc)
        response = Response(
            error_body("database_unavailable", "The database is temporarily unavailable; retry shortly."),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
        response._has_been_logged = True  # Django's own flag: the line above is this request's only log line
        return response
    logger.exception("Unhandled error in an API view", exc_info=exc)
    return Response(
        error_body("server_error", "The server could not complete the request; it has been logged."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
