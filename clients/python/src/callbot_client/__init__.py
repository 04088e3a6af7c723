"""Python client of the callbot back-office API: `DatabaseService`, the seed's ten operations over HTTP."""

from .errors import (
    AuthenticationFailed,
    CallbotError,
    Conflict,
    IdempotencyKeyReused,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    ValidationError,
)
from .retry import RetryPolicy
from .service import DatabaseService

__all__ = [
    "AuthenticationFailed",
    "CallbotError",
    "Conflict",
    "DatabaseService",
    "IdempotencyKeyReused",
    "InvalidTransition",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "RetryPolicy",
    "ServerError",
    "ServiceUnavailable",
    "ValidationError",
]
