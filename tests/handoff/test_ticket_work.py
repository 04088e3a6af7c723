"""No lost work on a ticket (services): working notes, reasons for reassigning and handing back, limits."""

import pytest
from django.utils import timezone

from core.errors import Conflict, InvalidInput, PermissionRefused
from handoff import selectors, services
from handoff.errors import NotTicketHolder
from handoff.models import NOTES_MAX_LENGTH, REASON_MAX_LENGTH, AgentNotification, TicketNote
from tests.handoff.factories import AgentFactory, HandoffTicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def _held_by(agent, status="assigned"):
    return HandoffTicketFactory(
        status=status,
        assigned_agent=agent,
        assigned_at=timezone.now(),
        started_at=timezone.now() if status == "in_progress" else None,
    )


# -- working notes ------------------------------------------------------------------------------


def test_the_holder_saves_notes_and_a_second_save_replaces_them(agent):
    ticket = _held_by(agent)
    services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="Customer called twice")
    note = services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="Customer called twice.\nPhotos sent.")
    assert TicketNote.objects.filter(ticket=ticket).count() == 1
    assert TicketNote.objects.get().body == "Customer called twice.\nPhotos sent."
    assert note.author == agent and note.updated_at >= note.created_at


def test_who_may_save_notes(agent, other_agent, supervisor):
    ticket = _held_by(agent)
    services.save_ticket_note(ticket_id=ticket.pk, author=supervisor, body="Call back before noon")
    with pytest.raises(NotTicketHolder, match="held by alice"):
        services.save_ticket_note(ticket_id=ticket.pk, author=other_agent, body="mine now?")
    with pytest.raises(PermissionRefused):
        services.save_ticket_note(ticket_id=ticket.pk, author=UserFactory(username="someone"), body="x")
    assert set(TicketNote.objects.values_list("author__username", "body")) == {("sam", "Call back before noon")}


def test_notes_of_a_queued_or_resolved_ticket_are_refused(agent, supervisor):
    queued = HandoffTicketFactory()
    with pytest.raises(NotTicketHolder, match="held by nobody"):
        services.save_ticket_note(ticket_id=queued.pk, author=agent, body="x")
    resolved = HandoffTicketFactory(status="resolved", resolved_at=timezone.now(), assigned_agent=agent)
    with pytest.raises(Conflict, match="resolved ticket can no longer change"):
        services.save_ticket_note(ticket_id=resolved.pk, author=supervisor, body="late")
    assert not TicketNote.objects.exists()


def test_notes_are_limited_and_the_limit_is_named(agent):
    ticket = _held_by(agent)
    services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="é" * NOTES_MAX_LENGTH)
    with pytest.raises(InvalidInput) as refused:
        services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="x" * (NOTES_MAX_LENGTH + 1))
    assert refused.value.errors == {
        "notes": ["10,001 characters; at most 10,000 are allowed. Shorten it (your text is kept)."]
    }
    assert len(TicketNote.objects.get().body) == NOTES_MAX_LENGTH  # the saved version is untouched


def test_a_forms_crlf_line_breaks_count_as_one_character_like_the_browsers_maxlength(agent):
    ticket = _held_by(agent)
    lines = "ab\r\n" * 3_333  # 9,999 characters in the textarea, 13,332 as sent
    services.save_ticket_note(ticket_id=ticket.pk, author=agent, body=lines)
    assert TicketNote.objects.get().body == "ab\n" * 3_333


def test_the_database_refuses_an_over_long_note_too(agent):
    from django.db import IntegrityError, transaction

    ticket = _held_by(agent)
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketNote.objects.create(ticket=ticket, author=agent, body="x" * (NOTES_MAX_LENGTH + 1))


# -- reassigning a held ticket -------------------------------------------------------------------


def test_reassigning_a_held_ticket_needs_a_reason_that_says_it_is_worked(agent, other_agent, supervisor):
    ticket = _held_by(agent, status="in_progress")
    with pytest.raises(InvalidInput) as refused:
        services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=other_agent, actor=supervisor, reason="  ")
    assert refused.value.errors["reason"] == [
        "alice holds this ticket (started); give a reason for taking it from them (it is sent to them)."
    ]
    waiting = _held_by(agent)
    with pytest.raises(InvalidInput, match=r"alice holds this ticket \(assigned, not started\)"):
        services.assign_ticket_to_agent(ticket_id=waiting.pk, agent=other_agent, actor=supervisor)
    ticket.refresh_from_db()
    assert (ticket.assigned_agent, ticket.status) == (agent, "in_progress")
    assert not ticket.events.exists()


def test_a_queued_ticket_is_assigned_without_a_reason(agent, supervisor):
    ticket = HandoffTicketFactory()
    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=agent, actor=supervisor)
    assert ticket.events.get().note == ""
    assert not AgentNotification.objects.filter(notification_type="reassigned").exists()


def test_a_reason_is_limited(agent, other_agent, supervisor):
    ticket = _held_by(agent)
    with pytest.raises(InvalidInput, match="at most 500"):
        services.assign_ticket_to_agent(
            ticket_id=ticket.pk, agent=other_agent, actor=supervisor, reason="x" * (REASON_MAX_LENGTH + 1)
        )


def test_reassigning_notifies_the_previous_holder_and_keeps_their_notes(agent, other_agent, supervisor):
    ticket = _held_by(agent, status="in_progress")
    services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="Checked the photos; expert visit booked.")
    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=other_agent, actor=supervisor, reason="alice leaves")

    notice = AgentNotification.objects.get(agent=agent, notification_type="reassigned")
    assert notice.message == (
        f"sam reassigned your ticket #{str(ticket.pk)[:8]} ({ticket.customer_id}) to bob: alice leaves. "
        "Your notes were kept on the ticket for them."
    )
    assert AgentNotification.objects.filter(agent=other_agent, ticket=ticket).exists()  # the new holder's
    event = ticket.events.get(action="reassigned")
    assert (event.from_agent, event.to_agent, event.note, event.notes) == (
        "alice",
        "bob",
        "alice leaves",
        "Checked the photos; expert visit booked.",
    )
    # The new holder reads the previous holder's notes, with author and time.
    (kept,) = selectors.working_notes_of(ticket_id=ticket.pk)
    assert (kept.author, kept.body) == (agent, "Checked the photos; expert visit booked.")
    services.save_ticket_note(ticket_id=ticket.pk, author=other_agent, body="Called the expert.")
    assert [(n.author.username, n.body) for n in selectors.working_notes_of(ticket_id=ticket.pk)] == [
        ("alice", "Checked the photos; expert visit booked."),
        ("bob", "Called the expert."),
    ]


def test_the_previous_holder_is_told_plainly_who_took_the_ticket(agent, other_agent, supervisor):
    ticket = _held_by(agent, status="in_progress")
    services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="Half done")
    services.assign_ticket_to_agent(ticket_id=ticket.pk, agent=other_agent, actor=supervisor, reason="urgent load")
    at = timezone.localtime(ticket.events.get(action="reassigned").created_at).strftime("%H:%M")
    expected = (
        f"This ticket was reassigned to bob by sam at {at} (urgent load). Your notes were kept on the ticket for bob."
    )
    with pytest.raises(NotTicketHolder) as refused:
        services.resolve_ticket(ticket_id=ticket.pk, actor=agent, resolution_notes="", reason_code="")
    assert refused.value.message == expected
    with pytest.raises(NotTicketHolder) as refused_notes:
        services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="Half done, and more")
    assert refused_notes.value.message == expected
    assert TicketNote.objects.get(author=agent).body == "Half done"


def test_an_agent_who_never_held_the_ticket_gets_the_usual_message(agent, other_agent):
    ticket = _held_by(other_agent)
    with pytest.raises(NotTicketHolder, match="held by bob; agents may act only on tickets they hold"):
        services.start_ticket(ticket_id=ticket.pk, actor=agent)


# -- handing back -------------------------------------------------------------------------------


def test_handing_back_needs_a_reason_and_keeps_the_notes(agent, supervisor):
    ticket = _held_by(agent)
    services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="Customer abroad until Monday")
    with pytest.raises(InvalidInput) as refused:
        services.return_ticket_to_queue(ticket_id=ticket.pk, actor=agent, note="")
    assert refused.value.errors == {"reason": ["Say why you hand this ticket back (required)."]}
    services.return_ticket_to_queue(ticket_id=ticket.pk, actor=agent, note="Customer unreachable")
    event = ticket.events.get(action="returned")
    assert (event.note, event.notes, event.from_agent) == (
        "Customer unreachable",
        "Customer abroad until Monday",
        "alice",
    )
    assert TicketNote.objects.get(ticket=ticket).body == "Customer abroad until Monday"


def test_a_supervisor_hands_back_and_the_holder_is_told_why_later(agent, other_agent, supervisor):
    ticket = _held_by(agent)
    services.return_ticket_to_queue(ticket_id=ticket.pk, actor=supervisor, note="Needs the claims team")
    services.claim_next_ticket(agent=other_agent)
    with pytest.raises(
        NotTicketHolder,
        match=r"handed back to the queue by sam at \d\d:\d\d \(Needs the claims team\)\. bob holds it now\.",
    ):
        services.start_ticket(ticket_id=ticket.pk, actor=agent)


def test_the_take_back_job_needs_no_reason_from_a_person(agent):
    ticket = _held_by(agent)
    services.return_ticket_to_queue(ticket_id=ticket.pk, note="")
    assert ticket.events.get().action == "returned"


# -- resolving ----------------------------------------------------------------------------------


def test_resolution_notes_are_limited_and_the_notes_enter_the_trail(agent):
    ticket = _held_by(agent)
    services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="Refund of 120 EUR agreed")
    with pytest.raises(InvalidInput) as refused:
        services.resolve_ticket(
            ticket_id=ticket.pk, actor=agent, resolution_notes="x" * 10_001, reason_code="policy-exception"
        )
    assert list(refused.value.errors) == ["resolution_notes"]
    services.resolve_ticket(ticket_id=ticket.pk, actor=agent, resolution_notes="Refunded", reason_code="other")
    event = ticket.events.get(action="resolved")
    assert (event.note, event.notes) == ("other", "Refund of 120 EUR agreed")


def test_a_second_agent_account_is_not_a_supervisor(agent):
    """Cell check: an agent may not save notes on a ticket that another agent holds, whoever created it."""
    holder = AgentFactory(username="carol")
    ticket = _held_by(holder)
    with pytest.raises(NotTicketHolder):
        services.save_ticket_note(ticket_id=ticket.pk, author=agent, body="x")
