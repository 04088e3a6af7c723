"""Cron job (every minute): remind about late tickets, and take back forgotten ones."""

from django.core.management.base import BaseCommand

from handoff import reminders


class Command(BaseCommand):
    help = (
        "Send a reminder for each open ticket waiting longer than its queue's target (once per waiting phase) "
        "and put back in the queue every ticket assigned but not started within its queue's take-back limit. "
        "Idempotent; safe to run every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-take-back", action="store_true", help="Only send reminders.")

    def handle(self, *args, **options):
        taken_back = 0 if options["no_take_back"] else reminders.take_back_forgotten_tickets()
        reminded = reminders.send_ticket_reminders()
        self.stdout.write(f"{reminded} reminder(s) sent, {taken_back} ticket(s) taken back to the queue.")
