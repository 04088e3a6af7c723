"""Helpers of the webhook tests: an endpoint for a receiver, and waiting for what the worker does."""

import time

from tests.api.factories import BotFactory
from webhooks import services


def endpoint_for(receiver, events=None):
    events = events or ["ticket.assigned", "ticket.resolved", "interaction.completed", "export.finished"]
    return services.create_endpoint(client=BotFactory(), url=receiver.url, events=events)


def wait_until(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()
