"""Admin of the analytics app: the staff dashboard, the stored metrics and the erasure register (read-only)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from accounts.roles import is_agent
from analytics.dashboard import dashboard_context
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
            "title": "Dashboard",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/analytics/dashboard.html", context)


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
