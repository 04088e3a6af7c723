"""The export ledger in the default database: one ExportRecord per input lead, one ExportRun per run.

Records are written with COPY after Berinia committed the batch they describe (the two databases cannot
commit together); if the process dies in between, the re-run converges through matching. LedgerWriter does
that in a worker thread, one batch behind the Berinia writer, on the calling thread's own `default`
connection (shared with the worker, never used by both at once), so a run's ledger stays in the caller's
transaction (tests, or a caller's atomic block).
"""

from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connections
from django.utils import timezone

from ..models import ExportRecord, ExportRun, ExportStatus, Outcome
from .batches import Batch

RECORD_COLUMNS = (
    "run_id",
    "position",
    "infra_id",
    "berinia_lead_id",
    "outcome",
    "reason",
    "email",
    "phone",
    "campaign_id",
    "berinia_status",
)
COUNTED = ("received", "inserted", "updated", "unchanged", "merged", "rejected")


def batch_records(batch: Batch, results: dict, failures: dict):
    """(position, infra_id, lead_id, outcome, reason, email, phone, campaign_id) for every lead of the batch."""
    for member in batch.members:
        seq = batch.groups[member.group].position
        if seq in failures:
            yield member.position, member.infra_id, None, Outcome.REJECTED, failures[seq], "", "", None
            continue
        lead_id, outcome = results[seq]
        if member.merged:
            outcome = Outcome.MERGED
        yield (
            member.position,
            member.infra_id,
            lead_id,
            outcome,
            member.warning,
            member.email,
            member.phone or "",
            member.campaign_id,
        )
    for position, infra_id, reason in batch.rejections:
        yield position, infra_id, None, Outcome.REJECTED, reason, "", "", None


def write_records(run: ExportRun, records: list[tuple], connection=None) -> None:
    table = ExportRecord._meta.db_table
    with (connection or connections["default"]).cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(RECORD_COLUMNS)}) FROM STDIN") as copy:
            for position, infra_id, lead_id, outcome, reason, email, phone, campaign_id in records:
                copy.write_row((run.pk, position, infra_id, lead_id, outcome, reason, email, phone, campaign_id, ""))


def add_counts(run: ExportRun, counts: dict[str, int], connection=None) -> None:
    """Add a batch's counts to the run's, in SQL (the ORM would pick the calling thread's own connection)."""
    assignments = ", ".join(f"{name} = {name} + %s" for name in COUNTED)
    with (connection or connections["default"]).cursor() as cursor:
        cursor.execute(
            f"UPDATE {ExportRun._meta.db_table} SET {assignments} WHERE id = %s",
            [*(counts.get(name, 0) for name in COUNTED), run.pk],
        )


class LedgerWriter:
    """Writes each batch's records and counts in a worker thread while the next batch goes to Berinia.

    At most one batch is in flight: `submit` waits for the previous one first, so records keep their order
    and a ledger error surfaces at the next batch at the latest. `close()` waits for the last one; call it
    before `finish_run`, also when the run failed (the batch Berinia committed must still be recorded).
    """

    def __init__(self, run: ExportRun, *, dry_run: bool):
        self.run = run
        self.dry_run = dry_run
        self.connection = connections["default"]
        self.connection.inc_thread_sharing()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="berinia-export-ledger")
        self._pending: Future | None = None
        self._closed = False

    def submit(self, records: list[tuple], counts: dict[str, int]) -> None:
        self._wait()
        self._pending = self._pool.submit(self._write, records, counts)

    def _write(self, records: list[tuple], counts: dict[str, int]) -> None:
        if not self.dry_run:
            write_records(self.run, records, self.connection)
        add_counts(self.run, counts, self.connection)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self, *, failing: bool = False) -> None:
        """Wait for the last batch; when the run is already `failing`, its own error wins over the ledger's."""
        if self._closed:
            return
        self._closed = True
        try:
            if failing and self._pending is not None:
                self._pending.exception()  # waits, never raises
            else:
                self._wait()
        finally:
            self._pool.shutdown(wait=True)
            self.connection.dec_thread_sharing()


def finish_run(run: ExportRun, *, error: str = "") -> None:
    run.status = ExportStatus.FAILED if error else ExportStatus.FINISHED
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
