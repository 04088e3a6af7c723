"""Interactions in the console: read-only, as the bots recorded them (transcript and responses inline)."""

from django.contrib import admin

from core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from core.paginators import LargeTablePaginator

from .models import ConversationMessage, Interaction, ResponseLog


class MessageInline(ReadOnlyInline):
    model = ConversationMessage
    fields = ("turn_number", "speaker", "message", "timestamp")
    readonly_fields = fields
    ordering = ("turn_number",)


class ResponseInline(ReadOnlyInline):
    model = ResponseLog
    fields = ("created_at", "response_text", "tone", "confidence_score", "model_used", "execution_time_ms")
    readonly_fields = fields
    ordering = ("created_at",)


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "customer_id", "channel", "intent", "emotion", "urgency", "status", "assigned_agent")
    list_filter = ("status", "channel", "urgency")
    search_fields = ("customer_id__exact",)
    search_help_text = "Exact customer id."
    ordering = ("-created_at", "interaction_id")
    show_full_result_count = False
    paginator = LargeTablePaginator
    inlines = [MessageInline, ResponseInline]
