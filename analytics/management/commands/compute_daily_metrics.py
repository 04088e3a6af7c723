"""manage.py compute_daily_metrics [--date D | --since D] — store a day's metrics in analytics_metrics."""

from django.core.management.base import BaseCommand

from analytics.services import compute_daily_metrics
from analytics.services.metrics import days_to_compute
from core.commands import domain_errors_as_command_errors, iso_date


class Command(BaseCommand):
    help = "Compute the daily metrics of one day (default: yesterday) or of every day since a date. Idempotent."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--date", type=iso_date, help="The day to compute (YYYY-MM-DD). Default: yesterday.")
        group.add_argument("--since", type=iso_date, help="Compute every day from this date to today.")

    def handle(self, *args, date=None, since=None, **options):
        with domain_errors_as_command_errors():
            for day in days_to_compute(day=date, since=since):
                result = compute_daily_metrics(day=day)
                self.stdout.write(f"{day}: {result.rows_written} metrics from {result.interactions} interactions")
