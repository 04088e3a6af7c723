from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks to the bots"

    def ready(self):
        from . import checks, receivers  # noqa: F401 - the deploy check; the lower apps' signals to the outbox
