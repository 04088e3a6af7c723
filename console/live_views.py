"""The console's poll endpoint: a tiny JSON that every open admin page asks for every few seconds.

Short polling rather than a held-open stream: gunicorn's sync workers serve one request at a time, so
an open page must cost one short request now and then, never a worker (docs/console.md, "Live updates").
The answer carries an ETag per person; a poll that sends it back gets a 304 while nothing changed.
"""

import hashlib
import json
import uuid

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response

from accounts.roles import is_agent
from core.api.exceptions import error_body

from . import live


def _ticket_url(ticket_id) -> str:
    return reverse("admin:handoff_handoffticket_change", args=[ticket_id])


def _notice_body(notice: live.Notice | None) -> dict | None:
    if notice is None:
        return None
    return {
        "id": notice.id,
        "type": notice.type,
        "urgent": notice.is_urgent,
        "message": notice.message,
        "ticket_url": _ticket_url(notice.ticket_id),
        "created_at": notice.created_at.isoformat(),
    }


def _ticket_body(ticket: live.TicketState | None) -> dict | None:
    if ticket is None:
        return None
    change = ticket.last_change
    return {
        "status": ticket.status,
        "status_label": ticket.status_label,
        "holder": ticket.holder,
        "updated_at": ticket.updated_at.isoformat(),
        "last_change": None
        if change is None
        else {
            "action": change.action,
            "actor": change.actor,
            "to_agent": change.to_agent,
            "text": change.describe(),
            "at": change.created_at.isoformat(),
        },
    }


def _bad_ticket(value: str) -> JsonResponse:
    message = f"'{value[:40]}' is not a ticket id; give the full UUID of a ticket."
    return JsonResponse(error_body("validation_error", f"ticket: {message}", {"ticket": [message]}), status=400)


def live_view(request):
    """GET ?ticket=<uuid> (optional). 200 with the state, 304 when If-None-Match matches, 400 for a bad id."""
    if request.method not in ("GET", "HEAD"):
        return JsonResponse(error_body("method_not_allowed", "Use GET."), status=405, headers={"Allow": "GET, HEAD"})
    if not is_agent(request.user):
        return JsonResponse(error_body("permission_denied", "Live updates are for agents and supervisors."), status=403)
    ticket_id = None
    if raw := request.GET.get("ticket"):
        try:
            ticket_id = uuid.UUID(raw)
        except ValueError:
            return _bad_ticket(raw)
    state = live.live_state(user=request.user, ticket_id=ticket_id)
    body = {
        "version": state.version,
        "unread": state.unread,
        "unread_capped": state.unread_capped,
        "newest_unread": _notice_body(state.newest_unread),
        "held": state.held,
    }
    if ticket_id is not None:
        body["ticket"] = _ticket_body(state.ticket)
    content = json.dumps(body, separators=(",", ":")).encode()
    # Per person: two people may see the same body, but a shared cache must never swap their answers.
    etag = '"' + hashlib.blake2b(b"%d:" % request.user.pk + content, digest_size=12).hexdigest() + '"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(content, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie"
    return response
