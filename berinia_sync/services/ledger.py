"""The export ledger in the default database: one ExportRecord per input lead, one ExportRun per run.

Records are written with COPY after Berinia committed the batch they describe (the two databases cannot
commit together); if the process dies in between, the re-run converges through matching. `record_batch`
runs on the calling thread right after each commit, through that thread's own `default` connection: a run's
ledger thus stays in the caller's transaction (tests, or a caller's atomic block) and no connection is
shared between threads.

Every write to a run goes through its `lease` (the token of the process holding it, services/liveness.py):
a process whose run was taken over (swept as dead, then resumed elsewhere) writes nothing more to it.
"""

from collections.abc import Iterator
from typing import NamedTuple

from django.db import connections, transaction
from django.utils import timezone

from ..models import ExportRecord, ExportRun, ExportStatus, Outcome
from ..signals import export_finished
from .batches import Batch
from .errors import RunTakenOver

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
    "matched_on",
    "merged_into",
)
COUNTED = ("received", "inserted", "updated", "unchanged", "merged", "rejected")


class LeadOutcome(NamedTuple):
    """What happened to one input lead (one ExportRecord, and one line of the command's report)."""

    position: int
    infra_id: str
    berinia_lead_id: int | None
    outcome: str
    reason: str
    email: str
    phone: str
    campaign_id: int | None
    matched_on: str = ""
    merged_into: int | None = None


def batch_records(batch: Batch, results: dict, failures: dict) -> Iterator[LeadOutcome]:
    """One LeadOutcome for every lead of the batch, in input order."""
    records = []
    for member in batch.members:
        seq = batch.groups[member.group].position
        if seq in failures:
            records.append(
                LeadOutcome(member.position, member.infra_id, None, Outcome.REJECTED, failures[seq], "", "", None)
            )
            continue
        written = results[seq]
        outcome, matched_on, merged_into = written.outcome, written.matched_on, written.merged_into
        if member.merged and merged_into is None:
            outcome, merged_into = Outcome.MERGED, seq  # a duplicate inside the batch: into its group's first lead
        if outcome not in (Outcome.UPDATED, Outcome.UNCHANGED):
            matched_on = ""
        records.append(
            LeadOutcome(
                member.position,
                member.infra_id,
                written.lead_id,
                outcome,
                member.warning,
                member.email,
                member.phone or "",
                member.campaign_id,
                matched_on,
                merged_into,
            )
        )
    for position, infra_id, reason in batch.rejections:
        records.append(LeadOutcome(position, infra_id, None, Outcome.REJECTED, reason, "", "", None))
    records.sort(key=lambda record: record.position)
    return iter(records)


def write_records(run: ExportRun, records: list[LeadOutcome], connection=None) -> None:
    table = ExportRecord._meta.db_table
    with (connection or connections["default"]).cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(RECORD_COLUMNS)}) FROM STDIN") as copy:
            for r in records:
                copy.write_row(
                    (
                        run.pk,
                        r.position,
                        r.infra_id,
                        r.berinia_lead_id,
                        r.outcome,
                        r.reason,
                        r.email,
                        r.phone,
                        r.campaign_id,
                        "",
                        r.matched_on,
                        r.merged_into,
                    )
                )


def add_counts(run: ExportRun, counts: dict[str, int], connection=None) -> None:
    """Add a batch's counts to the run's and beat its heart, in one UPDATE that also checks the lease."""
    assignments = ", ".join(f"{name} = {name} + %s" for name in COUNTED)
    with (connection or connections["default"]).cursor() as cursor:
        cursor.execute(
            f"UPDATE {ExportRun._meta.db_table} SET {assignments}, heartbeat_at = now() WHERE id = %s AND lease = %s",
            [*(counts.get(name, 0) for name in COUNTED), run.pk, run.lease],
        )
        if cursor.rowcount != 1:
            raise RunTakenOver(f"Export run #{run.pk} was taken over by another process; this one stops.")


def record_batch(run: ExportRun, records: list[LeadOutcome], counts: dict[str, int], *, dry_run: bool) -> None:
    """Write a batch Berinia has committed: its counts (first: locks the run row, checks the lease) and its
    records (none in a dry run), in one transaction, so the ledger and the counts never disagree."""
    with transaction.atomic():
        add_counts(run, counts)
        if not dry_run:
            write_records(run, records)


def recount(run: ExportRun) -> int:
    """Set the run's counts from its records (a resumed run goes on from there); returns the last position done.

    Batches cover consecutive positions and a batch's records commit at once, so every position up to the
    largest recorded one is done.
    """
    outcomes = ", ".join(f"count(*) FILTER (WHERE outcome = '{name}')" for name in COUNTED[1:])
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), {outcomes}, COALESCE(max(position), 0) FROM {ExportRecord._meta.db_table} "
            "WHERE run_id = %s",
            [run.pk],
        )
        *counts, last = cursor.fetchone()
    for name, value in zip(COUNTED, counts, strict=True):
        setattr(run, name, value)
    run.save(update_fields=list(COUNTED))
    return last


def first_writers(run: ExportRun) -> Iterator[tuple[int, int]]:
    """(Berinia lead id, position of the first input lead on it) for what the run wrote so far."""
    return (
        ExportRecord.objects.filter(run=run, merged_into__isnull=True, berinia_lead_id__isnull=False)
        .exclude(outcome=Outcome.REJECTED)
        .order_by("position")
        .values_list("berinia_lead_id", "position")
        .iterator(chunk_size=10_000)
    )


def _notify(run_id: int) -> None:
    transaction.on_commit(lambda: export_finished.send(sender=ExportRun, run=ExportRun.objects.get(pk=run_id)))


def finish_run(run: ExportRun, *, error: str = "") -> None:
    """End the run (finished, or failed with its error) if this process still holds it; signal after commit."""
    status = ExportStatus.FAILED if error else ExportStatus.FINISHED
    with transaction.atomic():
        ended = ExportRun.objects.filter(pk=run.pk, lease=run.lease).update(
            status=status, error=error, finished_at=timezone.now(), heartbeat_at=timezone.now()
        )
        if ended:
            run.status, run.error = status, error
            if status == ExportStatus.FINISHED:
                run.inputs.all().delete()  # the ledger says what happened to each lead; the input is done with
            _notify(run.pk)


def release_run(run: ExportRun, *, error: str) -> None:
    """Back to `queued` with the attempt's error: its job will try again (no signal: the run has not ended)."""
    ExportRun.objects.filter(pk=run.pk, lease=run.lease).update(
        status=ExportStatus.QUEUED, error=error, lease="", pid=None
    )
