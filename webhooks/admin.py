"""Admin of the webhooks: endpoints, events and the delivery log, with Replay and secret rotation.

Supervisors (and superusers) only, by role like accounts/admin.py: they may look, replay deliveries
and rotate secrets; endpoints are created and edited by the bots over the API.
"""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

from accounts.roles import is_supervisor
from core.admin_base import ReadOnlyAdmin

from . import services
from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent


def _supervisor(request) -> bool:
    return request.user.is_active and request.user.is_staff and is_supervisor(request.user)


class SupervisorsOnlyAdmin(ReadOnlyAdmin):
    show_full_result_count = False

    def has_module_permission(self, request):
        return _supervisor(request)

    def has_view_permission(self, request, obj=None):
        return _supervisor(request)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SupervisorsOnlyAdmin):
    list_display = ("url", "client", "events", "is_active", "created_at", "secret_rotated_at")
    list_filter = ("is_active",)
    list_select_related = ("client",)
    search_fields = ("url", "client__username")
    fields = (
        "id",
        "client",
        "url",
        "events",
        "description",
        "is_active",
        "created_at",
        "updated_at",
        "secret_rotated_at",
        "previous_secret_expires_at",
    )
    readonly_fields = fields
    actions = ["rotate_secret"]

    def has_rotate_permission(self, request):
        return _supervisor(request)

    @admin.action(description="Rotate the signing secret (shown once)", permissions=["rotate"])
    def rotate_secret(self, request, queryset):
        rotated = [services.rotate_secret(endpoint_id=pk) for pk in queryset.values_list("pk", flat=True)]
        context = {**self.admin_site.each_context(request), "title": "New webhook secrets", "rotated": rotated}
        response = TemplateResponse(request, "admin/webhooks/rotated_secrets.html", context)
        add_never_cache_headers(response)  # the secrets must not stay in any cache
        return response


@admin.register(WebhookEvent)
class WebhookEventAdmin(SupervisorsOnlyAdmin):
    list_display = ("id", "type", "created_at")
    list_filter = ("type",)
    date_hierarchy = "created_at"
    fields = ("id", "type", "created_at", "payload")
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SupervisorsOnlyAdmin):
    list_display = (
        "created_at",
        "event_type",
        "event_id",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "event__type", "endpoint")
    list_select_related = ("event", "endpoint", "endpoint__client")
    date_hierarchy = "created_at"
    fields = (
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    )
    readonly_fields = fields
    actions = ["replay"]

    def has_replay_permission(self, request):
        return _supervisor(request)

    @admin.display(description="event", ordering="event__type")
    def event_type(self, delivery):
        return delivery.event.type

    @admin.action(description="Replay the selected deliveries (same event id)", permissions=["replay"])
    def replay(self, request, queryset):
        count = services.replay_deliveries(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} delivery(ies) queued again.", messages.SUCCESS)
