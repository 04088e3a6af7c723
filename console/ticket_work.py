"""The ticket page's work in progress: working notes, drafts kept across a refused button, reassign facts.

Nothing typed on the ticket page is lost to a refused button: the ticket admin's views stash what was
posted (resolution notes, a reason, unsaved working notes) in the session before redirecting, and the
page fills the forms from it once (post/redirect/get with the text kept). The notes themselves are
saved by handoff.services.save_ticket_note, from the page's autosave (console/static/console/
ticket_notes.js) and with every button.
"""

import json
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.api.exceptions import DOMAIN_ERRORS
from core.errors import DomainError, InvalidInput
from handoff import rules, selectors, services, workload
from handoff.models import (
    NOTES_MAX_LENGTH,
    REASON_MAX_LENGTH,
    RESOLUTION_NOTES_MAX_LENGTH,
    ResolutionReason,
    TicketEvent,
    TicketStatus,
)

NOTES_FIELD = "working_notes"
START_HELP = (
    "Start tells the queue you are working on it: the take-back timer stops, so the ticket is not handed back "
    "to the queue while you work. You may resolve a quick ticket without starting it."
)


def _draft_key(ticket_id) -> str:
    return f"cb-ticket-draft-{ticket_id}"


def stash_draft(request, ticket_id, **fields) -> None:
    """Keep what the person typed, to show it again on the ticket page after a refused button."""
    kept = {name: value for name, value in fields.items() if value}
    if kept:
        request.session[_draft_key(ticket_id)] = {**request.session.get(_draft_key(ticket_id), {}), **kept}


def pop_draft(request, ticket_id) -> dict:
    return request.session.pop(_draft_key(ticket_id), {})


def save_posted_notes(request, ticket_id) -> bool:
    """Save the working notes a button's form carries (the page copies them in); False if refused.

    A refusal because the person no longer holds the ticket shows no message here: the button's own
    service says it, in plain words. The text is kept in the draft either way.
    """
    if NOTES_FIELD not in request.POST:
        return True
    body = request.POST[NOTES_FIELD].replace("\r\n", "\n")  # as the service stores it
    try:
        if body == _saved_body(ticket_id, request.user):
            return True
        services.save_ticket_note(ticket_id=ticket_id, author=request.user, body=body)
    except InvalidInput as error:
        messages.error(request, error.message)
        stash_draft(request, ticket_id, working_notes=body)
        return False
    except DomainError:
        stash_draft(request, ticket_id, working_notes=body)
        return False
    return True


def error_status(error: DomainError) -> int:
    """The HTTP status the API gives this domain error (the page's autosave reads it like the API's)."""
    return next((code for kind, code, _ in DOMAIN_ERRORS if isinstance(error, kind)), 400)


def _saved_body(ticket_id, author) -> str | None:
    try:
        notes = selectors.working_notes_of(ticket_id=ticket_id).filter(author=author)
        return notes.values_list("body", flat=True).first() or ""
    except (ValueError, ValidationError):
        return None  # not a ticket id: the service says so


def saved_at_text(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def pretty_json(value) -> str:
    """JSON as an agent reads it (indented, accents as they are), never Python's repr."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class EventRow:
    event: TicketEvent
    note: str  # a resolution reason's label rather than its code


def event_rows(ticket) -> list[EventRow]:
    labels = dict(ResolutionReason.objects.values_list("code", "label"))
    rows = []
    for event in ticket.events.select_related("actor").order_by("created_at", "id"):
        note = event.note
        if event.action == TicketEvent.Action.RESOLVED:
            note = labels.get(note, note)
        rows.append(EventRow(event=event, note=note))
    return rows


def notes_context(request, ticket, draft: dict) -> dict:
    """Every author's notes; the person's own in the editor when they may write (holder, supervisor)."""
    notes = list(selectors.working_notes_of(ticket_id=ticket.pk))
    mine = next((note for note in notes if note.author_id == request.user.pk), None)
    may_write = ticket.status != TicketStatus.RESOLVED and rules.may_work(ticket, request.user)
    unsaved = draft.get("working_notes")
    return {
        "notes_editable": may_write,
        "my_note": mine,
        "my_notes_text": unsaved if unsaved is not None and may_write else (mine.body if mine else ""),
        # The editor holds the person's own note; without it, their note is listed with the others.
        "other_notes": [note for note in notes if note.body and (note is not mine or not may_write)],
        "unsaved_notes": unsaved if unsaved and not may_write else "",
        # Resolution notes of a Resolve that was refused because the ticket is no longer theirs.
        "unsaved_resolution_notes": draft.get("resolution_notes", "") if not may_write else "",
        "notes_max_length": NOTES_MAX_LENGTH,
    }


def holder_context(ticket) -> dict:
    """What a supervisor sees before taking a ticket from its holder: since when, started or not, notes."""
    if not ticket.assigned_agent_id or ticket.status == TicketStatus.RESOLVED:
        return {"holder_state": None}
    note = selectors.working_notes_of(ticket_id=ticket.pk).filter(author_id=ticket.assigned_agent_id).first()
    return {
        "holder_state": {
            "name": ticket.assigned_agent.get_username(),
            "since": ticket.assigned_at,
            "started_at": ticket.started_at,
            "notes_length": len(note.body) if note else 0,
            "notes_saved_at": note.updated_at if note and note.body else None,
        }
    }


def assignable_agents(ticket) -> list[workload.AgentWorkload]:
    """Everyone who may get the ticket, with their load ("bob — 2/3 held"), the holder left out."""
    return [load for load in workload.agent_workloads() if load.user.pk != ticket.assigned_agent_id]


def limits_context() -> dict:
    return {
        "reason_max_length": REASON_MAX_LENGTH,
        "resolution_notes_max_length": RESOLUTION_NOTES_MAX_LENGTH,
        "resolution_notes_limit_text": f"{RESOLUTION_NOTES_MAX_LENGTH:,}",
        "start_help": START_HELP,
    }
