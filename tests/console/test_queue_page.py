"""The queue page: the "held by" filter per agent, a title that says what is listed, no dead "View site"."""

import pytest
from django.test import Client

from tests.accounts.two_factor_factories import force_login
from tests.handoff.factories import AgentFactory, HandoffTicketFactory, SupervisorFactory

pytestmark = pytest.mark.django_db
QUEUE = "/admin/handoff/handoffticket/"


@pytest.fixture
def held():
    alice = AgentFactory(username="alice", first_name="Alice", last_name="Martin")
    bob = AgentFactory(username="bob")
    SupervisorFactory(username="sam")
    AgentFactory(username="bot-like", is_staff=False)  # not a human agent of the console
    tickets = {
        "alice": HandoffTicketFactory(status="assigned", assigned_agent=alice),
        "bob": HandoffTicketFactory(status="in_progress", assigned_agent=bob),
        "nobody": HandoffTicketFactory(),
    }
    return alice, bob, tickets


def _listed(response):
    assert response.status_code == 200
    return {ticket.pk for ticket in response.context["cl"].result_list}


def _holder_choices(response):
    spec = next(
        spec for spec in response.context["cl"].filter_specs if getattr(spec, "parameter_name", None) == "holder"
    )
    return [title for _, title in spec.lookup_choices]


def test_held_by_offers_all_me_nobody_and_every_other_agent_by_name(held):
    alice, bob, tickets = held
    client = force_login(Client(), bob)
    response = client.get(QUEUE)
    assert _holder_choices(response) == ["Me", "Nobody (in the queue)", "Alice Martin", "sam"]
    page = response.content.decode()
    assert f"?holder={alice.pk}" in page and "Alice Martin" in page
    assert _listed(client.get(QUEUE, {"holder": alice.pk})) == {tickets["alice"].pk}
    assert _listed(client.get(QUEUE, {"holder": "me"})) == {tickets["bob"].pk}
    assert _listed(client.get(QUEUE, {"holder": "nobody"})) == {tickets["nobody"].pk}
    assert _listed(client.get(QUEUE)) == set(ticket.pk for ticket in tickets.values())


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999", "1e3"])
def test_a_malformed_holder_lists_everyone_with_a_warning_not_a_500(held, value):
    client = force_login(Client(), held[0])
    response = client.get(QUEUE, {"holder": value})
    assert _listed(response) == {ticket.pk for ticket in held[2].values()}
    assert "is none of them: showing all." in response.content.decode()


def test_the_title_says_what_is_listed(held):
    alice, bob, _ = held
    client = force_login(Client(), alice)
    assert '<h1 id="cb-queue-title">My tickets</h1>' in client.get(QUEUE, {"holder": "me"}).content.decode()
    assert "<title>My tickets | Callbot console</title>" in client.get(QUEUE, {"holder": "me"}).content.decode()
    assert '<h1 id="cb-queue-title">Ticket queue</h1>' in client.get(QUEUE).content.decode()
    assert "Tickets held by bob" in client.get(QUEUE, {"holder": bob.pk}).content.decode()
    assert '<h1 id="cb-queue-title">My tickets</h1>' in client.get(QUEUE, {"holder": alice.pk}).content.decode()
    assert '<h1 id="cb-queue-title">Ticket queue</h1>' in client.get(QUEUE, {"holder": "mine"}).content.decode()


def test_no_view_site_link(held):
    page = force_login(Client(), held[0]).get(QUEUE).content.decode()
    assert "View site" not in page
