"""manage.py erase_customer CUSTOMER_ID [--dry-run] — the right to erasure."""

from django.core.management.base import BaseCommand

from analytics.services import erase_customer
from core.commands import domain_errors_as_command_errors, operator_name


class Command(BaseCommand):
    help = (
        "Irreversibly anonymise a customer's personal data everywhere (record, transcripts, responses, CRM payloads, "
        "ticket contexts), keeping anonymous statistics, and record that the erasure happened."
    )

    def add_arguments(self, parser):
        parser.add_argument("customer_id", help="The customer's id (e.g. CUST-001).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be anonymised; change nothing.")
        parser.add_argument("--by", dest="erased_by", default=None, help="Operator name (default: your login).")

    def handle(self, *args, customer_id, dry_run, erased_by, **options):
        with domain_errors_as_command_errors():
            report = erase_customer(customer_id=customer_id, erased_by=erased_by or operator_name(), dry_run=dry_run)
        self.stdout.write("Would anonymise:" if dry_run else "Anonymised:")
        for table, count in report.rows.items():
            self.stdout.write(f"  {table:<24} {count:>6}")
        if report.record is not None:
            self.stdout.write(f"Recorded as erasure #{report.record.pk} by {report.record.erased_by}.")
