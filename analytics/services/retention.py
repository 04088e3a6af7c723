"""Retention: delete interactions older than a cut-off with everything that hangs on them.

Deletes run in batches of interactions taken oldest first, each batch one short transaction made of
one statement: lock the batch (SKIP LOCKED: rows a live writer holds are left for the next run) and
delete those interactions; PostgreSQL's ON DELETE CASCADE removes the children through their FK
indexes (referential actions fire at the end of the statement even on deferrable constraints).
Children are not deleted explicitly: the cascade triggers would still look every one of them up
again. The report's per-table counts come from the transaction's own statistics
(pg_stat_get_xact_tuples_deleted), read before and after the statement: exact and free.

Batches walk the table in physical order, a window of pages at a time (TID range scans), and resume
after the previous batch's last tuple: no index walk over the dead entries of what was already deleted,
and the cascades find each batch's children on few pages. An old interaction that a concurrent update
moves behind the walk waits for the next run, like one a live writer holds (SKIP LOCKED).
Interactions that still have an open handoff ticket are kept (a human is working on them) and counted.
No ORM collector: memory stays flat and locks are held for one batch only.
"""

import datetime
import math
import time
from dataclasses import dataclass, field

import psycopg
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from core.errors import Conflict, InvalidInput
from handoff.rules import OPEN_STATUSES
from idempotency import services as idempotency

DEFAULT_RETENTION_DAYS = 90
DEFAULT_BATCH_SIZE = 5000
MAX_BATCH_SIZE = 50000
# A batch never queues behind another transaction's locks for longer than this.
BATCH_LOCK_TIMEOUT = "5s"

# Children first; the order is also the order of the report.
TABLES = (
    "agent_notifications",
    "handoff_ticket_events",
    "handoff_ticket_notes",
    "handoff_tickets",
    "conversation_messages",
    "response_logs",
    "crm_proposal_events",
    "crm_action_proposals",
    "crm_actions",
    "interactions",
)

_OPEN_TICKET = "SELECT 1 FROM handoff_tickets t WHERE t.interaction_id = i.interaction_id AND t.status = ANY(%(open)s)"

# Batches walk the table in physical order, a window of pages at a time (a TID range scan: no index, no sort
# of the table), like one DELETE's sequential scan does: children are mostly written next to their
# interaction's neighbours, so the cascades then touch few pages per batch instead of the whole tables.
# Within a window the batch resumes after the previous batch's last tuple (ctids are unique and stable).
_BATCH_SQL = f"""
WITH batch AS (
    SELECT i.ctid AS tid, i.interaction_id FROM interactions i
     WHERE i.ctid > %(after)s::tid AND i.ctid < %(until)s::tid
       AND i.created_at < %(cutoff)s
       AND NOT EXISTS ({_OPEN_TICKET})
     ORDER BY i.ctid
     LIMIT %(limit)s
       FOR UPDATE SKIP LOCKED
), deleted AS (
    -- In key order the cascades' lookups walk each child's FK index (random uuids) from left to right.
    DELETE FROM interactions d USING (SELECT interaction_id FROM batch ORDER BY interaction_id) b
     WHERE d.interaction_id = b.interaction_id RETURNING 1
)
SELECT (SELECT count(*) FROM deleted), (SELECT count(*) FROM batch), (SELECT max(tid)::text FROM batch)
"""
# Pages of the table when the purge starts, and rows per page (statistics; 1 before the first ANALYZE).
_TABLE_SHAPE_SQL = """
SELECT pg_relation_size('interactions') / current_setting('block_size')::int,
       CASE WHEN relpages > 0 AND reltuples > 0 THEN reltuples / relpages ELSE 1 END
  FROM pg_class WHERE oid = 'interactions'::regclass
"""
MAX_WINDOW_PAGES = 4096  # 32 MB of heap: a batch never scans more, so it stays a short transaction

# Rows this transaction has deleted so far, per table (subtransactions included).
_DELETED_SO_FAR_SQL = "SELECT {}".format(
    ", ".join(f"pg_stat_get_xact_tuples_deleted('{table}'::regclass)" for table in TABLES)
)

# Driven by the few open tickets, not by the created_at index (full of the purge's dead entries).
_KEPT_SQL = """
SELECT count(DISTINCT t.interaction_id) FROM handoff_tickets t JOIN interactions i USING (interaction_id)
 WHERE t.status = ANY(%(open)s) AND i.created_at < %(cutoff)s
"""

_COUNT_SQL = f"""
WITH old AS (
    SELECT interaction_id FROM interactions i WHERE i.created_at < %(cutoff)s AND NOT EXISTS ({_OPEN_TICKET})
), tickets AS (SELECT ticket_id FROM handoff_tickets WHERE interaction_id IN (SELECT interaction_id FROM old)),
proposals AS (SELECT proposal_id FROM crm_action_proposals WHERE interaction_id IN (SELECT interaction_id FROM old))
SELECT (SELECT count(*) FROM agent_notifications WHERE ticket_id IN (SELECT ticket_id FROM tickets)),
       (SELECT count(*) FROM handoff_ticket_events WHERE ticket_id IN (SELECT ticket_id FROM tickets)),
       (SELECT count(*) FROM handoff_ticket_notes WHERE ticket_id IN (SELECT ticket_id FROM tickets)),
       (SELECT count(*) FROM tickets),
       (SELECT count(*) FROM conversation_messages WHERE interaction_id IN (SELECT interaction_id FROM old)),
       (SELECT count(*) FROM response_logs WHERE interaction_id IN (SELECT interaction_id FROM old)),
       (SELECT count(*) FROM crm_proposal_events WHERE proposal_id IN (SELECT proposal_id FROM proposals)),
       (SELECT count(*) FROM proposals),
       (SELECT count(*) FROM crm_actions WHERE interaction_id IN (SELECT interaction_id FROM old)),
       (SELECT count(*) FROM old)
"""


def _page(tid: str) -> int:
    return int(tid.strip("()").split(",")[0])


@dataclass
class _Window:
    """Where the walk is: after `after` (a ctid), before page `until`; pages per window adapt to the old rows found."""

    pages: int
    after: str = "(0,0)"  # before every tuple: line pointers start at 1
    until: int = 0

    def __post_init__(self):
        self.until = self.pages

    def next(self, found_few: bool) -> None:
        if found_few:  # old rows are sparse here: look further per batch (bounded)
            self.pages = min(self.pages * 2, MAX_WINDOW_PAGES)
        self.after, self.until = f"({self.until},0)", self.until + self.pages


@dataclass
class PurgeReport:
    cutoff: datetime.datetime
    dry_run: bool
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    # Old interactions kept because a handoff ticket on them is still open.
    kept_with_open_ticket: int = 0
    expired_idempotency_keys: int = 0
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


def _delete_one_batch(cutoff, window: _Window, batch_size) -> tuple[dict[str, int], int, str | None]:
    """Rows deleted per table by one batch, rows it took, and its last ctid (None: none in the window)."""
    params = {"cutoff": cutoff, "after": window.after, "until": f"({window.until},0)", "limit": batch_size}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{BATCH_LOCK_TIMEOUT}'")
        # Costed as a join of 5,000 rows, the delete would hash the whole interactions table (a sequential
        # scan per batch); 5,000 primary-key probes are far cheaper. Both settings end with the batch.
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        # Read first: inside an outer transaction (tests) the statistics also hold earlier batches.
        cursor.execute(_DELETED_SO_FAR_SQL)
        before = cursor.fetchone()
        cursor.execute(_BATCH_SQL, {**params, "open": list(OPEN_STATUSES)})
        _, taken, last = cursor.fetchone()
        cursor.execute(_DELETED_SO_FAR_SQL)
        after_batch = cursor.fetchone()
    removed = {table: now - then for table, now, then in zip(TABLES, after_batch, before, strict=True)}
    return removed, taken, last


def _count(sql: str, cutoff: datetime.datetime) -> tuple[int, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql, {"cutoff": cutoff, "open": list(OPEN_STATUSES)})
        return cursor.fetchone()


def purge_old_data(
    *, days: int = DEFAULT_RETENTION_DAYS, dry_run: bool = False, batch_size: int = DEFAULT_BATCH_SIZE
) -> PurgeReport:
    """Delete interactions created more than `days` days ago, with their children, batch by batch.

    Interactions with an open handoff ticket are kept and counted in `kept_with_open_ticket`.
    Each batch commits on its own: an interruption leaves a consistent database (whole
    interactions gone or kept) and a re-run carries on where it stopped.
    """
    _validate(days, batch_size)
    report = PurgeReport(cutoff=timezone.now() - datetime.timedelta(days=days), dry_run=dry_run)
    if dry_run:
        report.removed = dict(zip(TABLES, _count(_COUNT_SQL, report.cutoff), strict=True))
    else:
        with connection.cursor() as cursor:
            cursor.execute(_TABLE_SHAPE_SQL)
            pages, rows_per_page = cursor.fetchone()
        window = _Window(pages=max(1, min(MAX_WINDOW_PAGES, math.ceil(batch_size / max(rows_per_page, 1)))))
        while _page(window.after) < pages:
            started = time.monotonic()
            try:
                removed, taken, last = _delete_one_batch(report.cutoff, window, batch_size)
            except OperationalError as exc:
                if not isinstance(exc.__cause__, psycopg.errors.LockNotAvailable):
                    raise  # a lost connection is not a lock conflict
                raise Conflict(
                    f"Batch {report.batches + 1} could not lock its rows within {BATCH_LOCK_TIMEOUT} "
                    f"({exc.__class__.__name__}). Batches already done stay deleted; run the purge again later."
                ) from exc
            report.longest_batch_seconds = max(report.longest_batch_seconds, time.monotonic() - started)
            if taken >= batch_size:
                window.after = last  # the window may hold more: go on after this batch's last row
            else:
                window.next(found_few=taken < batch_size // 2)
            if removed["interactions"]:
                report.batches += 1
            for table, count in removed.items():
                report.removed[table] += count
    (report.kept_with_open_ticket,) = _count(_KEPT_SQL, report.cutoff)
    # Stored API responses (Idempotency-Key) quote customers and are useless after 24 h: same clean-up.
    expired = idempotency.expired_keys()
    report.expired_idempotency_keys = expired.count() if dry_run else idempotency.purge_expired_keys()
    return report
