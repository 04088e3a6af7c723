"""`manage.py create_agent USERNAME --password P [--supervisor]`: a human agent (staff, Agents or Supervisors)."""

from django.core.management.base import BaseCommand, CommandError

from callbot_site.agents import create_agent
from core.errors import DomainError


class Command(BaseCommand):
    help = "Create or update a human agent of the console (staff user in the Agents or Supervisors group)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--supervisor", action="store_true", help="Put the user in the Supervisors group.")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, password, supervisor, email, **options):
        try:
            user = create_agent(username=username, password=password, supervisor=supervisor, email=email)
        except DomainError as exc:
            details = "; ".join(message for messages in exc.errors.values() for message in messages)
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        role = "supervisor" if supervisor else "agent"
        self.stdout.write(f"{role} {user.get_username()} is ready (API token: manage.py drf_create_token {username}).")
