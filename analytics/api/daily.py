"""GET /api/v1/metrics/daily/: the seed's get_daily_metrics over a date range, for agents and supervisors."""

import datetime

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from accounts.permissions import IsAgent
from analytics.selectors import get_daily_metrics
from core.api.fields import ReportDateField
from core.api.views import ApiView

from .serializers import DailyMetricsOutput


class DailyMetricsFilterInput(serializers.Serializer):
    date_from = ReportDateField(required=False, help_text="First day (inclusive); default: 6 days before date_to.")
    date_to = ReportDateField(required=False, help_text="Last day (inclusive); default: today.")


class DailyMetricsApi(ApiView):
    permission_classes = [IsAgent]
    pagination_class = None

    @extend_schema(tags=["metrics"], parameters=[DailyMetricsFilterInput], responses=DailyMetricsOutput(many=True))
    def get(self, request):
        """One row per day that had interactions, oldest first (a range covers at most 366 days)."""
        filters = self.query(DailyMetricsFilterInput)
        date_to = filters.get("date_to") or timezone.localdate()
        date_from = filters.get("date_from") or date_to - datetime.timedelta(days=6)
        rows = get_daily_metrics(date_from=date_from, date_to=date_to)
        return self.respond(DailyMetricsOutput, rows, many=True)
