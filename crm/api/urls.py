"""API routes of the crm app (mounted under /api/v1/)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "interactions/<str:interaction_id>/crm-actions/",
        views.InteractionCrmActionsApi.as_view(),
        name="interaction-crm-actions",
    ),
    path(
        "interactions/<str:interaction_id>/crm-actions/proposals/",
        views.InteractionProposalsApi.as_view(),
        name="interaction-crm-action-proposals",
    ),
    path("crm-actions/proposals/<str:proposal_id>/", views.ProposalDetailApi.as_view(), name="crm-action-proposal"),
    path("customers/", views.CustomerCollectionApi.as_view(), name="customer-list"),
    path("customers/<str:customer_id>/", views.CustomerDetailApi.as_view(), name="customer-detail"),
]
