"""`manage.py create_api_client NAME [--rotate]`: a bot account for the API; its token is the last line printed."""

from django.core.management.base import BaseCommand

from accounts.services import create_api_client
from core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = "Create (or find) an API client account for a callbot component and print its token on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Account name, e.g. tool-router")
        parser.add_argument("--rotate", action="store_true", help="Replace the client's token with a new one.")

    def handle(self, *args, name, rotate, **options):
        with domain_errors_as_command_errors():
            user, token = create_api_client(name=name, rotate_token=rotate)
        self.stdout.write(f"API client {user.get_username()} is ready. Send: Authorization: Token <token>")
        self.stdout.write(token)
