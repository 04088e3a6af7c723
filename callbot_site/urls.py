"""Root URLs: the admin console (and its two-factor pages), the service API under /api/v1/, and the health check."""

from django.contrib import admin
from django.urls import include, path

from accounts import views_otp
from callbot_site.health import healthz
from console.board import board_view
from console.live_views import live_view

urlpatterns = [
    # Before the admin's own URLs; accounts/two_factor.py says who must pass these pages.
    path("admin/two-factor/", views_otp.setup, name="two_factor_setup"),
    path("admin/two-factor/verify/", views_otp.verify, name="two_factor_verify"),
    path("admin/two-factor/recovery-codes/", views_otp.recovery_codes, name="two_factor_recovery_codes"),
    # The console's poll (console/live_views.py): behind the admin's login and two-factor like its pages.
    path("admin/live/", admin.site.admin_view(live_view, cacheable=True), name="console_live"),
    # The supervisor's board (console/board.py): supervisors only, a styled 403 for anyone else.
    path("admin/board/", admin.site.admin_view(board_view), name="console_board"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("callbot_site.api_urls")),
    path("healthz", healthz, name="healthz"),
]
