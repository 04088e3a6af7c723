"""export_leads: infra-ia leads → Berinia's `leads`, validated, deduplicated, batched, with a ledger.

Three threads in a pipeline, each at most two batches ahead of the next, so memory stays flat however long
the input is:
- a producer reads, validates and maps the input and builds the staging rows (pure Python, except that a
  queued run's stored input is read there, on that thread's own connection);
- a Berinia writer writes each batch to Berinia, on the calling thread's Berinia connection (lent to it for
  the run: Django lets one thread at a time use a connection), and commits it;
- the calling thread writes each committed batch's ledger to `default` (ledger.record_batch), so the ledger
  stays in the caller's transaction, while the writer goes on with the next batch.

queue_export / run_queued_export: the API stores a large input with a `queued` run; the job (tasks.py) runs
it and, when re-run after a crash, resumes after the positions the ledger holds.
"""

import gc
import queue
import sys
import threading
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, connections, transaction

from core.errors import InvalidInput
from core.routers import BERINIA_ALIAS

from ..models import BeriniaCampaign, ExportRun, ExportStatus, Outcome
from . import ledger, liveness
from .batches import Batch, build_batches
from .connection import berinia_errors
from .context import load_context
from .errors import BeriniaSchemaError, BeriniaUnavailable, RunTakenOver, UnknownCampaign, scrub
from .inputs import read_inputs, store_inputs
from .schema_check import check_berinia_schema
from .writer import BatchWriter

DEFAULT_BATCH_SIZE = 5000
MAX_BATCH_SIZE = 50_000
MAX_CAMPAIGN_ID = 2_147_483_647


@dataclass
class ExportResult:
    run_id: int
    dry_run: bool
    received: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    rejected: int = 0

    @property
    def exported(self) -> int:
        """Leads now in Berinia (or that would be, in a dry run)."""
        return self.inserted + self.updated + self.unchanged + self.merged

    @property
    def complete(self) -> bool:
        return self.rejected == 0


def _check_arguments(batch_size: int, campaign_id: int | None) -> None:
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise InvalidInput.for_field("batch_size", f"{batch_size} is not allowed; allowed: 1 to {MAX_BATCH_SIZE}.")
    if campaign_id is not None and not 1 <= campaign_id <= MAX_CAMPAIGN_ID:
        # Berinia's ids are int4 serials: anything else cannot exist (and would not fit our ledger either).
        raise UnknownCampaign.for_field("campaign_id", f"Campaign {campaign_id} does not exist in Berinia.")


def export_leads(
    leads: Iterable,
    campaign_id: int | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
    started_by: str = "",
    origin: str = "python",
    source_name: str = "",
    on_rejected: Callable[[int, str, str], None] | None = None,
    on_lead: Callable[[ledger.LeadOutcome], None] | None = None,
    on_progress: Callable[[ExportResult], None] | None = None,
) -> ExportResult:
    """Export infra-ia lead dicts into Berinia and return the counts.

    leads: any iterable of dicts in infra-ia's format (consumed once, in a worker thread, streamed).
    campaign_id: Berinia campaign for every lead of the run (else each lead's own `campaign_id`); an unknown
        one fails the run up front with UnknownCampaign (an InvalidInput).
    batch_size: input leads per Berinia transaction (1..50,000).
    dry_run: validate and match, write nothing to Berinia and no ExportRecord (the ExportRun is kept).
    started_by / origin / source_name: written on the ExportRun (who, "command"/"api"/"python", file name).
    on_rejected(position, infra_id, reason): called for each rejected lead.
    on_lead(LeadOutcome): called for every lead, in input order, once its batch is recorded (the report).
    on_progress(result): called after each batch with the running counts.

    Raises BeriniaUnavailable (connection), BeriniaSchemaError, UnknownCampaign; the ExportRun is then
    marked failed. Idempotent: running the same input again inserts nothing (matching by phone, then e-mail).
    """
    _check_arguments(batch_size, campaign_id)
    run = ExportRun.objects.create(
        started_by=started_by[:150],
        origin=origin,
        source_name=source_name[:255],
        campaign_id=campaign_id,
        dry_run=dry_run,
        batch_size=batch_size,
        status=ExportStatus.RUNNING,
        **liveness.holder_fields(),
    )
    return _export(run, leads, on_rejected=on_rejected, on_lead=on_lead, on_progress=on_progress)


@transaction.atomic
def queue_export(
    leads: Iterable,
    campaign_id: int | None = None,
    *,
    defer: Callable[[int], int],
    batch_size: int = DEFAULT_BATCH_SIZE,
    started_by: str = "",
    source_name: str = "",
) -> ExportRun:
    """Store the leads under a new `queued` run and defer its job with `defer(run_id) -> job id`.

    One transaction: the run, its input and its job commit together or not at all (procrastinate's queue is
    in this database). An unknown campaign is refused here (UnknownCampaign); Berinia down is BeriniaUnavailable.
    """
    _check_arguments(batch_size, campaign_id)
    if campaign_id is not None:
        with berinia_errors():
            if not BeriniaCampaign.objects.filter(pk=campaign_id).exists():
                raise UnknownCampaign.for_field("campaign_id", f"Campaign {campaign_id} does not exist in Berinia.")
    run = ExportRun.objects.create(
        started_by=started_by[:150],
        origin="api",
        source_name=source_name[:255],
        campaign_id=campaign_id,
        batch_size=batch_size,
        status=ExportStatus.QUEUED,
    )
    run.total = store_inputs(run, leads)
    if not run.total:
        raise InvalidInput.for_field("leads", "No lead found in the input.")
    run.job_id = defer(run.pk)
    run.save(update_fields=["total", "job_id"])
    return run


def run_queued_export(run_id: int, *, final_attempt: bool = True) -> ExportResult | None:
    """Run (or resume) a queued run from its stored input; None when it is finished already.

    Resuming: the positions the ledger holds are done (and counted again from the ledger); the export goes on
    after them, and what earlier attempts wrote still owns its Berinia lead (cross-batch merge rule). When
    Berinia is unreachable and attempts are left (`final_attempt` False), the run goes back to `queued` with
    the error and BeriniaUnavailable is raised for the job to retry; otherwise the run is marked failed.
    """
    run = liveness.take_run(run_id)
    if run is None:
        return None
    done = ledger.recount(run)
    return _export(
        run,
        read_inputs(run, after=done),
        first_position=done + 1,
        written=ledger.first_writers(run),
        retryable=not final_attempt,
    )


def _export(
    run: ExportRun,
    leads: Iterable,
    *,
    first_position: int = 1,
    written: Iterable | None = None,
    retryable: bool = False,
    on_rejected=None,
    on_lead=None,
    on_progress=None,
) -> ExportResult:
    """Write `leads` (positions from `first_position`) under `run`, which this process holds; end the run."""
    result = ExportResult(run_id=run.pk, dry_run=run.dry_run, **{name: getattr(run, name) for name in ledger.COUNTED})
    writer = None
    try:
        try:
            connection = connections[BERINIA_ALIAS]
            connection.ensure_connection()
            problems = check_berinia_schema()
            if problems:
                raise BeriniaSchemaError("Berinia's schema is not as expected: " + "; ".join(problems) + ".")
            context = load_context(run_campaign_id=run.campaign_id)
            writer = BatchWriter(connection, dry_run=run.dry_run)
            writer.prepare()
            if written is not None:
                writer.remember_written(written)
            ledger.add_counts(run, {})  # heartbeat: matching is ready, batches follow
            batches = _ahead(build_batches(leads, context, run.batch_size, first_position), "berinia-export-producer")
            with _tuned_for_bulk, closing(_written(writer, batches)) as committed:
                for batch, results, failures in committed:  # `closing`: the writer's connection is back at once
                    counts = _record_batch(run, batch, results, failures, on_rejected, on_lead)
                    for name, value in counts.items():
                        setattr(result, name, getattr(result, name) + value)
                    if on_progress:
                        on_progress(result)
        except (OperationalError, InterfaceError) as error:
            raise BeriniaUnavailable(f"Berinia database unreachable: {scrub(error)}") from None
        finally:
            if writer is not None:
                writer.close()
    except RunTakenOver:
        raise  # the run belongs to another process now: leave it alone
    except BaseException as error:
        # Each batch Berinia committed was recorded right after its commit (unless that write is what failed).
        message = getattr(error, "message", None) or scrub(error) or type(error).__name__
        if retryable and isinstance(error, BeriniaUnavailable):
            ledger.release_run(run, error=f"{message} (the job retries)")
        else:
            ledger.finish_run(run, error=message)
        raise
    ledger.finish_run(run)
    return result


def _record_batch(run: ExportRun, batch: Batch, results, failures, on_rejected, on_lead) -> Counter:
    """Record a batch Berinia committed (its ledger, then the callbacks) and return its counts."""
    records = list(ledger.batch_records(batch, results, failures))
    counts = Counter(str(record.outcome) for record in records)
    counts["received"] = batch.received
    ledger.record_batch(run, records, counts, dry_run=run.dry_run)
    for record in records:
        if on_lead:
            on_lead(record)
        if on_rejected and record.outcome == Outcome.REJECTED:
            on_rejected(record.position, record.infra_id, record.reason)
    return counts


_DONE = object()
# Two interpreter settings, for the run only (they are the process's: restored afterwards), each measured on a
# 100,000-lead export (docs/benchmarks.md, "Round three"):
# - thread slices of 0.2 ms instead of 5: the writer and ledger threads wait for PostgreSQL a few hundred times
#   per run, and after each wait get the interpreter back only when the producer's slice ends (~15% faster);
# - a young collection every 20,000 new container objects instead of 700: an export allocates about ten per
#   lead (the parsed lead, its mapped values, its batch member…), most kept until their batch is written, and
#   makes no reference cycle (~10% faster).
EXPORT_SWITCH_INTERVAL = 0.0002
EXPORT_GC_THRESHOLD = 20_000


class _BulkTuning:
    """Short thread slices and rarer young collections while at least one export of this process runs."""

    def __init__(self):
        self._lock = threading.Lock()
        self._runs = 0
        self._saved = None

    def __enter__(self):
        with self._lock:
            if self._runs == 0:
                self._saved = sys.getswitchinterval(), gc.get_threshold()
                first, *older = self._saved[1]
                sys.setswitchinterval(min(self._saved[0], EXPORT_SWITCH_INTERVAL))
                gc.set_threshold(max(first, EXPORT_GC_THRESHOLD), *older)
            self._runs += 1

    def __exit__(self, *exc_info):
        with self._lock:
            self._runs -= 1
            if self._runs == 0:
                interval, threshold = self._saved
                sys.setswitchinterval(interval)
                gc.set_threshold(*threshold)


_tuned_for_bulk = _BulkTuning()


class _Handoff:
    """A bounded queue from a worker thread to the thread that reads it; `stop` ends the worker's hand-overs."""

    def __init__(self, depth: int = 2):
        self.items: queue.Queue = queue.Queue(maxsize=depth)
        self.stop = threading.Event()

    def put(self, item) -> bool:
        """Hand `item` over; False once the reader stopped (the worker then ends)."""
        while not self.stop.is_set():
            try:
                self.items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator:
        """The items, until the worker is done; the worker's error is re-raised here."""
        while True:
            item = self.items.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item


def _ahead(items: Iterator, name: str) -> Generator:
    """Run `items` in a worker thread, two items ahead; re-raise its error here; stop it if we stop."""
    handoff = _Handoff()

    def produce():
        try:
            for item in items:
                if not handoff.put(item):
                    return
            handoff.put(_DONE)
        except BaseException as error:  # handed to the reader, which re-raises it
            handoff.put(error)
        finally:
            connections.close_all()  # this thread's own, if it read a queued run's stored input

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        yield from handoff
    finally:
        handoff.stop.set()
        worker.join(timeout=5)  # it may be blocked reading its input (standard input): it ends with the process


def _written(writer: BatchWriter, batches: Generator[Batch]) -> Iterator[tuple[Batch, dict, dict]]:
    """(batch, results, failures) of each batch, written and committed by a worker thread, two batches ahead.

    The worker uses the writer's connection (this thread's Berinia connection), lent for the iteration: this
    thread leaves it alone until the worker is done with it. On the way out, a write in progress is waited
    for (it ends with its commit or rollback) and no other starts.
    """
    handoff = _Handoff()
    using = threading.Lock()  # held by the worker while it uses the connection
    lent = writer.connection

    def write():
        connections[lent.alias] = lent  # atomic(using=…) in the writer finds the lent connection
        try:
            for batch in batches:
                with using:
                    if handoff.stop.is_set():
                        return
                    results, failures = writer.write(batch.rows)
                if not handoff.put((batch, results, failures)):
                    return
            handoff.put(_DONE)
        except BaseException as error:  # handed to the reader, which re-raises it
            handoff.put(error)
        finally:
            batches.close()  # stops the producer
            del connections[lent.alias]  # only forget it: the lending thread keeps and closes it

    lent.inc_thread_sharing()
    worker = threading.Thread(target=write, name="berinia-export-writer", daemon=True)
    worker.start()
    try:
        yield from handoff
    finally:
        handoff.stop.set()
        with using:  # the write in progress, if any, is over; none starts after this
            lent.dec_thread_sharing()
        worker.join(timeout=5)
