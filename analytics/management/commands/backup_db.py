"""manage.py backup_db [PATH] — pg_dump -Fc of the configured database (0600; no sessions, no stored responses)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from analytics.services import backup_db
from core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = (
        "Write a pg_dump custom-format archive of the callbot database (default: BACKUP_DIR/<db>-<time>.dump), "
        "readable by its owner only, without the rows of sessions and stored idempotent responses."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="Archive file to create (must not exist).")

    def handle(self, *args, path=None, **options):
        with domain_errors_as_command_errors():
            report = backup_db(path=path)
        self.stdout.write(
            f"Backup written: {report.path} ({report.size_bytes / 1024:.0f} KiB in {report.seconds:.1f} s, "
            f"pg_dump {report.tool.major} from {report.tool.path.parent})"
        )
