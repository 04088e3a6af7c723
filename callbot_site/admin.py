"""Admin of the project shell: "Job failures", each failed attempt of a background job with its error."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from core.admin_base import ReadOnlyAdmin

from .models import JobFailure


@admin.register(JobFailure)
class JobFailureAdmin(ReadOnlyAdmin):
    """Written by the workers only; supervisors may look (view permission, migration 0006)."""

    list_display = ["failed_at", "task_name", "job_link", "attempt", "error_type", "message"]
    list_display_links = ["failed_at"]
    list_filter = ["task_name", "error_type"]
    fields = ["failed_at", "task_name", "job_link", "attempt", "error_type", "message"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description="job", ordering="job_id")
    def job_link(self, failure):
        try:
            url = reverse("admin:procrastinate_procrastinatejob_change", args=[failure.job_id])
        except NoReverseMatch:
            return failure.job_id
        return format_html('<a href="{}">procrastinate job #{}</a>', url, failure.job_id)
