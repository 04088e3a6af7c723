"""manage.py berinia_check: can we reach Berinia, and are the tables and columns we write there?"""

from django.core.management.base import BaseCommand, CommandError

from berinia_sync.services import check_berinia_schema
from core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = "Check the connection to Berinia and that the tables and columns the exporter writes exist."

    def handle(self, *args, **options):
        with domain_errors_as_command_errors():
            problems = check_berinia_schema()
        if problems:
            raise CommandError("Berinia's schema is not as expected: " + "; ".join(problems) + ".")
        self.stdout.write("Berinia OK: connection, tables leads/campaigns/niches and their columns.")
