"""API routes of the crm app (mounted under /api/v1/)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "interactions/<str:interaction_id>/crm-actions/",
        views.InteractionCrmActionsApi.as_view(),
        name="interaction-crm-actions",
    ),
    path("customers/", views.CustomerCollectionApi.as_view(), name="customer-list"),
    path("customers/<str:customer_id>/", views.CustomerDetailApi.as_view(), name="customer-detail"),
]
