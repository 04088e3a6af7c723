from django.apps import AppConfig


class CallbotSiteConfig(AppConfig):
    """The project itself: cross-app commands (demo data, accounts, backups) and templates."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "callbot_site"
    verbose_name = "Callbot back-office"
