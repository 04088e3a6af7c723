"""`manage.py create_api_token USERNAME [--rotate]`: a new API token for an existing account (a human agent's)."""

from django.core.management.base import BaseCommand

from accounts.services import create_api_token
from core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = "Issue an API token for an existing active account and print it, once, on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--rotate", action="store_true", help="Issue a new token; the current ones end after the grace period."
        )

    def handle(self, *args, username, rotate, **options):
        with domain_errors_as_command_errors():
            user, token = create_api_token(username=username, rotate=rotate)
        self.stdout.write(
            f"New API token for {user.get_username()}; it is shown only now. Send: Authorization: Token <token>"
        )
        self.stdout.write(token)
