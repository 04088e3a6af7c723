"""What an open console page polls for: the queue's version, the person's inbox and load, one ticket's state.

One SQL statement, whatever the table sizes (a handful of index probes), because every open console tab
asks every few seconds.

The queue's version is taken from the audit trail, not from the tickets: every change of a ticket
(created, claimed, assigned, reassigned, started, handed back, resolved) writes a `TicketEvent` in the
same transaction, and the events' ids come from a sequence, so the newest ids are read backwards on the
primary key. The newest id alone would not do: an id is handed out at INSERT and becomes visible at
COMMIT, so a transaction that took id 10 and commits after the one that took id 11 would leave the
maximum at 11 and its change unseen. The version is therefore a digest of the newest `VERSION_WINDOW`
ids: a late commit adds an id inside the window and changes it, as long as fewer than `VERSION_WINDOW`
events commit in between.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection

from handoff import rules
from handoff.models import NotificationType, TicketEvent, TicketStatus

VERSION_WINDOW = 100
# The badge says "99+" past this: counting a forgotten inbox of thousands would cost more than it tells.
UNREAD_CAP = 100

_HELD = rules.sql_list(rules.HELD_STATUSES)
_USERS = get_user_model()._meta.db_table

_LIVE_SQL = f"""
SELECT window_ids.top, window_ids.total,
       (SELECT COUNT(*) FROM (
            SELECT 1 FROM agent_notifications n
             WHERE n.agent_id = %(user)s AND n.is_read = FALSE
             LIMIT %(cap)s) AS capped) AS unread,
       (SELECT COUNT(*) FROM handoff_tickets h
         WHERE h.assigned_agent_id = %(user)s AND h.status IN ({_HELD})) AS held,
       newest.notification_id, newest.notification_type, newest.message, newest.ticket_id, newest.created_at,
       ticket.status, ticket.holder, ticket.updated_at,
       last_event.action, last_event.actor, last_event.from_agent, last_event.to_agent, last_event.note,
       last_event.created_at
FROM (
    SELECT MAX(e.id) AS top, SUM(e.id) AS total
    FROM (SELECT id FROM handoff_ticket_events ORDER BY id DESC LIMIT {VERSION_WINDOW}) AS e
) AS window_ids
LEFT JOIN LATERAL (
    SELECT n.notification_id, n.notification_type, n.message, n.ticket_id, n.created_at
      FROM agent_notifications n
     WHERE n.agent_id = %(user)s AND n.is_read = FALSE
     ORDER BY n.created_at DESC
     LIMIT 1
) AS newest ON TRUE
LEFT JOIN LATERAL (
    SELECT t.status, holder.username AS holder, t.updated_at
      FROM handoff_tickets t
      LEFT JOIN {_USERS} holder ON holder.id = t.assigned_agent_id
     WHERE t.ticket_id = %(ticket)s
) AS ticket ON TRUE
LEFT JOIN LATERAL (
    SELECT ev.action, actor.username AS actor, ev.from_agent, ev.to_agent, ev.note, ev.created_at
      FROM handoff_ticket_events ev
      LEFT JOIN {_USERS} actor ON actor.id = ev.actor_id
     WHERE ev.ticket_id = %(ticket)s
     ORDER BY ev.created_at DESC, ev.id DESC
     LIMIT 1
) AS last_event ON TRUE
"""

# A reason is shown with these moves; a resolution's note is its reason code, already on the page.
_EVENTS_WITH_REASON = {TicketEvent.Action.REASSIGNED, TicketEvent.Action.RETURNED}


@dataclass(frozen=True)
class Notice:
    """The newest unread notification: enough for a desktop alert and a link."""

    id: str
    type: str
    message: str
    ticket_id: str
    created_at: datetime

    @property
    def is_urgent(self) -> bool:
        return self.type == NotificationType.URGENT


@dataclass(frozen=True)
class TicketChange:
    """The last move of a ticket, as the ticket page's banner tells it."""

    action: str
    actor: str | None
    from_agent: str
    to_agent: str
    note: str
    created_at: datetime

    def describe(self) -> str:
        by = f" by {self.actor}" if self.actor else " by the system"
        text = {
            TicketEvent.Action.CREATED: "Queued",
            TicketEvent.Action.CLAIMED: f"Claimed{by}",
            TicketEvent.Action.ASSIGNED: f"Assigned to {self.to_agent}{by}",
            TicketEvent.Action.REASSIGNED: f"Reassigned to {self.to_agent}{by}",
            TicketEvent.Action.STARTED: f"Started{by}",
            TicketEvent.Action.RESOLVED: f"Resolved{by}",
            TicketEvent.Action.RETURNED: f"Handed back to the queue{by}",
        }.get(self.action, f"{self.action.capitalize()}{by}")
        if self.action in _EVENTS_WITH_REASON and self.note:
            text += f": “{self.note}”"
        return text + "."


@dataclass(frozen=True)
class TicketState:
    status: str
    holder: str | None
    updated_at: datetime
    last_change: TicketChange | None

    @property
    def status_label(self) -> str:
        return TicketStatus(self.status).label


@dataclass(frozen=True)
class LiveState:
    version: str
    unread: int
    newest_unread: Notice | None
    held: int
    ticket: TicketState | None

    @property
    def unread_capped(self) -> bool:
        return self.unread >= UNREAD_CAP


def _version(top, total) -> str:
    return hashlib.blake2b(f"{top}:{total}".encode(), digest_size=8).hexdigest()


def live_state(*, user, ticket_id=None) -> LiveState:
    """The poll's answer for `user` (and one ticket when `ticket_id` is given; None when it does not exist)."""
    with connection.cursor() as cursor:
        cursor.execute(_LIVE_SQL, {"user": user.pk, "cap": UNREAD_CAP, "ticket": ticket_id})
        row = cursor.fetchone()
    top, total, unread, held = row[:4]
    notice_id, notice_type, message, notice_ticket, notice_at = row[4:9]
    status, holder, updated_at = row[9:12]
    change = row[12:18]
    return LiveState(
        version=_version(top, total),
        unread=unread,
        newest_unread=Notice(str(notice_id), notice_type, message, str(notice_ticket), notice_at)
        if notice_id
        else None,
        held=held,
        ticket=TicketState(status, holder, updated_at, TicketChange(*change) if change[0] else None)
        if status
        else None,
    )
