"""Admin of API tokens: supervisors see who holds which token and when it was last used, and revoke them.

The secret is never shown (it is not stored); nor is its digest. Tokens are issued by
`manage.py create_api_client` / `create_api_token`, so the admin neither adds nor edits them.
"""

from django.contrib import admin, messages
from django.utils import timezone

from accounts import tokens
from accounts.models import ApiToken
from accounts.roles import is_supervisor
from accounts.services import revoke_api_tokens
from core.admin_base import ReadOnlyAdmin


def _supervisor(request) -> bool:
    return request.user.is_active and request.user.is_staff and is_supervisor(request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("shown_prefix", "user", "created_at", "expires_at", "last_used_at", "status")
    list_filter = ("revoked_at", "expires_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "prefix")
    fields = ("user", "shown_prefix", "status", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]
    show_full_result_count = False

    def has_module_permission(self, request):
        return _supervisor(request)

    def has_view_permission(self, request, obj=None):
        return _supervisor(request)

    def has_revoke_permission(self, request):
        return _supervisor(request)

    @admin.display(description="token", ordering="prefix")
    def shown_prefix(self, token):
        return f"{token.prefix}…"

    @admin.display(description="status")
    def status(self, token):
        if token.revoked_at is not None:
            return "revoked"
        if token.expires_at is not None and token.expires_at <= timezone.now():
            return "expired"
        if token.password_marker != tokens.password_marker(token.user):
            return "ended by a password change"
        return "valid"

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request, queryset):
        count = revoke_api_tokens(token_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} token(s) revoked; they stop working at once.", messages.SUCCESS)
