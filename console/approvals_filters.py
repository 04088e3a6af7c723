"""List filters of the Approvals queue, built from choices (never SELECT DISTINCT over the proposals)."""

from django.contrib import admin

from crm.models import ProposalStatus

from .filters import ALL, HolderFilter, QueueStatusFilter


class ProposalStatusFilter(QueueStatusFilter):
    """Pending by default (what a queue is for); one status, or every proposal, on request."""

    default = ProposalStatus.PENDING

    def lookups(self, request, model_admin):
        return [*ProposalStatus.choices, (ALL, "All")]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(status=value) if value in ProposalStatus.values else queryset


class ProposalHolderFilter(HolderFilter):
    holder_field = "holder"


class EscalatedFilter(admin.SimpleListFilter):
    title = "escalated"
    parameter_name = "escalated"

    def lookups(self, request, model_admin):
        return [("yes", "Escalated (past the SLA)"), ("no", "Within the SLA")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(escalated_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(escalated_at__isnull=True)
        return queryset
