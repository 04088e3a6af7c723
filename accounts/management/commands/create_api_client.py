"""`manage.py create_api_client NAME [--rotate]`: a bot account for the API; its new token is the last line printed."""

from django.core.management.base import BaseCommand

from accounts.services import create_api_client
from core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = (
        "Create an API client account for a callbot component and print a new token, once, on the last line. "
        "For a client that already has a valid token, use --rotate."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Account name, e.g. tool-router")
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Issue a new token; the current ones stay valid for API_TOKEN_ROTATION_GRACE, then end.",
        )

    def handle(self, *args, name, rotate, **options):
        with domain_errors_as_command_errors():
            user, token = create_api_client(name=name, rotate_token=rotate)
        name = user.get_username()
        self.stdout.write(
            f"API client {name} is ready; its token is shown only now. Send: Authorization: Token <token>"
        )
        self.stdout.write(token)
