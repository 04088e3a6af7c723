"""Who may use the webhooks API: bot clients only (an endpoint belongs to the bot that created it)."""

from rest_framework.permissions import BasePermission

from accounts.roles import is_bot


class IsBot(BasePermission):
    message = "Only bot clients have webhook endpoints."

    def has_permission(self, request, view) -> bool:
        return is_bot(request.user)
