"""manage.py restore_db PATH [--target-url URL] — pg_restore an archive into an empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand

from analytics.services import restore_db
from core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = "Restore a backup_db archive into the configured database, or into --target-url; the target must be empty."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Archive written by backup_db.")
        parser.add_argument("--target-url", help="postgres:// URL of another (empty) database to restore into.")

    def handle(self, *args, path, target_url=None, **options):
        with domain_errors_as_command_errors():
            report = restore_db(path=path, target_url=target_url)
        self.stdout.write(
            f"Restored {path} into {report.database}: {report.tables} tables in {report.seconds:.1f} s "
            f"(pg_restore {report.tool.major})."
        )
