"""The export ledger in the default database: one ExportRecord per input lead, one ExportRun per run.

Records are written with COPY after Berinia committed the batch they describe (the two databases cannot
commit together); if the process dies in between, the re-run converges through matching. `record_batch`
runs on the calling thread right after each commit, through that thread's own `default` connection: a run's
ledger thus stays in the caller's transaction (tests, or a caller's atomic block) and no connection is
shared between threads.
"""

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
    """Add a batch's counts to the run's in one UPDATE (`connection` defaults to this thread's `default`)."""
    assignments = ", ".join(f"{name} = {name} + %s" for name in COUNTED)
    with (connection or connections["default"]).cursor() as cursor:
        cursor.execute(
            f"UPDATE {ExportRun._meta.db_table} SET {assignments} WHERE id = %s",
            [*(counts.get(name, 0) for name in COUNTED), run.pk],
        )


def record_batch(run: ExportRun, records: list[tuple], counts: dict[str, int], *, dry_run: bool) -> None:
    """Write a batch Berinia has committed: its records (none in a dry run) and its counts, on this thread."""
    if not dry_run:
        write_records(run, records)
    add_counts(run, counts)


def finish_run(run: ExportRun, *, error: str = "") -> None:
    run.status = ExportStatus.FAILED if error else ExportStatus.FINISHED
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
