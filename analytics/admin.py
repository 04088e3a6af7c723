"""Admin of the analytics app: the staff dashboard, the stored metrics and the erasure register (read-only)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path

from accounts.roles import is_agent
from analytics.dashboard import dashboard_context
from analytics.escalation_csv import CSV_TABLES, escalation_csv
from analytics.escalation_dashboard import escalation_section
from analytics.forms import DateRangeForm
from core.admin_base import ReadOnlyAdmin

from .models import AnalyticsMetric, Dashboard, ErasureRecord


@admin.register(Dashboard)
class DashboardAdmin(ReadOnlyAdmin):
    """The 'Dashboard' line of the admin index opens the dashboard page instead of a list.

    For the console's people only (agents and supervisors), not any staff account.
    """

    def has_module_permission(self, request):
        return is_agent(request.user)

    def has_view_permission(self, request, obj=None):
        return is_agent(request.user)

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            **dashboard_context(),
            **escalation_section(request.GET),
            "title": "Dashboard",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/analytics/dashboard.html", context)

    def get_urls(self):
        csv_view = self.admin_site.admin_view(self.escalations_csv_view)
        return [
            path("escalations/<slug:table>.csv", csv_view, name="analytics_dashboard_escalations_csv"),
            *super().get_urls(),
        ]

    def escalations_csv_view(self, request, table: str):
        """One table of the "why bots escalate" section as a CSV download, for the dashboard's readers."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if table not in CSV_TABLES:
            raise Http404(f"No table {table}; allowed: {', '.join(CSV_TABLES)}.")
        form = DateRangeForm(data=request.GET)
        if not form.is_valid():
            refusal = "\n".join(f"{field}: {' '.join(messages)}" for field, messages in form.errors.items())
            return HttpResponseBadRequest(refusal, content_type="text/plain; charset=utf-8")
        date_from, date_to = form.days()
        filename, text = escalation_csv(table, date_from=date_from, date_to=date_to)
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(AnalyticsMetric)
class AnalyticsMetricAdmin(ReadOnlyAdmin):
    list_display = ("metric_date", "metric_type", "dimensions", "metric_value")
    list_filter = ("metric_date",)
    search_fields = ("metric_type",)
    date_hierarchy = "metric_date"
    show_full_result_count = False


@admin.register(ErasureRecord)
class ErasureRecordAdmin(ReadOnlyAdmin):
    list_display = ("erased_at", "erased_by", "rows")
    date_hierarchy = "erased_at"
