"""API routes of the analytics app (mounted under /api/v1/)."""

from django.urls import path

from .daily import DailyMetricsApi

urlpatterns = [
    path("metrics/daily/", DailyMetricsApi.as_view(), name="metrics-daily"),
]
