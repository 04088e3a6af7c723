"""Lead export: export_leads of 100,000 infra-ia leads into a Berinia `leads` table holding 100,000.

Baselines in the same run: (a) a raw COPY of the same rows, already in Berinia's form, into the
same table; (b) the old connector's per-lead approach on a 2,000-lead sample (a new connection,
a look-up by phone, a look-up by e-mail, an insert or update, a commit — per lead). Every run
starts from the same Berinia table and an empty export ledger, and its outcome is checked.

The database part is the export's writer (BatchWriter.prepare + write: index of existing leads, staging,
matching, writes, commits) on batches built beforehand, as the raw COPY's rows are built before its clock
starts. Inside a real run the producer thread validates and maps the next batches beside the writer, in the
same interpreter: that figure ("in the pipeline") is reported too.
"""

import shutil
import time

from django.db import connection

from bench import datagen, features, leadgen, stopwatch
from bench.report import NOT_BUILT, Figure, ScenarioResult
from bench.runner import timed
from bench.scenarios import lead_export_dlt as dlt_peer

NAME = "lead export"
END_TO_END = "export_leads, end to end"
DATABASE_PART = "export_leads, database part"
IN_PIPELINE = "export_leads, database part in the pipeline"
COPY = "raw COPY"
OLD = "old connector"
VS_DLT = "export_leads vs dlt, end to end"
DLT = {file_format: f"dlt merge on e-mail, {file_format}" for file_format in dlt_peer.FORMATS}
LEDGER_MODELS = ("ExportRecord", "ExportRun")
# The export's Berinia-side work (index of existing leads, per-batch staging + match + write + commit).
WRITER_METHODS = ("prepare", "write")


def run(ctx) -> ScenarioResult:
    s = ctx.sizes
    campaign_id = _campaign_id(ctx)
    path = leadgen.write_jsonl(ctx.workdir / "leads.jsonl", s.leads, campaign_id)
    niche_ids = _niche_ids(ctx)
    rows = [leadgen.berinia_row(lead, niche_ids) for lead in leadgen.read_jsonl(path)]
    ctx.log(f"{s.leads:,} leads written to a JSON Lines file")
    export_leads = features.attribute("berinia_sync.services", "export_leads")
    writer = features.attribute("berinia_sync.services.writer", "BatchWriter")
    writer_methods = [name for name in WRITER_METHODS if writer is not None and name in vars(writer)]

    end_to_end = Figure(END_TO_END, "leads/s", baseline=OLD, goal="≥ 10,000/s and ≥ 100× old connector")
    database = Figure(DATABASE_PART, "rows/s", baseline=COPY, goal="≥ 0.5× raw COPY")
    in_pipeline = Figure(IN_PIPELINE, "rows/s", baseline=COPY, goal="reported")
    copy = Figure(COPY, "rows/s")
    old = Figure(OLD, "leads/s", note=f"{s.old_connector_leads:,}-lead sample")
    peers = {fmt: Figure(label, "leads/s", note="peer baseline, e-mail matches only") for fmt, label in DLT.items()}
    vs_dlt = Figure(VS_DLT, "leads/s", goal="≥ 2× dlt (the faster format)")
    if export_leads is None:
        end_to_end.status = database.status = in_pipeline.status = vs_dlt.status = NOT_BUILT
    if not dlt_peer.available():
        for figure in (*peers.values(), vs_dlt):
            figure.status = dlt_peer.NOT_INSTALLED
    for _ in range(s.runs):
        if export_leads is not None:
            _reset(ctx, campaign_id)
            with stopwatch.timing(writer, *writer_methods) as in_database:
                seconds, _result = timed(lambda: export_leads(leadgen.read_jsonl(path), campaign_id=campaign_id))
            _check_outcome(ctx, s.leads)
            end_to_end.values.append(s.leads / seconds)
            if writer_methods:
                in_pipeline.values.append(s.leads / in_database.seconds)
                _reset(ctx, campaign_id)
                database.values.append(s.leads / _writer_alone(campaign_id, path))
                _check_outcome(ctx, s.leads)
        _reset(ctx, campaign_id)
        seconds, _ = timed(lambda: _copy(ctx, rows))
        copy.values.append(len(rows) / seconds)
        _reset(ctx, campaign_id)
        sample = rows[: s.old_connector_leads]
        seconds, _ = timed(lambda: _old_connector(ctx, sample))  # noqa: B023 - called at once
        old.values.append(len(sample) / seconds)
        if dlt_peer.available():
            for file_format, figure in peers.items():
                figure.values.append(s.leads / _dlt_merge(ctx, campaign_id, path, file_format, niche_ids))
    if database.status == "ok" and not database.values:
        for figure in (database, in_pipeline):
            figure.status, figure.note = "skipped", "no BatchWriter.prepare/write to time in berinia_sync"
    database.note = database.note or "BatchWriter.prepare + write on batches built beforehand, as COPY's rows"
    in_pipeline.note = in_pipeline.note or "the same, in export_leads, beside the producer thread"
    result = ScenarioResult(NAME, [end_to_end, database, in_pipeline, copy, old, vs_dlt, *peers.values()])
    if end_to_end.values:
        end_to_end.met = end_to_end.median >= 10_000 and result.ratio(end_to_end) >= 100
    if end_to_end.values and vs_dlt.status == "ok":
        vs_dlt.values = list(end_to_end.values)
        vs_dlt.baseline = max(peers.values(), key=lambda figure: figure.median).label
        vs_dlt.met = result.ratio(vs_dlt) >= 2
    if database.values:
        database.met = result.ratio(database) >= 0.5
    return result


def _writer_alone(campaign_id: int, path) -> float:
    """Seconds inside BatchWriter.prepare + write for the whole file, its batches built beforehand (untimed)."""
    from django.db import connections

    from berinia_sync.services.batches import build_batches
    from berinia_sync.services.context import load_context
    from berinia_sync.services.export import DEFAULT_BATCH_SIZE
    from berinia_sync.services.writer import BatchWriter
    from core.routers import BERINIA_ALIAS

    context = load_context(run_campaign_id=campaign_id)
    batches = list(build_batches(leadgen.read_jsonl(path), context, DEFAULT_BATCH_SIZE))
    writer = BatchWriter(connections[BERINIA_ALIAS])
    try:
        start = time.perf_counter()
        writer.prepare()
        for batch in batches:
            writer.write(batch.rows)
        return time.perf_counter() - start
    finally:
        writer.close()


def _niche_ids(ctx) -> dict[str, int]:
    with ctx.dbs.berinia() as conn:
        return dict(conn.execute("SELECT name, min(id) FROM niches GROUP BY name").fetchall())


def _campaign_id(ctx) -> int:
    with ctx.dbs.berinia() as conn:
        return conn.execute("SELECT min(id) FROM campaigns").fetchone()[0]


def _reset(ctx, campaign_id: int) -> None:
    """Berinia back to its 100,000 existing leads; our export ledger emptied."""
    with ctx.dbs.berinia(autocommit=True) as conn:
        datagen.existing_leads(conn, ctx.sizes.existing_leads, campaign_id)
    tables = []
    for name in LEDGER_MODELS:
        model = features.attribute("berinia_sync.models", name)
        if model is not None:
            tables.append(model._meta.db_table)
    if tables:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def _check_outcome(ctx, count: int) -> None:
    expected = ctx.sizes.existing_leads + leadgen.new_lead_count(count)
    with ctx.dbs.berinia() as conn:
        actual = conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    if actual != expected:
        raise RuntimeError(f"export_leads left {actual:,} leads in Berinia, expected {expected:,}")


def _copy(ctx, rows) -> None:
    with ctx.dbs.berinia() as conn:
        with conn.cursor().copy(f"COPY leads ({', '.join(leadgen.COPY_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()


def _dlt_merge(ctx, campaign_id: int, path, file_format: str, niche_ids: dict[str, int]) -> float:
    """Seconds of one dlt run into the restored table; Berinia is checked and cleaned up afterwards."""
    _reset(ctx, campaign_id)
    pipelines_dir = ctx.workdir / "dlt"
    shutil.rmtree(pipelines_dir, ignore_errors=True)  # dlt's local state must match the cleaned-up Berinia
    with ctx.dbs.berinia(autocommit=True) as conn:
        dlt_peer.prepare(conn)
    try:
        seconds, _ = timed(lambda: dlt_peer.merge(ctx.dbs.berinia_url, path, file_format, pipelines_dir, niche_ids))
        with ctx.dbs.berinia() as conn:
            actual = conn.execute("SELECT count(*) FROM leads").fetchone()[0]
        expected = dlt_peer.expected_leads(ctx.sizes.existing_leads, ctx.sizes.leads)
        if actual != expected:
            raise RuntimeError(f"dlt ({file_format}) left {actual:,} leads in Berinia, expected {expected:,}")
    finally:
        with ctx.dbs.berinia(autocommit=True) as conn:
            dlt_peer.clean_up(conn)
    return seconds


def _old_connector(ctx, rows) -> None:
    """The replaced connector: per lead a connection, two look-ups, an insert or update, a commit."""
    columns = ", ".join(leadgen.COPY_COLUMNS)
    placeholders = ", ".join(["%s"] * len(leadgen.COPY_COLUMNS))
    for row in rows:
        first, last, email, phone = row[:4]
        with ctx.dbs.berinia() as conn:
            found = conn.execute("SELECT id FROM leads WHERE phone = %s", (phone,)).fetchone()
            if found is None:
                found = conn.execute("SELECT id FROM leads WHERE email = %s", (email,)).fetchone()
            if found is None:
                conn.execute(f"INSERT INTO leads ({columns}) VALUES ({placeholders})", row)
            else:
                conn.execute(
                    "UPDATE leads SET first_name = %s, last_name = %s, updated_at = now() WHERE id = %s",
                    (first, last, found[0]),
                )
            conn.commit()
