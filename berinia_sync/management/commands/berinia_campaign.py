"""manage.py berinia_campaign create NAME [--niche NAME] | list: campaigns in Berinia."""

from django.core.management.base import BaseCommand

from berinia_sync.selectors import list_campaigns
from berinia_sync.services import create_campaign
from core.commands import domain_errors_as_command_errors


class Command(BaseCommand):
    help = "Create a Berinia campaign (e.g. to test an export) or list the campaigns."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a campaign.")
        create.add_argument("name")
        create.add_argument("--niche", help="Niche name; created when no niche has exactly this name.")
        create.add_argument("--description", default="")
        actions.add_parser("list", help="List the campaigns with their lead counts.")

    def handle(self, *args, action, **options):
        with domain_errors_as_command_errors():
            if action == "create":
                campaign, niche_created = create_campaign(
                    name=options["name"], niche=options["niche"], description=options["description"]
                )
                niche = (
                    f", niche '{campaign.niche.name}'" + (" (created)" if niche_created else "")
                    if campaign.niche
                    else ""
                )
                self.stdout.write(f"Created campaign {campaign.pk} '{campaign.name}'{niche}.")
            else:
                for campaign in list_campaigns():
                    self.stdout.write(
                        f"{campaign.pk:>6}  {campaign.name:<40} {campaign.status or '':<10} {campaign.lead_count} leads"
                    )
