"""List filters of the console's work queues (tickets, approvals), built from choices (never SELECT DISTINCT).

A queue opens on what is to be worked (`default`), and shows one status, or all, on request; "held by"
filters on the model's holder field. approvals_filters.py reuses both for the proposals.
"""

from django.contrib import admin

from handoff.models import TicketStatus
from handoff.rules import OPEN_STATUSES

OPEN = "open"
ALL = "all"


class QueueStatusFilter(admin.SimpleListFilter):
    """A status filter with a default and an explicit "all" lookup (no "All" entry from the base class)."""

    title = "status"
    parameter_name = "state"
    default = ALL

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class TicketStatusFilter(QueueStatusFilter):
    """Open tickets by default (what a queue page is for); one status, or every ticket, on request."""

    default = OPEN

    def lookups(self, request, model_admin):
        return [(OPEN, "Open (queued, assigned, in progress)"), *TicketStatus.choices, (ALL, "All, resolved included")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == OPEN:
            return queryset.filter(status__in=list(OPEN_STATUSES))
        if value in TicketStatus.values:
            return queryset.filter(status=value)
        return queryset


class HolderFilter(admin.SimpleListFilter):
    title = "held by"
    parameter_name = "holder"
    holder_field = "assigned_agent"

    def lookups(self, request, model_admin):
        return [("me", "Me"), ("nobody", "Nobody (in the queue)")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(**{self.holder_field: request.user})
        if self.value() == "nobody":
            return queryset.filter(**{f"{self.holder_field}__isnull": True})
        return queryset
