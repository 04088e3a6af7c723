"""Permission classes of the API, by role. The matrix is written down (and tested cell by cell) in docs/api.md.

View-level permissions say who may call an endpoint at all; per-object rules ("an agent acts only on
tickets they hold") are the services' job and surface as 403 through `PermissionRefused`.
"""

from rest_framework.permissions import BasePermission

from accounts.roles import AGENT, BOT, SUPERVISOR, roles_of


class _RolePermission(BasePermission):
    allowed_roles: frozenset[str] = frozenset()
    message = "Your account may not use this endpoint."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and roles_of(user) & self.allowed_roles)


class IsCallbotClient(_RolePermission):
    """Bots, agents and supervisors: recording interactions, reading customers and tickets."""

    allowed_roles = frozenset({BOT, AGENT, SUPERVISOR})
    message = "Only bot clients, agents and supervisors may use the API."


class IsAgent(_RolePermission):
    """Human agents and supervisors: working tickets, notifications, metrics."""

    allowed_roles = frozenset({AGENT, SUPERVISOR})
    message = "Only human agents and supervisors may do this."


class IsSupervisor(_RolePermission):
    allowed_roles = frozenset({SUPERVISOR})
    message = "Only supervisors may do this."


class IsBotOrSupervisor(_RolePermission):
    """Machine work that a supervisor may also run by hand (the lead export)."""

    allowed_roles = frozenset({BOT, SUPERVISOR})
    message = "Only bot clients and supervisors may do this."
