"""manage.py sync_lead_status: read back the current Berinia status of every exported lead."""

from django.core.management.base import BaseCommand

from berinia_sync.services import sync_lead_status
from core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = "Copy the current Berinia status of exported leads onto their export records."

    def handle(self, *args, **options):
        with domain_errors_as_command_errors():
            result = sync_lead_status()
        self.stdout.write(
            f"Checked {result.checked:,} Berinia leads: {result.changed:,} export records changed status, "
            f"{result.missing:,} leads no longer in Berinia."
        )
