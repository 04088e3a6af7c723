"""API routes of the analytics app (mounted under /api/v1/)."""

from django.urls import path

from .daily import DailyMetricsApi
from .escalations import EscalationReportApi
from .views import (
    CrmActionStatsApi,
    PerformanceApi,
    QueueOverviewApi,
    TodayApi,
    TodayInteractionsApi,
    WaitingTicketsApi,
)

urlpatterns = [
    path("metrics/daily/", DailyMetricsApi.as_view(), name="metrics-daily"),
    path("metrics/escalations/", EscalationReportApi.as_view(), name="metrics-escalations"),
    path("metrics/today/", TodayApi.as_view(), name="metrics-today"),
    path("metrics/today/interactions/", TodayInteractionsApi.as_view(), name="metrics-today-interactions"),
    path("metrics/crm-actions/", CrmActionStatsApi.as_view(), name="metrics-crm-actions"),
    path("metrics/queues/", QueueOverviewApi.as_view(), name="metrics-queues"),
    path("metrics/queued-tickets/", WaitingTicketsApi.as_view(), name="metrics-queued-tickets"),
    path("metrics/performance/", PerformanceApi.as_view(), name="metrics-performance"),
]
