"""GET endpoints of the seed's useful queries, for agents and supervisors (/api/v1/metrics/…)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema

from accounts.permissions import IsAgent
from analytics import selectors
from core.api.views import ApiView
from core.replica import reads_from_replica

from .serializers import (
    CrmActionStatsOutput,
    DayInput,
    PerformanceDayOutput,
    PerformanceInput,
    QueueFilterInput,
    QueueOverviewOutput,
    TodayInteractionOutput,
    TodayOutput,
    WaitingTicketOutput,
)

TAGS = ["metrics"]


class MetricsApi(ApiView):
    permission_classes = [IsAgent]


class TodayApi(MetricsApi):
    pagination_class = None

    @extend_schema(tags=TAGS, responses=TodayOutput)
    @reads_from_replica()
    def get(self, request):
        """Today's figures at a glance (live)."""
        today = timezone.localdate()
        [row] = selectors.get_daily_metrics(date_from=today, date_to=today) or [{}]
        total = row.get("total_interactions", 0)
        summary = {
            "date": today,
            "total_interactions": total,
            "completed": row.get("completed", 0),
            "failed": row.get("failed", 0),
            "escalated": row.get("escalated", 0),
            "completion_rate": row["completed"] / total if total else None,
            "avg_resolution_seconds": row.get("avg_resolution_seconds"),
            "unique_customers": row.get("unique_customers", 0),
            "tickets_waiting": sum(queue["queued"] for queue in selectors.queue_overview()),
        }
        return self.respond(TodayOutput, summary)


class TodayInteractionsApi(MetricsApi):
    @extend_schema(tags=TAGS, responses=TodayInteractionOutput(many=True))
    @reads_from_replica()
    def get(self, request):
        """Today's interactions, newest first."""
        return self.paginated(TodayInteractionOutput, selectors.todays_interactions())


class CrmActionStatsApi(MetricsApi):
    pagination_class = None

    @extend_schema(tags=TAGS, parameters=[DayInput], responses=CrmActionStatsOutput(many=True))
    @reads_from_replica()
    def get(self, request):
        """CRM actions of a day by type, most frequent first: count, average time, success rate."""
        day = self.query(DayInput).get("date") or timezone.localdate()
        return self.respond(CrmActionStatsOutput, selectors.top_crm_actions(day=day), many=True)


class QueueOverviewApi(MetricsApi):
    pagination_class = None

    @extend_schema(tags=TAGS, responses=QueueOverviewOutput(many=True))
    @reads_from_replica()
    def get(self, request):
        """Every queue: tickets waiting, oldest waiting ticket and its wait."""
        return self.respond(QueueOverviewOutput, selectors.queue_overview(), many=True)


class WaitingTicketsApi(MetricsApi):
    @extend_schema(tags=TAGS, parameters=[QueueFilterInput], responses=WaitingTicketOutput(many=True))
    @reads_from_replica()
    def get(self, request):
        """Queued tickets in claim order (priority with ageing, then oldest), with wait minutes."""
        queue_name = self.query(QueueFilterInput).get("queue")
        return self.paginated(WaitingTicketOutput, selectors.waiting_tickets(queue_name=queue_name))


class PerformanceApi(MetricsApi):
    pagination_class = None

    @extend_schema(tags=TAGS, parameters=[PerformanceInput], responses=PerformanceDayOutput(many=True))
    @reads_from_replica()
    def get(self, request):
        """Daily performance over the last N days (default 30), oldest first, days without activity included."""
        days = self.query(PerformanceInput).get("days") or 30
        return self.respond(PerformanceDayOutput, selectors.daily_performance(days=days), many=True)
