"""API routes of the berinia_sync app (mounted under /api/v1/berinia/)."""

from django.urls import path

from .views import ExportLeadsView, ExportRunView, ExportView

urlpatterns = [
    path("exports/", ExportView.as_view(), name="berinia-exports"),
    path("exports/<int:run_id>/", ExportRunView.as_view(), name="berinia-export-run"),
    path("exports/<int:run_id>/leads/", ExportLeadsView.as_view(), name="berinia-export-leads"),
]
