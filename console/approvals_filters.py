"""List filters of the Approvals queue, built from choices (never SELECT DISTINCT over the proposals)."""

from django.contrib import admin

from crm.models import ProposalStatus

ALL = "all"


class ProposalStatusFilter(admin.SimpleListFilter):
    """Pending by default (what a queue is for); one status, or every proposal, on request."""

    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*ProposalStatus.choices, (ALL, "All")]

    def value(self):
        return super().value() or ProposalStatus.PENDING

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(status=value) if value in ProposalStatus.values else queryset

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class ProposalHolderFilter(admin.SimpleListFilter):
    title = "held by"
    parameter_name = "holder"

    def lookups(self, request, model_admin):
        return [("me", "Me"), ("nobody", "Nobody (in the queue)")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(holder=request.user)
        if self.value() == "nobody":
            return queryset.filter(holder__isnull=True)
        return queryset


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
