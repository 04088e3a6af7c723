"""Domain errors of the analytics and operations app."""

from core.errors import DomainError


class ToolUnavailable(DomainError):
    """A PostgreSQL client program (pg_dump, pg_restore) is missing or too old for the server."""


class BackupFailed(DomainError):
    """pg_dump or pg_restore ran and failed; the message carries the tail of its error output."""
