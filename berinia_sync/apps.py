from django.apps import AppConfig


class BeriniaSyncConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "berinia_sync"
    verbose_name = "Berinia sync"
