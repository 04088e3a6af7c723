"""The console's poll endpoint (/admin/live/): who may ask, conditional GET, the queue's version, inbox and load."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from console import live
from handoff import services
from handoff.models import TicketEvent
from tests.accounts.two_factor_factories import force_login
from tests.handoff.factories import (
    AgentNotificationFactory,
    HandoffTicketFactory,
    QueueFactory,
    TicketEventFactory,
    UserFactory,
)
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db

LIVE_URL = reverse("console_live")


def _client(user) -> Client:
    return force_login(Client(), user)


def _poll(client, **params):
    response = client.get(LIVE_URL, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response


def _new_ticket(priority="medium"):
    QueueFactory(name="claims")
    return services.create_handoff_ticket(
        interaction_id=InteractionFactory().pk, reason="Wants a human", priority=priority, queue_name="claims"
    )


# -- who may poll --------------------------------------------------------------------------------


def test_an_anonymous_poll_is_sent_to_the_login_page(client):
    response = client.get(LIVE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_supervisor_who_has_not_given_the_code_is_sent_to_the_second_factor(supervisor):
    client = Client()
    client.force_login(supervisor)  # password only
    response = client.get(LIVE_URL)
    assert response.status_code == 302
    assert "/admin/two-factor/" in response["Location"]


def test_staff_without_a_console_role_is_refused():
    client = _client(UserFactory(username="clerk", is_staff=True))
    response = client.get(LIVE_URL)
    assert response.status_code == 403
    assert response.json()["type"] == "permission_denied"


def test_only_get(agent):
    response = _client(agent).post(LIVE_URL)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


# -- the answer ----------------------------------------------------------------------------------


def test_the_answer_holds_the_version_the_inbox_and_the_load(agent, other_agent):
    ticket = _new_ticket(priority="high")  # every agent gets an urgent notification
    services.claim_next_ticket(agent=agent)
    body = _poll(_client(agent)).json()
    assert set(body) == {"version", "unread", "unread_capped", "newest_unread", "held"}
    assert (body["unread"], body["unread_capped"], body["held"]) == (1, False, 1)
    newest = body["newest_unread"]
    assert (newest["type"], newest["urgent"]) == ("urgent", True)
    assert newest["message"].startswith("Urgent: new high ticket in claims")
    assert newest["ticket_url"] == reverse("admin:handoff_handoffticket_change", args=[ticket.pk])
    assert newest["id"] == str(agent.notifications.get().pk)


def test_unread_and_held_are_each_persons_own(agent, other_agent):
    AgentNotificationFactory.create_batch(3, agent=agent)
    services.mark_notification_read(
        notification_id=AgentNotificationFactory(agent=agent).pk, agent=agent
    )  # read: not counted
    AgentNotificationFactory(agent=other_agent)
    mine, theirs = _poll(_client(agent)).json(), _poll(_client(other_agent)).json()
    assert (mine["unread"], theirs["unread"]) == (3, 1)
    assert mine["version"] == theirs["version"]  # the queue is the same for everyone


def test_the_unread_count_stops_at_the_cap(agent):
    AgentNotificationFactory.create_batch(live.UNREAD_CAP + 5, agent=agent, ticket=HandoffTicketFactory())
    body = _poll(_client(agent)).json()
    assert (body["unread"], body["unread_capped"]) == (live.UNREAD_CAP, True)


# -- conditional GET -----------------------------------------------------------------------------


def test_an_unchanged_state_answers_304_to_its_etag(agent):
    client = _client(agent)
    first = _poll(client)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"] == "private, no-cache"
    again = client.get(LIVE_URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    AgentNotificationFactory(agent=agent)
    changed = client.get(LIVE_URL, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["unread"] == 1


def test_the_etag_is_per_person_even_for_the_same_answer(agent, other_agent):
    mine, theirs = _poll(_client(agent)), _poll(_client(other_agent))
    assert mine.content == theirs.content
    assert mine["ETag"] != theirs["ETag"]
    assert _client(other_agent).get(LIVE_URL, HTTP_IF_NONE_MATCH=mine["ETag"]).status_code == 200


# -- the queue's version -------------------------------------------------------------------------


def test_the_version_changes_with_every_move_of_a_ticket(agent, other_agent, supervisor):
    client = _client(agent)
    versions = [_poll(client).json()["version"]]

    def moved():
        versions.append(_poll(client).json()["version"])
        assert versions[-1] != versions[-2], f"unchanged after move {len(versions) - 1}"

    ticket = _new_ticket()
    moved()
    services.claim_next_ticket(agent=agent)
    moved()
    services.start_ticket(ticket_id=ticket.pk, actor=agent)
    moved()
    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=other_agent, actor=supervisor, reason="Leaves early")
    moved()
    services.return_ticket_to_queue(ticket_id=ticket.pk, actor=other_agent, note="Wrong queue")
    moved()
    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=agent, actor=supervisor, reason="Back")
    moved()
    services.resolve_ticket(ticket_id=ticket.pk, actor=agent, resolution_notes="Done", reason_code="other")
    moved()
    assert len(set(versions)) == len(versions)
    # Reading notifications is not a move of the queue.
    services.mark_all_notifications_read(agent=agent)
    assert _poll(client).json()["version"] == versions[-1]


def test_a_change_committed_after_a_newer_one_still_changes_the_version(agent):
    """An event id taken before a newer one but committed after it (a slower transaction) is not missed."""
    ticket = HandoffTicketFactory()
    TicketEventFactory(ticket=ticket)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('handoff_ticket_events', 'id'))")
        slower_id = cursor.fetchone()[0]  # taken first…
    TicketEventFactory(ticket=ticket, action=TicketEvent.Action.CLAIMED)  # …a newer id commits first
    client = _client(agent)
    before = _poll(client).json()["version"]
    TicketEventFactory(id=slower_id, ticket=ticket, action=TicketEvent.Action.STARTED)  # …then the slower one
    assert _poll(client).json()["version"] != before


# -- one ticket ----------------------------------------------------------------------------------


def test_a_ticket_page_learns_who_moved_its_ticket(agent, other_agent, supervisor):
    ticket = _new_ticket()
    services.claim_next_ticket(agent=agent)
    client = _client(agent)
    body = _poll(client, ticket=str(ticket.pk)).json()["ticket"]
    assert (body["status"], body["holder"], body["last_change"]["text"]) == ("assigned", "alice", "Claimed by alice.")

    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=other_agent, actor=supervisor, reason="Leaves early")
    body = _poll(client, ticket=str(ticket.pk)).json()["ticket"]
    assert (body["status_label"], body["holder"]) == ("Assigned", "bob")
    assert body["last_change"] | {"at": None} == {
        "action": "reassigned",
        "actor": "sam",
        "to_agent": "bob",
        "text": "Reassigned to bob by sam: “Leaves early”.",
        "at": None,
    }

    services.return_ticket_to_queue(ticket_id=ticket.pk, actor=None, note="Not started in time")
    body = _poll(client, ticket=str(ticket.pk)).json()["ticket"]
    assert (body["status"], body["holder"]) == ("queued", None)
    assert body["last_change"]["text"] == "Handed back to the queue by the system: “Not started in time”."


def test_a_bad_ticket_id_is_a_400_naming_the_field(agent):
    response = _client(agent).get(LIVE_URL, {"ticket": "eb6f74dd"})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert list(body["errors"]) == ["ticket"]
    assert "full UUID" in body["errors"]["ticket"][0]


def test_an_unknown_ticket_is_null(agent):
    assert _poll(_client(agent), ticket=str(uuid.uuid4())).json()["ticket"] is None


# -- cost ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 40])
def test_a_poll_costs_the_same_queries_whatever_the_sizes(agent, size, django_assert_num_queries):
    """Session, user, two-factor device, role groups, then the poll's single statement; no more with more rows."""
    tickets = HandoffTicketFactory.create_batch(size)
    for ticket in tickets:
        TicketEventFactory(ticket=ticket)
        AgentNotificationFactory(agent=agent, ticket=ticket)
    HandoffTicketFactory.create_batch(size, status="assigned", assigned_agent=agent)
    client = _client(agent)
    with django_assert_num_queries(5):
        body = _poll(client, ticket=str(tickets[0].pk)).json()
    assert (body["unread"], body["held"], body["ticket"]["status"]) == (size, size, "queued")
