"""GET /api/v1/metrics/daily/: the seed's get_daily_metrics over a date range, for agents and supervisors."""

import datetime

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from accounts.permissions import IsAgent
from analytics.selectors import MAX_RANGE_DAYS, get_daily_metrics
from core.api.fields import ReportDateField
from core.api.views import ApiView
from core.replica import reads_from_replica
from core.validation import EARLIEST_DATE

from .serializers import DailyMetricsOutput


class DailyMetricsFilterInput(serializers.Serializer):
    date_from = ReportDateField(
        required=False, help_text="First day (inclusive); default: 6 days before date_to (2000-01-01 at the earliest)."
    )
    date_to = ReportDateField(
        required=False,
        help_text=f"Last day (inclusive); default: today, but not before date_from nor {MAX_RANGE_DAYS} days or "
        "more after it.",
    )


def default_range(
    date_from: datetime.date | None, date_to: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    """Fill what was not given so that one bound alone is always a valid range."""
    if date_to is None:
        date_to = timezone.localdate()
        if date_from is not None:
            date_to = min(max(date_to, date_from), date_from + datetime.timedelta(days=MAX_RANGE_DAYS - 1))
    if date_from is None:
        date_from = max(date_to - datetime.timedelta(days=6), EARLIEST_DATE)
    return date_from, date_to


class DailyMetricsApi(ApiView):
    permission_classes = [IsAgent]
    pagination_class = None

    @extend_schema(tags=["metrics"], parameters=[DailyMetricsFilterInput], responses=DailyMetricsOutput(many=True))
    @reads_from_replica()
    def get(self, request):
        """One row per day that had interactions, oldest first (a range covers at most 366 days)."""
        filters = self.query(DailyMetricsFilterInput)
        date_from, date_to = default_range(filters.get("date_from"), filters.get("date_to"))
        rows = get_daily_metrics(date_from=date_from, date_to=date_to)
        return self.respond(DailyMetricsOutput, rows, many=True)
