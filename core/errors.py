"""Domain errors shared by every app's services.

Services raise these; the API layer translates them once into HTTP responses and the admin
into messages. Apps subclass them for their own cases (e.g. `handoff.errors.CapacityReached`).
"""


class DomainError(Exception):
    """Base class: a request that the domain refuses, with a message fit for the caller."""

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(DomainError):
    """An id that does not exist."""


class InvalidInput(DomainError):
    """A value outside what the domain allows; `errors` maps field names to messages."""

    @classmethod
    def for_field(cls, field: str, message: str) -> "InvalidInput":
        return cls(f"{field}: {message}", errors={field: [message]})


class InvalidTransition(DomainError):
    """A life-cycle change that is not allowed from the current status."""

    def __init__(self, entity: str, current: str, target: str, allowed: list[str] | tuple[str, ...]):
        allowed_text = ", ".join(allowed) if allowed else "none (final status)"
        super().__init__(
            f"{entity} cannot go from '{current}' to '{target}'; allowed from '{current}': {allowed_text}."
        )
        self.current = current
        self.target = target
        self.allowed = list(allowed)


class Conflict(DomainError):
    """The request clashes with the current state (already used, capacity reached, held by someone else)."""


class PermissionRefused(DomainError):
    """The caller may not do this to this object."""


def get_or_not_found(queryset, label: str, **lookup):
    """`queryset.get(**lookup)`, raising NotFound for a missing row or a malformed id (e.g. not a UUID)."""
    from django.core.exceptions import ValidationError

    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        value = next(iter(lookup.values()), "")
        raise NotFound(f"{label} {value} does not exist.") from exc
