"""Root URLs: the admin console, the service API under /api/v1/, and the health check."""

from django.contrib import admin
from django.urls import include, path

from callbot_site.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("callbot_site.api_urls")),
    path("healthz", healthz, name="healthz"),
]
