from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Agent console"

    def ready(self):
        # The Approvals queue lives in its own module (admin autodiscovery imports only console.admin).
        from . import approvals_admin  # noqa: F401
