"""Create a ticket queue: bots may only name queues that exist (an unknown queue_name is a 400)."""

from django.core.management.base import BaseCommand

from core.commands import domain_errors_as_command_errors
from handoff.services.queues import create_queue


class Command(BaseCommand):
    help = (
        "Create a ticket queue with its settings (the defaults for those not given). "
        "An existing name is refused: change its settings in the admin (Queues)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The queue's name, as bots send it in queue_name.")
        parser.add_argument(
            "--target-wait", type=int, dest="target_wait_minutes", help="Minutes; waiting longer is late."
        )
        parser.add_argument(
            "--takeback", type=int, dest="takeback_minutes", help="Minutes before an unstarted ticket goes back."
        )
        parser.add_argument(
            "--capacity", type=int, dest="default_capacity", help="Tickets an agent may hold at once by default."
        )

    def handle(self, *args, **options):
        with domain_errors_as_command_errors():
            queue = create_queue(
                name=options["name"],
                target_wait_minutes=options["target_wait_minutes"],
                takeback_minutes=options["takeback_minutes"],
                default_capacity=options["default_capacity"],
            )
        self.stdout.write(
            f"Queue '{queue.name}' created: target wait {queue.target_wait_minutes} min, "
            f"take-back {queue.takeback_minutes} min, capacity {queue.default_capacity} per agent."
        )
