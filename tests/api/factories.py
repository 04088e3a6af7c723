"""Factories of the API's own rows: bot client accounts and idempotency keys."""

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import BOTS_GROUP
from idempotency.models import IdempotencyKey
from tests.handoff.factories import UserFactory


class BotFactory(UserFactory):
    username = factory.Sequence(lambda n: f"bot{n}")

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get_or_create(name=BOTS_GROUP)[0])


class IdempotencyKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdempotencyKey

    client = factory.SubFactory(BotFactory)
    key = factory.Sequence(lambda n: f"key-{n}")
    request_fingerprint = "0" * 64
    method = "POST"
    path = "/api/v1/interactions/"
    response_status = 201
    response_content_type = "application/json"
    response_body = b"{}"
    created_at = factory.LazyFunction(timezone.now)
