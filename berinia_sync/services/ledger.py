"""The export ledger in the default database: one ExportRecord per input lead, one ExportRun per run.

Records are written with COPY right after Berinia committed the batch they describe (the two databases
cannot commit together); if the process dies in between, the re-run converges through matching.
"""

from django.db import connections
from django.db.models import F
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


def write_records(run: ExportRun, records: list[tuple]) -> None:
    table = ExportRecord._meta.db_table
    with connections["default"].cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(RECORD_COLUMNS)}) FROM STDIN") as copy:
            for position, infra_id, lead_id, outcome, reason, email, phone, campaign_id in records:
                copy.write_row((run.pk, position, infra_id, lead_id, outcome, reason, email, phone, campaign_id, ""))


def add_counts(run: ExportRun, counts: dict[str, int]) -> None:
    ExportRun.objects.filter(pk=run.pk).update(**{name: F(name) + counts.get(name, 0) for name in COUNTED})


def finish_run(run: ExportRun, *, error: str = "") -> None:
    run.status = ExportStatus.FAILED if error else ExportStatus.FINISHED
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
