"""Working notes on a ticket: saved as the holder types, kept for whoever holds the ticket next.

Who may write: the ticket's holder (still an agent) and supervisors — the holder rule of handoff.rules,
while the ticket is open. An agent who lost the ticket (reassigned, handed back) may no longer write:
their notes stay on the ticket as they were last saved, and the refusal says who has the ticket now.
"""

from django.db import transaction

from core.errors import InvalidInput

from ..models import NOTES_MAX_LENGTH, TicketNote
from .tickets import lock_ticket, require_may_work, require_open


def check_notes_length(field: str, text: str, limit: int) -> None:
    if len(text) > limit:
        raise InvalidInput.for_field(
            field, f"{len(text):,} characters; at most {limit:,} are allowed. Shorten it (your text is kept)."
        )


@transaction.atomic
def save_ticket_note(*, ticket_id, author, body: str) -> TicketNote:
    """Create or replace the author's working notes on the ticket (an empty body keeps an empty note)."""
    # A form sends a textarea's line breaks as CRLF; the browser's maxlength counts them as one character.
    body = (body or "").replace("\r\n", "\n")
    check_notes_length("notes", body, NOTES_MAX_LENGTH)
    ticket = lock_ticket(ticket_id)
    require_open(ticket, "Notes")
    require_may_work(ticket, author)
    note, _ = TicketNote.objects.update_or_create(ticket=ticket, author=author, defaults={"body": body})
    return note
