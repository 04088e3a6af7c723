"""The console in the Django admin: queue page, ticket page, buttons, inbox and who may do what."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from handoff import services
from handoff.models import AgentNotification, AgentProfile, HandoffTicket, Queue, TicketEvent
from tests.accounts.two_factor_factories import force_login
from tests.crm.factories import CrmActionFactory, CustomerFactory
from tests.handoff.factories import (
    AgentFactory,
    AgentNotificationFactory,
    AgentProfileFactory,
    HandoffTicketFactory,
    QueueFactory,
)
from tests.interactions.factories import ConversationMessageFactory, InteractionFactory, ResponseLogFactory

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:handoff_handoffticket_changelist")
CLAIM_URL = reverse("admin:handoff_ticket_claim_next")
INBOX_URL = reverse("admin:handoff_agentnotification_changelist")


def _client(user) -> Client:
    return force_login(Client(), user)  # supervisors pass the second factor too


def _ticket_url(ticket, action="change"):
    if action == "change":
        return reverse("admin:handoff_handoffticket_change", args=[ticket.pk])
    return reverse(f"admin:handoff_ticket_{action}", args=[ticket.pk])


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def _age(ticket, minutes):
    HandoffTicket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))


def _held_by(agent, **kwargs):
    return HandoffTicketFactory(status="assigned", assigned_agent=agent, assigned_at=timezone.now(), **kwargs)


# -- queue page ---------------------------------------------------------------------------------


def test_queue_page_lists_open_tickets_by_priority_then_age(agent):
    low_old, high_new, high_old = (HandoffTicketFactory(priority=p) for p in ("low", "high", "high"))
    _age(low_old, 3)
    _age(high_new, 1)
    _age(high_old, 2)
    resolved = HandoffTicketFactory(status="resolved", resolved_at=timezone.now(), priority="high")
    response = _client(agent).get(QUEUE_URL)
    assert response.status_code == 200
    assert [t.pk for t in response.context["cl"].result_list] == [high_old.pk, high_new.pk, low_old.pk]
    everything = _client(agent).get(QUEUE_URL, {"state": "all"}).context["cl"].result_list
    assert resolved.pk in {t.pk for t in everything}


def test_queue_page_shows_wait_late_colour_ageing_and_customer(agent):
    CustomerFactory(customer_id="CUST-42", name="Chloé Petit")
    QueueFactory(name="claims", target_wait_minutes=5)
    ticket = HandoffTicketFactory(
        priority="medium", queue=Queue.objects.get(name="claims"), interaction=InteractionFactory(customer_id="CUST-42")
    )
    _age(ticket, 7)
    body = _client(agent).get(QUEUE_URL).content.decode()
    assert "Chloé Petit" in body and "CUST-42" in body
    assert 'class="cb-wait cb-late" title="target 5 min">7 min' in body
    assert "↑ high" in body  # aged one level
    assert "Ageing: a queued ticket moves up one priority level" in body
    assert 'data-queue="claims"' in body


def test_queue_page_query_count_does_not_grow_with_the_page(agent):
    HandoffTicketFactory.create_batch(3)
    client = _client(agent)
    with CaptureQueriesContext(connection) as small:
        client.get(QUEUE_URL)
    HandoffTicketFactory.create_batch(40)
    with CaptureQueriesContext(connection) as large:
        response = client.get(QUEUE_URL)
    assert len(response.context["cl"].result_list) == 43
    assert len(large.captured_queries) == len(small.captured_queries)
    # No count over the whole table: totals are capped (LIMIT) or estimated; only an agent's own load is counted.
    table_counts = [
        q["sql"] for q in large.captured_queries if 'COUNT(*) AS "__count" FROM "handoff_tickets"' in q["sql"]
    ]
    assert all('"assigned_agent_id" =' in sql for sql in table_counts)


@pytest.mark.parametrize("term_of", [lambda t: t.customer_id, lambda t: "petit", lambda t: str(t.pk)])
def test_queue_search_by_customer_id_name_or_ticket_id(agent, term_of):
    CustomerFactory(customer_id="CUST-9", name="Chloé Petit")
    wanted = HandoffTicketFactory(interaction=InteractionFactory(customer_id="CUST-9"))
    HandoffTicketFactory.create_batch(2)
    found = _client(agent).get(QUEUE_URL, {"q": term_of(wanted)}).context["cl"].result_list
    assert [t.pk for t in found] == [wanted.pk]


def test_queue_filters_mine_queue_and_priority(agent, other_agent):
    mine = _held_by(agent)
    _held_by(other_agent)
    billing = HandoffTicketFactory(queue=QueueFactory(name="billing"), priority="low")
    client = _client(agent)
    assert [t.pk for t in client.get(QUEUE_URL, {"holder": "me"}).context["cl"].result_list] == [mine.pk]
    assert [t.pk for t in client.get(QUEUE_URL, {"queue__name__exact": "billing"}).context["cl"].result_list] == [
        billing.pk
    ]
    assert [t.pk for t in client.get(QUEUE_URL, {"priority__exact": "low"}).context["cl"].result_list] == [billing.pk]


def test_queue_page_refuses_people_who_are_not_staff(db):
    from tests.handoff.factories import UserFactory

    response = _client(UserFactory()).get(QUEUE_URL)
    assert response.status_code == 302 and "/login/" in response.url


# -- claim next ---------------------------------------------------------------------------------


def test_claim_next_gives_the_first_ticket_and_opens_it(agent):
    low = HandoffTicketFactory(priority="low")
    high = HandoffTicketFactory(priority="high")
    response = _client(agent).post(CLAIM_URL)
    assert response.status_code == 302 and response.url == _ticket_url(high)
    high.refresh_from_db()
    assert (high.status, high.assigned_agent) == ("assigned", agent)
    assert HandoffTicket.objects.get(pk=low.pk).status == "queued"
    assert high.events.last().action == "claimed"


def test_claim_next_in_one_queue(agent):
    HandoffTicketFactory(queue=QueueFactory(name="claims"), priority="high")
    billing = HandoffTicketFactory(queue=QueueFactory(name="billing"), priority="low")
    response = _client(agent).post(CLAIM_URL, {"queue": "billing"})
    assert response.url == _ticket_url(billing)


def test_claim_next_with_an_empty_queue_says_so(agent):
    response = _client(agent).post(CLAIM_URL, follow=True)
    assert "No ticket is waiting." in _messages(response)


def test_claim_next_past_capacity_is_refused_with_a_message(agent):
    AgentProfileFactory(user=agent, max_open_tickets=1)
    _held_by(agent)
    waiting = HandoffTicketFactory()
    response = _client(agent).post(CLAIM_URL, follow=True)
    assert any("the maximum is 1" in m for m in _messages(response))
    assert HandoffTicket.objects.get(pk=waiting.pk).status == "queued"


def test_claim_next_needs_post(agent):
    assert _client(agent).get(CLAIM_URL).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_two_agents_claiming_at_once_get_two_different_tickets():
    first, second = AgentFactory(username="ann"), AgentFactory(username="ben")
    HandoffTicketFactory.create_batch(2)
    barrier, urls = threading.Barrier(2), {}

    def claim(agent):
        client = _client(agent)
        barrier.wait()
        urls[agent.username] = client.post(CLAIM_URL).url
        connection.close()

    threads = [threading.Thread(target=claim, args=(a,)) for a in (first, second)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert urls["ann"] != urls["ben"]
    assert set(HandoffTicket.objects.values_list("assigned_agent__username", flat=True)) == {"ann", "ben"}


# -- ticket page and its buttons ----------------------------------------------------------------


def test_ticket_page_shows_the_whole_context(agent):
    customer = CustomerFactory(customer_id="CUST-5", name="Hugo Durand", segment="premium")
    interaction = InteractionFactory(customer_id=customer.pk, intent="claim_dispute", emotion="angry", urgency="high")
    for turn, (speaker, text) in enumerate(
        [("customer", "Mon sinistre est refusé"), ("agent", "Je vous passe un conseiller")]
    ):
        ConversationMessageFactory(interaction=interaction, turn_number=turn + 1, speaker=speaker, message=text)
    CrmActionFactory(interaction=interaction, success=False, error_message="CRM timeout")
    ResponseLogFactory(interaction=interaction, response_text="Un conseiller arrive.")
    ticket = services.create_handoff_ticket(
        interaction_id=interaction.pk, reason="Dispute", context_data={"policy_number": "POL-77"}
    )
    body = _client(agent).get(_ticket_url(ticket)).content.decode()
    assert body.index("Mon sinistre est refusé") < body.index("Je vous passe un conseiller")
    for expected in (
        "claim_dispute",
        "angry",
        "Hugo Durand",
        "Premium",
        "CRM timeout",
        "Un conseiller arrive.",
        "POL-77",
        "Created",
        "Dispute",
    ):
        assert expected in body, expected
    assert 'name="_save"' not in body  # nothing to edit by hand


def test_agent_starts_and_resolves_a_ticket_they_hold(agent):
    ticket = _held_by(agent)
    client = _client(agent)
    assert client.post(_ticket_url(ticket, "start")).status_code == 302
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "in_progress"
    response = client.post(
        _ticket_url(ticket, "resolve"), {"reason_code": "policy-exception", "resolution_notes": "Refund approved"}
    )
    assert response.url == QUEUE_URL
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution_reason_id, ticket.resolution_notes) == (
        "resolved",
        "policy-exception",
        "Refund approved",
    )
    assert list(ticket.events.values_list("action", flat=True)) == ["started", "resolved"]


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"reason_code": "", "resolution_notes": "done"}, "Choose a resolution reason; allowed: "),
        ({"reason_code": "other", "resolution_notes": " "}, "resolution_notes"),
        ({"reason_code": "bored", "resolution_notes": "done"}, "'bored' is not allowed"),
    ],
)
def test_resolve_requires_a_reason_and_notes(agent, data, expected):
    ticket = _held_by(agent)
    response = _client(agent).post(_ticket_url(ticket, "resolve"), data, follow=True)
    assert response.status_code == 200
    assert any(expected in m for m in _messages(response))
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "assigned"


def test_an_agent_is_refused_another_agents_ticket(agent, other_agent):
    ticket = _held_by(other_agent)
    client = _client(agent)
    page = client.get(_ticket_url(ticket)).content.decode()
    assert 'id="cb-start"' not in page and "only they or a supervisor" in page
    for action, data in [
        ("start", {}),
        ("resolve", {"reason_code": "other", "resolution_notes": "n"}),
        ("hand-back", {}),
    ]:
        response = client.post(_ticket_url(ticket, action), data, follow=True)
        assert any("held by bob" in m for m in _messages(response)), action
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assigned_agent) == ("assigned", other_agent)


def test_an_impossible_transition_is_a_message_not_a_traceback(agent):
    ticket = HandoffTicketFactory(status="resolved", assigned_agent=agent, resolved_at=timezone.now())
    response = _client(agent).post(_ticket_url(ticket, "start"), follow=True)
    assert response.status_code == 200
    assert any("cannot go from 'resolved' to 'in_progress'" in m for m in _messages(response))


def test_unknown_ticket_in_a_button_is_a_message(agent):
    response = _client(agent).post(reverse("admin:handoff_ticket_start", args=["not-a-ticket"]), follow=True)
    assert response.status_code in (200, 404)
    assert b"Traceback" not in response.content


def test_supervisor_assigns_and_reassigns(supervisor, agent, other_agent):
    ticket = HandoffTicketFactory()
    client = _client(supervisor)
    assert 'id="cb-assign"' in client.get(_ticket_url(ticket)).content.decode()
    client.post(_ticket_url(ticket, "assign"), {"agent": "alice"})
    client.post(_ticket_url(ticket, "assign"), {"agent": "bob", "reason": "alice is off sick"})
    ticket.refresh_from_db()
    assert ticket.assigned_agent == other_agent
    assert list(ticket.events.values_list("action", "from_agent", "to_agent", "actor__username", "note")) == [
        ("assigned", "", "alice", "sam", ""),
        ("reassigned", "alice", "bob", "sam", "alice is off sick"),
    ]


def test_agents_cannot_assign(agent, other_agent):
    ticket = HandoffTicketFactory()
    client = _client(agent)
    assert 'id="cb-assign"' not in client.get(_ticket_url(ticket)).content.decode()
    response = client.post(_ticket_url(ticket, "assign"), {"agent": "bob"}, follow=True)
    assert "Only supervisors may assign or reassign tickets." in _messages(response)
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "queued"


def test_hand_back_returns_the_ticket_to_the_queue(agent):
    ticket = _held_by(agent)
    _client(agent).post(_ticket_url(ticket, "hand-back"), {"reason": "customer unreachable"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assigned_agent) == ("queued", None)
    assert ticket.events.last().note == "customer unreachable"


def test_return_selected_action(supervisor, agent):
    tickets = [_held_by(agent), _held_by(agent)]
    response = _client(supervisor).post(
        QUEUE_URL, {"action": "return_selected_to_queue", "_selected_action": [t.pk for t in tickets]}, follow=True
    )
    assert "2 ticket(s) returned to the queue." in _messages(response)
    assert set(HandoffTicket.objects.values_list("status", flat=True)) == {"queued"}
    notes = set(TicketEvent.objects.filter(action="returned").values_list("note", flat=True))
    assert notes == {"Returned by sam from the queue page"}


def test_return_selected_action_refuses_other_agents_tickets(agent, other_agent):
    ticket = _held_by(other_agent)
    response = _client(agent).post(
        QUEUE_URL, {"action": "return_selected_to_queue", "_selected_action": [ticket.pk]}, follow=True
    )
    assert any("held by bob" in m for m in _messages(response))
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "assigned"


# -- nobody edits tickets, transcripts or the audit trail by hand --------------------------------


@pytest.mark.parametrize("who", ["agent", "supervisor"])
def test_tickets_and_audit_trail_are_never_edited_by_hand(request, who):
    user = request.getfixturevalue(who)
    ticket = HandoffTicketFactory()
    event = TicketEvent.objects.create(ticket=ticket, action="created", to_status="queued")
    client = _client(user)
    assert client.post(_ticket_url(ticket), {"priority": "high", "status": "resolved"}).status_code == 403
    assert client.get(reverse("admin:handoff_handoffticket_add")).status_code == 403
    assert (
        client.post(reverse("admin:handoff_handoffticket_delete", args=[ticket.pk]), {"post": "yes"}).status_code == 403
    )
    assert client.post(reverse("admin:handoff_ticketevent_change", args=[event.pk]), {"note": "x"}).status_code == 403
    assert client.post(reverse("admin:handoff_ticketevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    message = ConversationMessageFactory(interaction=ticket.interaction)
    change_interaction = reverse("admin:interactions_interaction_change", args=[ticket.interaction_id])
    assert client.post(change_interaction, {"intent": "x"}).status_code == 403
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.status) == ("medium", "queued")
    assert TicketEvent.objects.get(pk=event.pk).note == ""
    assert message.__class__.objects.filter(pk=message.pk).exists()


def test_supervisors_edit_queue_settings_agents_do_not(supervisor, agent):
    QueueFactory(name="claims", target_wait_minutes=5)
    url = reverse("admin:handoff_queue_change", args=["claims"])
    data = {"name": "claims", "target_wait_minutes": 8, "takeback_minutes": 20, "default_capacity": 4}
    assert _client(agent).post(url, data).status_code == 403
    assert _client(supervisor).post(url, data).status_code == 302
    assert Queue.objects.filter(name="claims", target_wait_minutes=8, default_capacity=4).exists()


def test_agents_cannot_add_resolution_reasons_supervisors_can(supervisor, agent):
    url = reverse("admin:handoff_resolutionreason_add")
    data = {"code": "duplicate", "label": "Duplicate contact", "is_active": "on"}
    assert _client(agent).post(url, data).status_code == 403
    assert _client(supervisor).post(url, data).status_code == 302


# -- notifications ------------------------------------------------------------------------------


def test_index_and_header_show_the_unread_count(agent, other_agent):
    AgentNotificationFactory.create_batch(2, agent=agent)
    AgentNotificationFactory(agent=other_agent)
    body = _client(agent).get(reverse("admin:index")).content.decode()
    assert 'id="cb-index-unread">2<' in body
    assert "Notifications: 2" in body
    assert "Claim next ticket" in body


def test_inbox_shows_only_my_notifications(agent, other_agent):
    mine = AgentNotificationFactory(agent=agent, message="for alice")
    AgentNotificationFactory(agent=other_agent, message="for bob")
    result = _client(agent).get(INBOX_URL).context["cl"].result_list
    assert [n.pk for n in result] == [mine.pk]


def test_opening_a_notification_marks_it_read_and_shows_the_ticket(agent, other_agent):
    notification = AgentNotificationFactory(agent=agent)
    response = _client(agent).post(reverse("admin:handoff_notification_open", args=[notification.pk]))
    assert response.url == _ticket_url(notification.ticket)
    notification.refresh_from_db()
    assert notification.is_read and notification.read_at
    foreign = AgentNotificationFactory(agent=other_agent)
    response = _client(agent).post(reverse("admin:handoff_notification_open", args=[foreign.pk]), follow=True)
    assert any("does not exist" in m for m in _messages(response))
    assert not AgentNotification.objects.get(pk=foreign.pk).is_read


def test_a_get_on_a_notification_changes_nothing(agent, other_agent):
    """A link (prefetched, crawled, opened from history) never marks anything read: only the button's POST does."""
    notification = AgentNotificationFactory(agent=agent)
    response = _client(agent).get(reverse("admin:handoff_notification_open", args=[notification.pk]))
    assert response.url == _ticket_url(notification.ticket)
    assert not AgentNotification.objects.get(pk=notification.pk).is_read
    foreign = AgentNotificationFactory(agent=other_agent)
    response = _client(agent).get(reverse("admin:handoff_notification_open", args=[foreign.pk]), follow=True)
    assert any("does not exist" in m for m in _messages(response))
    inbox = _client(agent).get(INBOX_URL).content.decode()
    open_url = reverse("admin:handoff_notification_open", args=[notification.pk])
    assert f'formaction="{open_url}"' in inbox and 'formmethod="post"' in inbox


def test_mark_read_action_and_mark_all(agent):
    first, second, third = AgentNotificationFactory.create_batch(3, agent=agent)
    client = _client(agent)
    client.post(INBOX_URL, {"action": "mark_read", "_selected_action": [first.pk]})
    assert set(AgentNotification.objects.filter(is_read=True).values_list("pk", flat=True)) == {first.pk}
    response = client.post(reverse("admin:handoff_notifications_read_all"), follow=True)
    assert "2 notification(s) marked as read." in _messages(response)
    assert not AgentNotification.objects.filter(is_read=False).exists()


# -- login and session --------------------------------------------------------------------------


def test_login_locks_out_after_five_failures_and_a_supervisor_unlocks(supervisor, agent, settings):
    from axes.models import AccessAttempt

    login = reverse("admin:login")
    client = Client()
    for _ in range(5):
        client.post(login, {"username": "alice", "password": "wrong"})
    response = client.post(login, {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 429
    attempt = AccessAttempt.objects.get(username="alice")
    _client(supervisor).post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert not AccessAttempt.objects.filter(username="alice").exists()
    response = client.post(login, {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 302


def test_agents_cannot_unlock_accounts(agent):
    assert _client(agent).get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


def test_sessions_last_a_working_day(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


# -- agent settings ---------------------------------------------------------------------------


def test_agent_profiles_are_only_for_staff_agents(supervisor, agent):
    from tests.api.factories import BotFactory
    from tests.handoff.factories import UserFactory

    bot, outsider = BotFactory(username="tool-router"), UserFactory(username="visitor", is_staff=True)
    client = _client(supervisor)
    add_url = reverse("admin:handoff_agentprofile_add")
    page = client.get(add_url, {"user": bot.pk}).content.decode()
    assert "tool-router" not in page and "visitor" not in page and "alice" in page
    refused = client.post(add_url, {"user": bot.pk, "max_open_tickets": 2})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    client.post(add_url, {"user": outsider.pk, "max_open_tickets": 2})
    created = client.post(add_url, {"user": agent.pk, "max_open_tickets": 2})
    assert created.status_code == 302
    assert list(AgentProfile.objects.values_list("user__username", flat=True)) == ["alice"]
