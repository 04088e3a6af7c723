"""Factories of the accounts app: API tokens (the secret is a parameter; only its digest is stored).

The two-factor devices have theirs in two_factor_factories.py."""

import factory
from django.utils import timezone

from accounts import tokens
from accounts.models import ApiToken
from tests.api.factories import BotFactory


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """`ApiTokenFactory(secret="…")` stores that secret's digest; without it, a random one."""

    class Meta:
        model = ApiToken

    class Params:
        secret = factory.LazyFunction(tokens.new_secret)

    user = factory.SubFactory(BotFactory)
    prefix = factory.LazyAttribute(lambda o: o.secret[: tokens.PREFIX_LENGTH])
    digest = factory.LazyAttribute(lambda o: tokens.digest_of(o.secret))
    password_marker = factory.LazyAttribute(lambda o: tokens.password_marker(o.user))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: tokens.expiry_from(o.created_at))
