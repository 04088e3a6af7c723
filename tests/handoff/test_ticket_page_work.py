"""No lost work on the console's ticket page: notes autosave endpoint, reasons, drafts kept, page defects."""

import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from handoff import services
from handoff.models import AgentNotification, HandoffTicket, TicketNote
from tests.accounts.two_factor_factories import force_login
from tests.crm.factories import CrmActionFactory, CustomerFactory
from tests.handoff.factories import AgentProfileFactory, HandoffTicketFactory
from tests.interactions.factories import ConversationMessageFactory, InteractionFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def _client(user) -> Client:
    return force_login(Client(), user)


def _url(ticket, action="change"):
    if action == "change":
        return reverse("admin:handoff_handoffticket_change", args=[ticket.pk])
    return reverse(f"admin:handoff_ticket_{action}", args=[ticket.pk])


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def _held_by(agent, status="assigned"):
    return HandoffTicketFactory(
        status=status,
        assigned_agent=agent,
        assigned_at=timezone.now(),
        started_at=timezone.now() if status == "in_progress" else None,
    )


def _page(client, ticket) -> str:
    return html.unescape(client.get(_url(ticket)).content.decode())


# -- the autosave endpoint, cell by cell ----------------------------------------------------------


@pytest.mark.parametrize(
    "who, status, expected_code, saved",
    [
        ("holder", "assigned", 200, True),
        ("holder", "in_progress", 200, True),
        ("supervisor", "in_progress", 200, True),
        ("other agent", "in_progress", 403, False),
        ("other agent", "queued", 403, False),
        ("supervisor", "resolved", 409, False),
    ],
)
def test_who_may_save_notes_through_the_page(
    request, agent, other_agent, supervisor, who, status, expected_code, saved
):
    person = {"holder": agent, "supervisor": supervisor, "other agent": other_agent}[who]
    if status == "queued":
        ticket = HandoffTicketFactory()
    elif status == "resolved":
        ticket = HandoffTicketFactory(status="resolved", resolved_at=timezone.now(), assigned_agent=agent)
    else:
        ticket = _held_by(agent, status)
    response = _client(person).post(_url(ticket, "notes"), {"notes": "Spoke to the garage"}, **JSON)
    assert response.status_code == expected_code
    body = response.json()
    assert body["saved"] is saved
    if saved:
        assert body["saved_at"] == timezone.localtime(TicketNote.objects.get().updated_at).strftime("%H:%M")
        assert body["length"] == len("Spoke to the garage")
        assert TicketNote.objects.get().author == person
    else:
        assert body["detail"]
        assert not TicketNote.objects.exists()


def test_notes_endpoint_needs_post_and_refuses_too_long_notes_in_words(agent):
    ticket = _held_by(agent)
    client = _client(agent)
    assert client.get(_url(ticket, "notes")).status_code == 405
    response = client.post(_url(ticket, "notes"), {"notes": "x" * 10_001}, **JSON)
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "notes: 10,001 characters; at most 10,000 are allowed. Shorten it (your text is kept)."
    )
    assert not TicketNote.objects.exists()


def test_a_too_long_note_posted_without_script_comes_back_on_the_page(agent):
    ticket = _held_by(agent)
    text = "Long story. " * 900  # 10,800 characters
    response = _client(agent).post(_url(ticket, "notes"), {"notes": text}, follow=True)
    assert response.status_code == 200
    assert any("at most 10,000 are allowed" in m for m in _messages(response))
    page = html.unescape(response.content.decode())
    assert text.strip() in page  # the text is back in the editor, not lost
    assert 'data-unsaved="1"' in page  # and the page's script saves it once shortened


def test_previous_holders_autosave_is_refused_with_the_plain_message(agent, other_agent, supervisor):
    ticket = _held_by(agent, "in_progress")
    services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="First findings")
    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=other_agent, actor=supervisor, reason="sick leave")
    response = _client(agent).post(_url(ticket, "notes"), {"notes": "First findings, more"}, **JSON)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("This ticket was reassigned to bob by sam at ")
    assert "(sick leave). Your notes were kept on the ticket for bob." in response.json()["detail"]


# -- the ticket page ------------------------------------------------------------------------------


def test_the_holder_gets_the_editor_the_others_read_the_notes(agent, other_agent, supervisor):
    ticket = _held_by(other_agent)
    services.save_ticket_note(ticket_id=ticket.pk, author=supervisor, body="Priority customer: call first")
    services.save_ticket_note(ticket_id=ticket.pk, author=other_agent, body="Waiting for the expert")
    holder_page = _page(_client(other_agent), ticket)
    assert 'id="cb-working-notes"' in holder_page
    assert ">Waiting for the expert</textarea>" in holder_page
    assert "Saved " in holder_page and "sam" in holder_page and "Priority customer: call first" in holder_page
    reader_page = _page(_client(agent), ticket)
    assert 'id="cb-working-notes"' not in reader_page
    assert "Waiting for the expert" in reader_page and "Priority customer: call first" in reader_page
    assert 'src="/static/console/ticket_notes.js"' in holder_page


def test_every_button_saves_the_notes_it_carries(agent):
    ticket = _held_by(agent)
    _client(agent).post(_url(ticket, "start"), {"working_notes": "Started: customer on hold"})
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert TicketNote.objects.get(ticket=ticket, author=agent).body == "Started: customer on hold"
    _client(agent).post(
        _url(ticket, "resolve"),
        {"reason_code": "other", "resolution_notes": "Done", "working_notes": "Started: customer on hold. Refund."},
    )
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert ticket.events.get(action="resolved").notes == "Started: customer on hold. Refund."


def test_reassign_form_shows_the_ticket_is_worked_and_each_agents_load(agent, other_agent, supervisor):
    AgentProfileFactory(user=other_agent, max_open_tickets=3)
    _held_by(other_agent)
    _held_by(other_agent)
    ticket = _held_by(agent, "in_progress")
    services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="abc")
    page = _page(_client(supervisor), ticket)
    assert 'id="cb-being-worked"' in page
    worked = page[page.index('id="cb-being-worked"') :]
    assert "alice</strong> holds this ticket since" in worked
    assert "<strong>started</strong> at" in worked and "with working notes (3 characters, saved" in worked
    assert '<option value="bob">bob — 2/3 held</option>' in page
    assert '<option value="alice">' not in page  # not to the holder
    assert 'name="reason" id="cb-assign-reason" maxlength="500" value="" required' in page


def test_reassign_without_a_reason_is_refused_and_the_choice_is_kept(agent, other_agent, supervisor):
    ticket = _held_by(agent, "in_progress")
    response = _client(supervisor).post(_url(ticket, "assign"), {"agent": "bob", "reason": ""}, follow=True)
    assert any("alice holds this ticket (started); give a reason" in m for m in _messages(response))
    assert '<option value="bob" selected>' in response.content.decode()
    assert HandoffTicket.objects.get(pk=ticket.pk).assigned_agent == agent
    response = _client(supervisor).post(
        _url(ticket, "assign"), {"agent": "bob", "reason": "alice is at training"}, follow=True
    )
    assert "Ticket assigned to bob." in _messages(response)
    assert AgentNotification.objects.filter(agent=agent, notification_type="reassigned").count() == 1


def test_agents_may_not_reassign(agent, other_agent):
    ticket = _held_by(agent)
    response = _client(agent).post(_url(ticket, "assign"), {"agent": "bob", "reason": "mine"}, follow=True)
    assert "Only supervisors may assign or reassign tickets." in _messages(response)
    assert 'id="cb-assign-form"' not in response.content.decode()


def test_resolve_after_a_reassignment_says_so_and_keeps_what_was_typed(agent, other_agent, supervisor):
    ticket = _held_by(agent, "in_progress")
    services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="Expert booked")
    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=other_agent, actor=supervisor, reason="overload")
    response = _client(agent).post(
        _url(ticket, "resolve"),
        {"reason_code": "other", "resolution_notes": "Expert visit on Monday", "working_notes": "Expert booked; told"},
        follow=True,
    )
    (message,) = _messages(response)
    assert message.startswith("This ticket was reassigned to bob by sam at ")
    assert message.endswith("(overload). Your notes were kept on the ticket for bob.")
    page = html.unescape(response.content.decode())
    assert 'id="cb-unsaved-notes"' in page and "Expert booked; told</textarea>" in page  # shown back, not lost
    assert ">Expert visit on Monday</textarea>" in page
    assert "Expert booked" in page  # the saved notes, read-only
    assert TicketNote.objects.get(author=agent).body == "Expert booked"
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "assigned"


def test_a_refused_resolve_shows_the_notes_and_reason_again(agent):
    ticket = _held_by(agent)
    text = "y" * 10_050
    response = _client(agent).post(
        _url(ticket, "resolve"), {"reason_code": "other", "resolution_notes": text}, follow=True
    )
    assert any("resolution_notes: 10,050 characters; at most 10,000" in m for m in _messages(response))
    page = response.content.decode()
    assert f">{text}</textarea>" in page
    assert '<option value="other" selected>' in page
    assert 'maxlength="10000"' in page


def test_hand_back_asks_for_a_reason(agent):
    ticket = _held_by(agent)
    client = _client(agent)
    page = _page(client, ticket)
    assert 'name="reason" id="cb-hand-back-reason" required maxlength="500"' in page
    response = client.post(_url(ticket, "hand-back"), {"reason": " "}, follow=True)
    assert "reason: Say why you hand this ticket back (required)." in _messages(response)
    assert HandoffTicket.objects.get(pk=ticket.pk).status == "assigned"


def test_start_is_explained(agent):
    page = _page(_client(agent), _held_by(agent))
    assert "Start tells the queue you are working on it: the take-back timer stops" in page


# -- the page's smaller defects -------------------------------------------------------------------


def test_bot_turns_json_singular_links_and_reason_labels(agent):
    customer = CustomerFactory(customer_id="CUST-9", phone="+33612345678", email="chloe@example.org")
    interaction = InteractionFactory(customer_id=customer.pk)
    ConversationMessageFactory(interaction=interaction, turn_number=1, speaker="agent", message="Je transfère")
    CrmActionFactory(interaction=interaction, success=False, output_data={"ok": False, "détail": "refusé"})
    ticket = _held_by(agent)
    HandoffTicket.objects.filter(pk=ticket.pk).update(interaction=interaction, customer_id=customer.pk)
    services.resolve_ticket(ticket_id=ticket.pk, actor=agent, resolution_notes="Done", reason_code="other")
    page = _page(_client(agent), ticket)
    assert "Conversation (1 turn)" in page
    assert "#1 · Bot ·" in page and "· Agent ·" not in page
    assert '{\n  "ok": false,\n  "détail": "refusé"\n}' in page and "{'ok': False" not in page
    assert '<a href="tel:+33612345678" id="cb-customer-phone">' in page
    assert '<a href="mailto:chloe@example.org" id="cb-customer-email">' in page
    history = page[page.index('id="cb-history"') :]
    resolved_row = history[history.index('class="cb-event-resolved"') :]
    assert "<td>Other</td>" in resolved_row[:600] and "<td>other</td>" not in history


def test_two_turns_are_plural(agent):
    ticket = _held_by(agent)
    for turn in (1, 2):
        ConversationMessageFactory(interaction=ticket.interaction, turn_number=turn)
    assert "Conversation (2 turns)" in _page(_client(agent), ticket)


def test_a_button_with_notes_on_an_unknown_ticket_is_a_message_not_a_500(agent):
    url = reverse("admin:handoff_ticket_start", args=["not-a-ticket"])
    response = _client(agent).post(url, {"working_notes": "typed"}, follow=True)
    assert response.status_code in (200, 404)
    assert b"Traceback" not in response.content
    assert not TicketNote.objects.exists()
