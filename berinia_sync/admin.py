"""Admin of berinia_sync: export runs with their counts and rejected leads, per-lead records, field mapping."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin_base import ReadOnlyAdmin, StrictModelAdmin

from .models import ExportRecord, ExportRun, FieldMapping, Outcome


@admin.register(ExportRun)
class ExportRunAdmin(ReadOnlyAdmin):
    """Runs are started by export_leads (or the API), never by hand."""

    list_display = (
        "id",
        "started_at",
        "status",
        "origin",
        "started_by",
        "dry_run",
        "received",
        "inserted",
        "updated",
        "unchanged",
        "merged",
        "rejected_link",
    )
    list_filter = ("status", "origin", "dry_run")
    search_fields = ("started_by", "source_name")
    readonly_fields = [field.name for field in ExportRun._meta.fields] + ["rejected_link"]
    show_full_result_count = False

    @admin.display(description="rejected", ordering="rejected")
    def rejected_link(self, run):
        if not run.rejected:
            return 0
        url = reverse("admin:berinia_sync_exportrecord_changelist")
        return format_html(
            '<a href="{}?run__id__exact={}&outcome__exact={}">{}</a>', url, run.pk, Outcome.REJECTED, run.rejected
        )


@admin.register(ExportRecord)
class ExportRecordAdmin(ReadOnlyAdmin):
    list_display = ("run", "position", "infra_id", "outcome", "berinia_lead_id", "berinia_status", "reason")
    list_filter = ("outcome",)
    extra_lookups = ("run__id__exact",)  # the run page's "rejected" link
    search_fields = ("=infra_id", "=email", "=berinia_lead_id")
    list_select_related = ("run",)
    show_full_result_count = False
    readonly_fields = [field.name for field in ExportRecord._meta.fields]


@admin.register(FieldMapping)
class FieldMappingAdmin(StrictModelAdmin):
    list_display = ("source_field", "target", "is_active", "note")
    list_editable = ("target", "is_active")
    list_filter = ("target", "is_active")
    search_fields = ("source_field",)
