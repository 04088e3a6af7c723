from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks to the bots"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the lower apps' signals to the outbox
