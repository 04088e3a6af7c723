"""API clients authenticated with DRF tokens, one per role (bot, agent, other agent, supervisor, no role)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.factories import BotFactory
from tests.handoff.factories import UserFactory


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
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
