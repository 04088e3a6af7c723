"""API routes of the berinia_sync app (mounted under /api/v1/)."""

urlpatterns = []
