"""List filters of the console's queue page, built from choices (never SELECT DISTINCT over the tickets)."""

from django.contrib import admin

from handoff.models import TicketStatus
from handoff.rules import OPEN_STATUSES

OPEN = "open"
ALL = "all"


class TicketStatusFilter(admin.SimpleListFilter):
    """Open tickets by default (what a queue page is for); one status, or every ticket, on request."""

    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [(OPEN, "Open (queued, assigned, in progress)"), *TicketStatus.choices, (ALL, "All, resolved included")]

    def value(self):
        return super().value() or OPEN

    def queryset(self, request, queryset):
        value = self.value()
        if value == OPEN:
            return queryset.filter(status__in=list(OPEN_STATUSES))
        if value in TicketStatus.values:
            return queryset.filter(status=value)
        return queryset

    def choices(self, changelist):
        # No "All" entry from the base class: ALL is one of the lookups, OPEN is the default.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class HolderFilter(admin.SimpleListFilter):
    title = "held by"
    parameter_name = "holder"

    def lookups(self, request, model_admin):
        return [("me", "Me"), ("nobody", "Nobody (in the queue)")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_agent=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_agent__isnull=True)
        return queryset
