"""Typed errors, mapped from the API's one error shape `{"type", "detail", "errors"}` (docs/api.md, "Errors")."""

from __future__ import annotations

from typing import Any


class CallbotError(Exception):
    """Base class. `status` is the HTTP status (None when no answer came), `type` the API's error type,
    `detail` its message, `errors` the messages per field (dotted for nested fields), `retry_after` in seconds."""

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        type: str = "error",
        errors: dict[str, list[str]] | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.type = type
        self.errors: dict[str, list[str]] = errors or {}
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.status or '-'} {self.type}: {self.detail}"


class ValidationError(CallbotError):
    """400: a field's value is refused; `errors` names each field and what is allowed."""


class AuthenticationFailed(CallbotError):
    """401: no token, or an unknown, expired or revoked one."""


class PermissionDenied(CallbotError):
    """403: the token's role may not do this (e.g. a bot assigning a ticket), or not the ticket's holder."""


class NotFound(CallbotError):
    """404: an unknown (or malformed) id."""


class Conflict(CallbotError):
    """409: the request clashes with the current state (ticket already open, agent at capacity…)."""


class InvalidTransition(Conflict):
    """409 `invalid_transition`: a life-cycle change not allowed from the current status."""


class IdempotencyKeyReused(CallbotError):
    """422: the same Idempotency-Key was sent with a different request."""


class RateLimited(CallbotError):
    """429 after the retries: over the client's request rate; `retry_after` says when to try again."""


class ServerError(CallbotError):
    """500 after the retries: a bug on the server (logged there)."""


class ServiceUnavailable(CallbotError):
    """502/503/504, a timeout or a connection error after the retries (the cause is chained)."""


_BY_STATUS: dict[int, type[CallbotError]] = {
    400: ValidationError,
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    422: IdempotencyKeyReused,
    429: RateLimited,
    500: ServerError,
    502: ServiceUnavailable,
    503: ServiceUnavailable,
    504: ServiceUnavailable,
}


def error_from_response(status: int, body: Any, *, reason: str = "", retry_after: float | None = None) -> CallbotError:
    """The typed error for an HTTP error answer; a body that is not the API's shape (a proxy's page) is not quoted."""
    shaped = isinstance(body, dict) and isinstance(body.get("type"), str)
    error_type = body["type"] if shaped else "http_error"
    detail = str(body.get("detail", "")) if shaped else f"HTTP {status} {reason}".strip()
    errors = body.get("errors") if shaped and isinstance(body.get("errors"), dict) else {}
    if status == 409 and error_type == "invalid_transition":
        error_class: type[CallbotError] = InvalidTransition
    else:
        error_class = _BY_STATUS.get(status, ServerError if status >= 500 else CallbotError)
    return error_class(detail, status=status, type=error_type, errors=errors, retry_after=retry_after)
