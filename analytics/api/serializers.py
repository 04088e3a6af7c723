"""Input filters and output shapes of the analytics API (/api/v1/metrics/…)."""

from rest_framework import serializers

from analytics.selectors import MAX_RANGE_DAYS
from core.api.fields import ReportDateField


class DayInput(serializers.Serializer):
    date = ReportDateField(required=False, help_text="The day (YYYY-MM-DD); default: today.")


class PerformanceInput(serializers.Serializer):
    days = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_RANGE_DAYS, help_text="Number of days up to today; default 30."
    )


class QueueFilterInput(serializers.Serializer):
    queue = serializers.CharField(required=False, max_length=100, help_text="Only this queue.")


class DailyMetricsOutput(serializers.Serializer):
    """One day of the seed's get_daily_metrics."""

    date = serializers.DateField()
    total_interactions = serializers.IntegerField()
    completed = serializers.IntegerField()
    failed = serializers.IntegerField()
    escalated = serializers.IntegerField()
    avg_resolution_seconds = serializers.FloatField(allow_null=True)
    unique_customers = serializers.IntegerField()


class TodayOutput(DailyMetricsOutput):
    completion_rate = serializers.FloatField(allow_null=True)
    tickets_waiting = serializers.IntegerField()


class TodayInteractionOutput(serializers.Serializer):
    interaction_id = serializers.UUIDField()
    customer_id = serializers.CharField()
    channel = serializers.CharField()
    intent = serializers.CharField()
    status = serializers.CharField()
    urgency = serializers.CharField()
    created_at = serializers.DateTimeField()
    resolution_time_seconds = serializers.IntegerField(allow_null=True)


class CrmActionStatsOutput(serializers.Serializer):
    action_type = serializers.CharField()
    count = serializers.IntegerField()
    avg_execution_ms = serializers.FloatField(allow_null=True)
    success_rate = serializers.FloatField()


class QueueOverviewOutput(serializers.Serializer):
    queue = serializers.CharField()
    queued = serializers.IntegerField()
    oldest_created_at = serializers.DateTimeField(allow_null=True)
    oldest_wait_minutes = serializers.IntegerField(allow_null=True)
    target_wait_minutes = serializers.IntegerField()
    late = serializers.BooleanField()


class WaitingTicketOutput(serializers.Serializer):
    ticket_id = serializers.UUIDField()
    interaction_id = serializers.UUIDField()
    customer_id = serializers.CharField()
    queue = serializers.CharField(source="queue_id")
    priority = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    wait_minutes = serializers.IntegerField()


class PerformanceDayOutput(serializers.Serializer):
    date = serializers.DateField()
    total_interactions = serializers.IntegerField()
    completed = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)
    avg_resolution_seconds = serializers.FloatField(allow_null=True)
    unique_customers = serializers.IntegerField()
    source = serializers.ChoiceField(choices=["stored", "live"], help_text="stored: compute_daily_metrics; live.")
