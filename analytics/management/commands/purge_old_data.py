"""manage.py purge_old_data [--days 90] [--dry-run] — the retention clean-up, in batches."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from analytics.services import purge_old_data
from analytics.services.retention import DEFAULT_BATCH_SIZE, DEFAULT_RETENTION_DAYS
from core.commands import domain_errors_as_command_errors, positive_int


class Command(BaseCommand):
    help = (
        "Delete interactions older than N days (default 90) with their messages, responses, CRM actions, tickets; "
        "interactions with an open handoff ticket are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=positive_int, default=DEFAULT_RETENTION_DAYS, help="Keep this many days.")
        parser.add_argument("--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE, help="Interactions/batch.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args, days, batch_size, dry_run, **options):
        with domain_errors_as_command_errors():
            report = purge_old_data(days=days, dry_run=dry_run, batch_size=batch_size)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} data created before {timezone.localtime(report.cutoff):%Y-%m-%d %H:%M %Z}:")
        for table, count in report.removed.items():
            self.stdout.write(f"  {table:<24} {count:>10}")
        self.stdout.write(f"Kept {report.kept_with_open_ticket} old interaction(s) with an open handoff ticket.")
        self.stdout.write(f"{verb} {report.expired_idempotency_keys} expired Idempotency-Key response(s).")
        if not dry_run:
            self.stdout.write(f"{report.batches} batch(es), longest {report.longest_batch_seconds:.3f} s.")
