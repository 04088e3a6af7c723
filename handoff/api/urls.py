"""API routes of the handoff app (mounted under /api/v1/)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "interactions/<str:interaction_id>/handoff/", views.InteractionHandoffApi.as_view(), name="interaction-handoff"
    ),
    path("tickets/", views.TicketListApi.as_view(), name="ticket-list"),
    path("tickets/claim-next/", views.TicketClaimNextApi.as_view(), name="ticket-claim-next"),
    path("tickets/<str:ticket_id>/", views.TicketDetailApi.as_view(), name="ticket-detail"),
    path("tickets/<str:ticket_id>/assign/", views.TicketAssignApi.as_view(), name="ticket-assign"),
    path("tickets/<str:ticket_id>/start/", views.TicketStartApi.as_view(), name="ticket-start"),
    path("tickets/<str:ticket_id>/resolve/", views.TicketResolveApi.as_view(), name="ticket-resolve"),
    path("notifications/", views.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/<str:notification_id>/read/", views.NotificationReadApi.as_view(), name="notification-read"),
]
