from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts import two_factor
from callbot_site.localdb import uses_embedded_database


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (embedded local database only): the demo's authenticator."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="supervisor")

    def handle(self, *args, username, **options):
        if not uses_embedded_database(connection.settings_dict):
            raise CommandError("demo_totp works on the embedded local database only (make run).")
        user = get_user_model().objects.filter(username=username).first()
        device = two_factor.totp_device(user) if user else None
        if device is None:
            raise CommandError(f"{username} has no TOTP device: run `manage.py load_demo_data` first.")
        self.stdout.write(two_factor.current_code(device))
