"""Admin of berinia_sync: export runs (progress, counts, rejected leads), per-lead records, field mapping."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from core.admin_base import ReadOnlyAdmin, StrictModelAdmin

from .models import ExportRecord, ExportRun, FieldMapping, Outcome


def _records_url(run, outcome: str | None = None) -> str:
    url = f"{reverse('admin:berinia_sync_exportrecord_changelist')}?run__id__exact={run.pk}"
    return f"{url}&outcome__exact={outcome}" if outcome else url


@admin.register(ExportRun)
class ExportRunAdmin(ReadOnlyAdmin):
    """Runs are started by export_leads (or the API), never by hand."""

    list_display = (
        "id",
        "started_at",
        "status",
        "progress_bar",
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
    readonly_fields = ["progress_bar", "every_lead", "rejected_link", "job_link"] + [
        field.name for field in ExportRun._meta.fields
    ]
    show_full_result_count = False

    @admin.display(description="progress")
    def progress_bar(self, run):
        """A plain <progress> element (no script, no style sheet) with "processed / total" beside it."""
        total = run.total
        if total is None:
            return f"{run.processed:,} (total unknown)"
        return format_html(
            '<progress value="{}" max="{}" title="{}%">{}%</progress> {} / {}',
            min(run.processed, total),
            total,
            run.percent,
            run.percent,
            f"{run.processed:,}",
            f"{total:,}",
        )

    @admin.display(description="rejected", ordering="rejected")
    def rejected_link(self, run):
        if not run.rejected:
            return 0
        return format_html('<a href="{}">{}</a>', _records_url(run, Outcome.REJECTED), run.rejected)

    @admin.display(description="every lead")
    def every_lead(self, run):
        return format_html('<a href="{}">what happened to each lead</a>', _records_url(run))

    @admin.display(description="job")
    def job_link(self, run):
        if run.job_id is None:
            return "-"
        try:
            url = reverse("admin:procrastinate_procrastinatejob_change", args=[run.job_id])
        except NoReverseMatch:
            return run.job_id
        return format_html('<a href="{}">procrastinate job #{}</a>', url, run.job_id)


@admin.register(ExportRecord)
class ExportRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "run",
        "position",
        "infra_id",
        "outcome",
        "berinia_lead_id",
        "matched_on",
        "merged_into",
        "berinia_status",
        "reason",
    )
    list_filter = ("outcome",)
    extra_lookups = ("run__id__exact",)  # the run page's "rejected" and "every lead" links
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
