"""API routes of the berinia_sync app (mounted under /api/v1/berinia/)."""

from django.urls import path

from .views import ExportView

urlpatterns = [path("exports/", ExportView.as_view(), name="berinia-exports")]
