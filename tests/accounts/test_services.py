"""Account services: human agents and bots never turn into each other."""

import pytest

from accounts.services import create_agent
from core.errors import Conflict


def test_create_agent_never_turns_a_bot_into_a_human_agent(db):
    from django.contrib.auth.models import Group

    from tests.handoff.factories import UserFactory

    bot = UserFactory(username="tool-router")
    bot.groups.add(Group.objects.get_or_create(name="Bots")[0])
    with pytest.raises(Conflict):
        create_agent(username="tool-router", password="a-strong-passphrase-42")
    bot.refresh_from_db()
    assert not bot.is_staff
    assert list(bot.groups.values_list("name", flat=True)) == ["Bots"]
