"""manage.py sync_lead_status: read back the current Berinia status of every exported lead."""

from django.core.management.base import BaseCommand, CommandError

from berinia_sync.services import BeriniaUnavailable, sync_lead_status


class Command(BaseCommand):
    help = "Copy the current Berinia status of exported leads onto their export records."

    def handle(self, *args, **options):
        try:
            result = sync_lead_status()
        except BeriniaUnavailable as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"Checked {result.checked:,} Berinia leads: {result.changed:,} export records changed status, "
            f"{result.missing:,} leads no longer in Berinia."
        )
