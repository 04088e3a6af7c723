"""Everything under /api/v1/: each app contributes its own `api/urls.py`."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from callbot_site.api.interaction_status import InteractionStatusApi
from callbot_site.api.turns import TurnApi

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("interactions.api.urls")),
    path(
        "interactions/<str:interaction_id>/status/", InteractionStatusApi.as_view(), name="interaction-status"
    ),  # needs handoff too: served by the shell
    path("", include("crm.api.urls")),
    path("", include("handoff.api.urls")),
    path("", include("analytics.api.urls")),
    path("turns/", TurnApi.as_view(), name="turns"),
    path("berinia/", include("berinia_sync.api.urls")),
    path("", include("webhooks.api.urls")),
]
