"""API clients authenticated with API tokens, one per role (bot, agent, other agent, supervisor, no role)."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import issue_api_token
from accounts.tokens import digest_of
from tests.api.factories import BotFactory
from tests.handoff.factories import UserFactory


def token_client(user) -> APIClient:
    client = APIClient()
    # rotate: a user may get several clients in one test; each token stays valid (grace period).
    secret = issue_api_token(user=user, rotate=True)
    # As a client in steady use: query budgets then count no last-used write (one a minute at most).
    ApiToken.objects.filter(digest=digest_of(secret)).update(last_used_at=timezone.now())
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    client.user = user
    return client


@pytest.fixture
def bot(db):
    return BotFactory(username="tool-router")


@pytest.fixture
def bot_client(bot):
    return token_client(bot)


@pytest.fixture
def agent_client(agent):
    return token_client(agent)


@pytest.fixture
def other_agent_client(other_agent):
    return token_client(other_agent)


@pytest.fixture
def supervisor_client(supervisor):
    return token_client(supervisor)


@pytest.fixture
def nobody_client(db):
    """Authenticated, but in no role (neither bot, agent nor supervisor)."""
    return token_client(UserFactory(username="stranger"))


@pytest.fixture
def anonymous_client():
    return APIClient()
