import io

import pytest
from django.core.management import call_command

from callbot_site.localdb import uses_embedded_database
from crm.models import Customer
from handoff.models import HandoffTicket
from interactions.models import ConversationMessage, Interaction

pytestmark = pytest.mark.django_db


def test_demo_data_fills_an_empty_database_once(settings):
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "Demo data loaded." in out.getvalue()
    assert Customer.objects.count() == 5
    assert Interaction.objects.count() == 6
    assert ConversationMessage.objects.count() >= 12
    queues = set(HandoffTicket.objects.filter(status="queued").values_list("queue_id", flat=True))
    assert queues == {"claims", "billing"}
    # One ticket shows the structured packet: its callback promise is the ticket's due time.
    claims = HandoffTicket.objects.get(interaction__intent="claim_dispute")
    assert claims.context_data["version"] == 1
    assert claims.due_at is not None
    assert claims.context_data["actions_done"][0]["action_id"] == str(claims.interaction.crm_actions.get().pk)
    others = HandoffTicket.objects.exclude(pk=claims.pk)
    assert others and all("version" not in ticket.context_data and ticket.due_at is None for ticket in others)

    again = io.StringIO()
    call_command("load_demo_data", stdout=again)
    assert "left as it is" in again.getvalue()
    assert Interaction.objects.count() == 6


def test_demo_accounts_are_created_on_the_embedded_database():
    from django.contrib.auth import get_user_model

    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "agent1" in out.getvalue() and "demo-agent1-pass" in out.getvalue()
    agent = get_user_model().objects.get(username="agent1")
    assert agent.is_staff and agent.check_password("demo-agent1-pass")
    assert list(agent.groups.values_list("name", flat=True)) == ["Agents"]


def test_only_the_cluster_started_by_localdb_counts_as_embedded(monkeypatch):
    monkeypatch.setenv("CALLBOT_EMBEDDED_DATABASE_URL", "postgres://postgres@//tmp/some/socket/callbot")
    assert uses_embedded_database({"HOST": "/tmp/some/socket", "PORT": "", "NAME": "callbot"})
    assert not uses_embedded_database({"HOST": "db.example.org", "PORT": 5432, "NAME": "callbot"})
    assert not uses_embedded_database({"HOST": "/tmp/other/socket", "PORT": "", "NAME": "callbot"})
    monkeypatch.delenv("CALLBOT_EMBEDDED_DATABASE_URL")
    assert not uses_embedded_database({"HOST": "/tmp/some/socket", "PORT": "", "NAME": "callbot"})
