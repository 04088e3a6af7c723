"""Peer baseline of the lead export: dlt (https://dlthub.com) merging the same file into the same `leads`.

What a data engineer would pick: a dlt pipeline reads the same JSON Lines file, gives each lead in Berinia's
column form (as bench.leadgen.berinia_row: e-mail lower-cased, phone E.164, names split) and merges it into
Berinia's `leads` on e-mail (write_disposition="merge", primary key email: dlt's delete-insert through a
staging dataset). It matches on e-mail only, validates nothing and keeps no ledger: it does far less than
export_leads. Two loader formats: "csv" (COPY) and dlt's default (INSERT VALUES).

A bench-only dependency (the `bench` extra, installed by `make bench`): without it the figures read
"not installed" and the run goes on. Helper of the lead export scenario, not a scenario of its own.
"""

from pathlib import Path
from urllib.parse import quote

from bench import leadgen
from bench.databases import conninfo

FORMATS = ("csv", "default")
NOT_INSTALLED = "not installed (make bench installs it)"
# dlt adds its own two columns as NOT NULL, which a filled table refuses: they exist, nullable, during a run.
ADD_COLUMNS = "ALTER TABLE leads ADD COLUMN IF NOT EXISTS _dlt_load_id text, ADD COLUMN IF NOT EXISTS _dlt_id text"
CLEAN_UP = """
DROP SCHEMA IF EXISTS public_staging CASCADE;
DROP TABLE IF EXISTS _dlt_loads, _dlt_version, _dlt_pipeline_state;
ALTER TABLE leads DROP COLUMN IF EXISTS _dlt_load_id, DROP COLUMN IF EXISTS _dlt_id;
"""
DETAILS = ("address", "city", "postal_code", "country", "classification")


def available() -> bool:
    try:
        import dlt  # noqa: F401
    except ImportError:
        return False
    return True


def prepare(conn) -> None:
    """Before a run (untimed): dlt's columns on `leads`, nullable."""
    conn.execute(ADD_COLUMNS)


def clean_up(conn) -> None:
    """After a run: Berinia as it was (no dlt tables, staging schema or columns)."""
    conn.execute(CLEAN_UP)


def merge(berinia_url: str, path: Path, file_format: str, pipelines_dir: Path, niche_ids: dict[str, int]) -> None:
    """One dlt pipeline run, file → `leads`, merged on e-mail; a fresh pipeline state each time."""
    import dlt

    pipeline = dlt.pipeline(
        pipeline_name=f"bench_leads_{file_format}",
        destination=dlt.destinations.postgres(credentials=_credentials(berinia_url)),
        dataset_name="public",
        pipelines_dir=str(pipelines_dir),
    )
    pipeline.run(
        _leads(path, niche_ids),
        table_name="leads",
        write_disposition="merge",
        primary_key="email",
        columns={"score_details": {"data_type": "json"}},
        loader_file_format=None if file_format == "default" else file_format,
    )


def _leads(path: Path, niche_ids: dict[str, int]):
    for lead in leadgen.read_jsonl(path):
        row = dict(zip(leadgen.COPY_COLUMNS, leadgen.berinia_row(lead, niche_ids), strict=True))
        row["score_details"] = {key: lead[key] for key in DETAILS}  # a JSON object, not berinia_row's text
        yield row


def _credentials(url: str) -> str:
    """A psycopg2 URL for dlt; a unix-socket host goes in the query (dlt needs some password: trust ignores it)."""
    info = conninfo(url)
    user, password = quote(info.get("user", "postgres")), quote(info.get("password") or "unused")
    host, port, database = info.get("host", "localhost"), info.get("port"), quote(info["dbname"])
    if host.startswith("/"):
        query = f"?host={quote(host)}" + (f"&port={port}" if port else "")
        return f"postgresql://{user}:{password}@localhost/{database}{query}"
    return f"postgresql://{user}:{password}@{host}:{port or 5432}/{database}"


def expected_leads(existing: int, count: int) -> int:
    """Leads in Berinia after dlt's merge: only the e-mail matches (half of the 20% that match) find a lead."""
    return existing + count - len(range(5, count, 10))
