"""`manage.py create_agent USERNAME --password P [--supervisor]`: a human agent (staff, Agents or Supervisors)."""

from django.core.management.base import BaseCommand

from callbot_site.agents import create_agent
from core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = "Create or update a human agent of the console (staff user in the Agents or Supervisors group)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--supervisor", action="store_true", help="Put the user in the Supervisors group.")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, password, supervisor, email, **options):
        with domain_errors_as_command_errors():
            user = create_agent(username=username, password=password, supervisor=supervisor, email=email)
        role = "supervisor" if supervisor else "agent"
        self.stdout.write(f"{role} {user.get_username()} is ready (API token: manage.py create_api_token {username}).")
