"""Domain errors of the handoff app."""

from core.errors import Conflict, PermissionRefused


class CapacityReached(Conflict):
    """The agent already holds as many open tickets as they may."""


class NotTicketHolder(PermissionRefused):
    """An agent tried to act on a ticket somebody else holds."""
