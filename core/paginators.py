"""Admin paginators for tables of millions of rows: no exact count(*) over the whole table.

Unfiltered, the count is PostgreSQL's estimate (pg_class.reltuples, kept by autovacuum/ANALYZE);
filtered, rows are counted up to a cap ("more than 10,000"). Either way a changelist load costs
the same at a thousand rows and at ten million.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

EXACT_BELOW = 10_000  # under this many rows an exact count is cheap and less surprising
COUNT_CAP = 10_000


def estimated_row_count(model, using: str = "default") -> int:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        row = cursor.fetchone()
    return max(row[0], 0) if row else 0  # -1 means "never analysed"


class LargeTablePaginator(Paginator):
    """`count` is an estimate when the queryset is unfiltered and capped when filtered.

    `count_is_estimate` / `count_is_capped` tell templates how to word the total.
    """

    count_is_estimate = False
    count_is_capped = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not queryset.query.where:
            estimate = estimated_row_count(queryset.model, queryset.db)
            if estimate >= EXACT_BELOW:
                self.count_is_estimate = True
                return estimate
        counted = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
        if counted > COUNT_CAP:
            self.count_is_capped = True
            return COUNT_CAP
        return counted
