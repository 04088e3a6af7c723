"""Factories of the webhooks app's rows."""

import factory

from tests.api.factories import BotFactory
from webhooks import signing
from webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    client = factory.SubFactory(BotFactory)
    url = factory.Sequence(lambda n: f"https://bot.example.org/hooks/{n}")
    events = factory.LazyFunction(lambda: list(EventType.values))
    secret_salt = factory.LazyFunction(signing.new_salt)


class WebhookEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEvent

    type = EventType.TICKET_RESOLVED
    payload = factory.LazyFunction(lambda: {"ticket_id": "t-1", "status": "resolved"})


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    event = factory.SubFactory(WebhookEventFactory)
    endpoint = factory.SubFactory(WebhookEndpointFactory)
    status = DeliveryStatus.PENDING


def secret_of(endpoint) -> str:
    return signing.derive_secret(endpoint.pk, endpoint.secret_salt)
