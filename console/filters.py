"""List filters of the console's work queues (tickets, approvals), built from choices (never SELECT DISTINCT).

A queue opens on what is to be worked (`default`), and shows one status, or all, on request; "held by"
filters on the model's holder field. approvals_filters.py reuses both for the proposals.
"""

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR

from handoff.models import TicketStatus
from handoff.rules import OPEN_STATUSES
from handoff.workload import held_by_choices

OPEN = "open"
MAX_USER_ID = 2**63 - 1  # a bigint: a longer number would be a database error, not an empty list
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

    def __init__(self, request, params, model, model_admin):
        # A search looks through every status unless one is chosen: "Open" must not hide a resolved ticket.
        if request.GET.get(SEARCH_VAR, "").strip():
            self.default = ALL
        super().__init__(request, params, model, model_admin)

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
    """All / Me / Nobody, then each human agent by name (one query); `?holder=<user id>` also filters by an
    agent no longer listed (deactivated, still holding tickets), so the board's links keep working."""

    title = "held by"
    parameter_name = "holder"
    holder_field = "assigned_agent"

    def lookups(self, request, model_admin):
        agents = [(str(user_id), name) for user_id, name in held_by_choices() if user_id != request.user.pk]
        return [("me", "Me"), ("nobody", "Nobody (in the queue)"), *agents]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(**{self.holder_field: request.user})
        if value == "nobody":
            return queryset.filter(**{f"{self.holder_field}__isnull": True})
        if value is None:
            return queryset
        if not (value.isascii() and value.isdigit()) or int(value) > MAX_USER_ID:
            # A hand-typed URL: say so and list everyone (the admin's own answer would be a "Database error" page).
            messages.warning(request, f"“Held by” is Me, Nobody or an agent; {value!r} is none of them: showing all.")
            return queryset
        return queryset.filter(**{f"{self.holder_field}_id": int(value)})
