"""API routes of the interactions app (mounted under /api/v1/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("interactions/", views.InteractionCollectionApi.as_view(), name="interaction-list"),
    path("interactions/<str:interaction_id>/", views.InteractionDetailApi.as_view(), name="interaction-detail"),
    path(
        "interactions/<str:interaction_id>/messages/",
        views.InteractionMessagesApi.as_view(),
        name="interaction-messages",
    ),
    path(
        "interactions/<str:interaction_id>/responses/",
        views.InteractionResponsesApi.as_view(),
        name="interaction-responses",
    ),
]
