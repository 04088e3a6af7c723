from django.core.management.base import BaseCommand
from django.db import connection

from callbot_site import demo
from callbot_site.localdb import uses_embedded_database


class Command(BaseCommand):
    help = "Load the demo data set into an empty database; create demo accounts on the embedded database only."

    def handle(self, *args, **options):
        loaded = demo.load_demo_data()
        self.stdout.write("Demo data loaded." if loaded else "Database not empty: demo data left as it is.")
        if not uses_embedded_database(connection.settings_dict):
            self.stdout.write("External database: no demo accounts created (use manage.py create_agent).")
            return
        self.stdout.write("Demo accounts (embedded local database only):")
        for username, password, supervisor in demo.ensure_demo_accounts():
            role = "supervisor" if supervisor else "agent"
            self.stdout.write(f"  {username:<12} {password:<24} {role}")
        demo.ensure_demo_totp_device()
        self.stdout.write(
            f"  {demo.DEMO_TOTP_USERNAME} also needs a TOTP code: `manage.py demo_totp {demo.DEMO_TOTP_USERNAME}` "
            "prints it (demo key in README.md)."
        )
