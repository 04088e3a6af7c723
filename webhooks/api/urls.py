"""API routes of the webhooks app (mounted under /api/v1/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/", views.EndpointCollectionApi.as_view(), name="webhook-list"),
    path("webhooks/<str:endpoint_id>/", views.EndpointDetailApi.as_view(), name="webhook-detail"),
    path(
        "webhooks/<str:endpoint_id>/rotate-secret/",
        views.EndpointRotateSecretApi.as_view(),
        name="webhook-rotate-secret",
    ),
]
