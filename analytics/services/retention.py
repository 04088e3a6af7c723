"""Retention: delete interactions older than a cut-off with everything that hangs on them.

Deletes run in batches of interactions taken oldest first, each batch one short transaction
made of a single statement whose CTEs delete the children explicitly (so the command can say
what it removed) and then the interactions. No ORM collector: memory stays flat and locks are
held for one batch only. Rows locked by a live writer are skipped (SKIP LOCKED), not waited for.
"""

import datetime
import time
from dataclasses import dataclass, field

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from callbot_site.errors import Conflict, InvalidInput

DEFAULT_RETENTION_DAYS = 90
DEFAULT_BATCH_SIZE = 5000
MAX_BATCH_SIZE = 50000
# A batch never queues behind another transaction's locks for longer than this.
BATCH_LOCK_TIMEOUT = "5s"

# Children first; the order is also the order of the report.
TABLES = (
    "agent_notifications",
    "handoff_ticket_events",
    "handoff_tickets",
    "conversation_messages",
    "response_logs",
    "crm_actions",
    "interactions",
)

_BATCH_SQL = """
WITH batch AS (
    SELECT interaction_id FROM interactions
     WHERE created_at < %(cutoff)s
     ORDER BY created_at
     LIMIT %(limit)s
       FOR UPDATE SKIP LOCKED
), tickets AS (
    SELECT ticket_id FROM handoff_tickets WHERE interaction_id IN (SELECT interaction_id FROM batch)
), agent_notifications AS (
    DELETE FROM agent_notifications WHERE ticket_id IN (SELECT ticket_id FROM tickets) RETURNING 1
), handoff_ticket_events AS (
    DELETE FROM handoff_ticket_events WHERE ticket_id IN (SELECT ticket_id FROM tickets) RETURNING 1
), handoff_tickets AS (
    DELETE FROM handoff_tickets WHERE ticket_id IN (SELECT ticket_id FROM tickets) RETURNING 1
), conversation_messages AS (
    DELETE FROM conversation_messages WHERE interaction_id IN (SELECT interaction_id FROM batch) RETURNING 1
), response_logs AS (
    DELETE FROM response_logs WHERE interaction_id IN (SELECT interaction_id FROM batch) RETURNING 1
), crm_actions AS (
    DELETE FROM crm_actions WHERE interaction_id IN (SELECT interaction_id FROM batch) RETURNING 1
), interactions AS (
    DELETE FROM interactions WHERE interaction_id IN (SELECT interaction_id FROM batch) RETURNING 1
)
SELECT {counts}
""".format(counts=", ".join(f"(SELECT count(*) FROM {table})" for table in TABLES))

_COUNT_SQL = """
WITH old AS (SELECT interaction_id FROM interactions WHERE created_at < %(cutoff)s),
     tickets AS (SELECT ticket_id FROM handoff_tickets WHERE interaction_id IN (SELECT interaction_id FROM old))
SELECT (SELECT count(*) FROM agent_notifications WHERE ticket_id IN (SELECT ticket_id FROM tickets)),
       (SELECT count(*) FROM handoff_ticket_events WHERE ticket_id IN (SELECT ticket_id FROM tickets)),
       (SELECT count(*) FROM tickets),
       (SELECT count(*) FROM conversation_messages WHERE interaction_id IN (SELECT interaction_id FROM old)),
       (SELECT count(*) FROM response_logs WHERE interaction_id IN (SELECT interaction_id FROM old)),
       (SELECT count(*) FROM crm_actions WHERE interaction_id IN (SELECT interaction_id FROM old)),
       (SELECT count(*) FROM old)
"""


@dataclass
class PurgeReport:
    cutoff: datetime.datetime
    dry_run: bool
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    batches: int = 0
    longest_batch_seconds: float = 0.0

    @property
    def interactions(self) -> int:
        return self.removed["interactions"]


def _validate(days: int, batch_size: int) -> None:
    if days < 1:
        raise InvalidInput.for_field("days", f"{days} is not allowed; keep at least 1 day.")
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise InvalidInput.for_field("batch_size", f"{batch_size} is not allowed; allowed: 1 to {MAX_BATCH_SIZE}.")


def _delete_one_batch(cutoff: datetime.datetime, batch_size: int) -> tuple[int, ...]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{BATCH_LOCK_TIMEOUT}'")
        cursor.execute(_BATCH_SQL, {"cutoff": cutoff, "limit": batch_size})
        return cursor.fetchone()


def purge_old_data(
    *, days: int = DEFAULT_RETENTION_DAYS, dry_run: bool = False, batch_size: int = DEFAULT_BATCH_SIZE
) -> PurgeReport:
    """Delete interactions created more than `days` days ago, with their children, batch by batch.

    Each batch commits on its own: an interruption leaves a consistent database (whole
    interactions gone or kept) and a re-run carries on where it stopped.
    """
    _validate(days, batch_size)
    report = PurgeReport(cutoff=timezone.now() - datetime.timedelta(days=days), dry_run=dry_run)
    if dry_run:
        with connection.cursor() as cursor:
            cursor.execute(_COUNT_SQL, {"cutoff": report.cutoff})
            report.removed = dict(zip(TABLES, cursor.fetchone(), strict=True))
        return report
    while True:
        started = time.monotonic()
        try:
            counts = _delete_one_batch(report.cutoff, batch_size)
        except OperationalError as exc:
            raise Conflict(
                f"Batch {report.batches + 1} could not lock its rows within {BATCH_LOCK_TIMEOUT} "
                f"({exc.__class__.__name__}). Batches already done stay deleted; run the purge again later."
            ) from exc
        report.longest_batch_seconds = max(report.longest_batch_seconds, time.monotonic() - started)
        if counts[-1] == 0:
            return report
        report.batches += 1
        for table, count in zip(TABLES, counts, strict=True):
            report.removed[table] += count
