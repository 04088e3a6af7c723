"""API routes of the handoff app (mounted under /api/v1/)."""

urlpatterns = []
