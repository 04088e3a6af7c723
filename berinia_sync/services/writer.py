"""Set-wise writes into Berinia's `leads`: COPY a batch's keys, match, UPDATE the matched, COPY the new.

Berinia has no unique constraint on leads and no index on `phone`, and its rows were written by several
tools in several formats. So, once per run, the normal forms (phone E.164, e-mail lower-cased) of every
existing lead go into a temporary, indexed `bsync_lead_index`; each batch then matches against it with
index look-ups, and adds the rows it writes so that later batches find them. New leads written by other
exporters meanwhile are caught up by id at the start of each batch.

Each batch is one transaction holding `pg_advisory_xact_lock(EXPORT_LOCK)`: two exports never match
and insert at the same time, so they cannot create the same lead twice. A database error inside a
batch is isolated by bisection with savepoints: the good rows are written, the bad ones reported.

Several input leads on one Berinia lead: the first input lead (file order) that reaches a Berinia lead in a
run owns it; every later one, in the same batch or any later one, is reported `merged` into it
(`bsync_written`: Berinia lead id → position of its first input lead, rebuilt from the ledger on resume).
A merged group's values are folded in as for duplicates inside a batch (given values win), except that the
e-mail and phone the run already wrote stay.
"""

from typing import NamedTuple

from django.db import DatabaseError, transaction

from core.routers import BERINIA_ALIAS

from ..normalize import sql_normal_email, sql_normal_phone
from .errors import BeriniaSchemaError, scrub
from .mapping import STAGE_FIELDS

EXPORT_LOCK = 4_242_015_001  # pg_advisory_xact_lock key shared by every berinia_sync export
STAGE_COLUMNS = ("seq", *(f'"{name}"' for name in STAGE_FIELDS))
# Errors that belong to some rows of a batch, not to the connection or to our SQL: SQLSTATE classes
# 22 (data exception), 23 (integrity constraint) and P0 (raised by a PL/pgSQL trigger of Berinia's).
ROW_ERROR_CLASSES = ("22", "23", "P0")


def is_row_error(error: DatabaseError) -> bool:
    sqlstate = getattr(error.__cause__, "sqlstate", None) or ""
    return sqlstate[:2] in ROW_ERROR_CLASSES


# Columns an update may change, in one order for SET and for the "did anything change" comparison.
UPDATED_COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "entreprise",
    "website",
    "source",
    '"position"',
    "industry",
    "linkedin_url",
    "notes",
    "score",
    "campagne_id",
    "niche_id",
    "score_details",
)

CREATE_TEMP_TABLES = """
DROP TABLE IF EXISTS bsync_keys, bsync_stage, bsync_lead_index, bsync_written;
CREATE TEMP TABLE bsync_keys (seq integer NOT NULL, phone text, email text);
CREATE TEMP TABLE bsync_stage (
    seq integer NOT NULL, first_name text, last_name text, has_contact boolean, email text, phone text,
    company text, website text, source text, "position" text, industry text, linkedin_url text, notes text,
    score integer, status text, campagne_id integer, niche_id integer, score_details jsonb,
    target_id integer NOT NULL, first_seq integer
);
CREATE TEMP TABLE bsync_lead_index (id integer NOT NULL, phone text, email text);
CREATE TEMP TABLE bsync_written (id integer PRIMARY KEY, seq integer NOT NULL);
"""
# Berinia-side normal forms; Python's are in berinia_sync.normalize (tests prove they agree).
INDEX_ROWS = f"""
SELECT l.id, {sql_normal_phone("l.phone")}, {sql_normal_email("l.email")}
  FROM leads l
 WHERE (l.phone IS NOT NULL OR l.email IS NOT NULL)
"""
BUILD_INDEX = f"""
INSERT INTO bsync_lead_index (id, phone, email) {INDEX_ROWS};
CREATE INDEX ON bsync_lead_index (phone);
CREATE INDEX ON bsync_lead_index (email);
ANALYZE bsync_lead_index;
"""
CATCH_UP = f"INSERT INTO bsync_lead_index (id, phone, email) {INDEX_ROWS} AND l.id > %s"

_LIVE = "(i.id < 0 OR EXISTS (SELECT 1 FROM leads l WHERE l.id = i.id))"  # negative ids: dry-run inserts
# Only the keys are staged for matching (bsync_keys: seq, phone, e-mail); the answer is the matched groups only.
# The first input lead of the run on a Berinia lead owns it: groups that land on a lead written by an earlier
# batch (bsync_written), or on the same lead as an earlier group of this batch, are merged into that first lead.
MATCH = f"""
WITH m AS MATERIALIZED (  -- each key's two look-ups run once (inlined, they ran once per use below)
    SELECT t.seq,
           (SELECT min(i.id) FROM bsync_lead_index i WHERE i.phone = t.phone AND {_LIVE}) AS by_phone,
           (SELECT min(i.id) FROM bsync_lead_index i WHERE i.email = t.email AND {_LIVE}) AS by_email
      FROM bsync_keys t
), matched AS (
    SELECT seq, COALESCE(by_phone, by_email) AS target_id,
           CASE WHEN by_phone IS NOT NULL THEN 'phone' ELSE 'email' END AS matched_on
      FROM m WHERE by_phone IS NOT NULL OR by_email IS NOT NULL
)
SELECT t.seq, t.target_id, t.matched_on,
       COALESCE(w.seq, NULLIF(min(t.seq) OVER (PARTITION BY t.target_id), t.seq)) AS first_seq
  FROM matched t LEFT JOIN bsync_written w ON w.id = t.target_id
"""
# What a matched lead becomes: given values win, except that an existing name is not replaced by a
# company-only lead's company, a lead is never moved to another campaign and its status is never touched.
NEXT_VALUES = """
WITH winners AS (
    SELECT DISTINCT ON (target_id) * FROM bsync_stage WHERE target_id IS NOT NULL ORDER BY target_id, seq DESC
), next AS (
    SELECT l.id,
           CASE WHEN w.has_contact OR (l.first_name IS NULL AND l.last_name IS NULL)
                THEN w.first_name ELSE l.first_name END AS first_name,
           CASE WHEN w.has_contact OR (l.first_name IS NULL AND l.last_name IS NULL)
                THEN w.last_name ELSE l.last_name END AS last_name,
           CASE WHEN w.first_seq IS NULL THEN COALESCE(w.email, l.email) ELSE COALESCE(l.email, w.email) END AS email,
           CASE WHEN w.first_seq IS NULL THEN COALESCE(w.phone, l.phone) ELSE COALESCE(l.phone, w.phone) END AS phone,
           COALESCE(w.company, l.company) AS company, COALESCE(w.company, l.entreprise) AS entreprise,
           COALESCE(w.website, l.website) AS website, COALESCE(w.source, l.source) AS source,
           COALESCE(w."position", l."position") AS "position", COALESCE(w.industry, l.industry) AS industry,
           COALESCE(w.linkedin_url, l.linkedin_url) AS linkedin_url, COALESCE(w.notes, l.notes) AS notes,
           COALESCE(w.score, l.score) AS score, COALESCE(l.campagne_id, w.campagne_id) AS campagne_id,
           COALESCE(w.niche_id, l.niche_id) AS niche_id,
           COALESCE(l.score_details, '{}'::jsonb) || w.score_details AS score_details
      FROM winners w JOIN leads l ON l.id = w.target_id
)
"""
_OLD = ", ".join(f"l.{column}" for column in UPDATED_COLUMNS)
_NEW = ", ".join(f"n.{column}" for column in UPDATED_COLUMNS)
UPDATE_MATCHED = f"""{NEXT_VALUES}
UPDATE leads l SET ({", ".join(UPDATED_COLUMNS)}, updated_at) = ({_NEW}, CURRENT_TIMESTAMP)
  FROM next n WHERE l.id = n.id AND ({_OLD}) IS DISTINCT FROM ({_NEW})
RETURNING l.id
"""
WOULD_UPDATE = f"""{NEXT_VALUES}
SELECT l.id FROM next n JOIN leads l ON l.id = n.id WHERE ({_OLD}) IS DISTINCT FROM ({_NEW})
"""
ALLOCATE_IDS = "SELECT nextval(%s::regclass) FROM generate_series(1, %s)"
# New leads are COPY-ed straight into `leads`: as Berinia writes them (entreprise = company, status 'new').
INSERTED_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "entreprise",
    "website",
    "source",
    '"position"',
    "industry",
    "linkedin_url",
    "notes",
    "score",
    "status",
    "campagne_id",
    "niche_id",
    "score_details",
)
COPY_NEW = f"COPY leads ({', '.join(INSERTED_COLUMNS)}) FROM STDIN"
COPY_MATCHED = f"COPY bsync_stage ({', '.join(STAGE_COLUMNS)}, target_id, first_seq) FROM STDIN"
# Later batches find what this one wrote (bsync_lead_index) and who owns it (bsync_written: no conflict is
# possible, an owner is a new lead or a lead that MATCH found unowned, once per batch).
COPY_INDEX = "COPY bsync_lead_index (id, phone, email) FROM STDIN"
COPY_WRITTEN = "COPY bsync_written (id, seq) FROM STDIN"


def _lead_row(new_id: int, row: tuple) -> tuple:
    """A stage row (seq, *STAGE_FIELDS) as a `leads` row in INSERTED_COLUMNS order."""
    (_, first, last, _, email, phone, company, website, source, position, industry, linkedin, notes, score, status,
     campaign, niche, details) = row  # fmt: skip
    return (new_id, first, last, email, phone, company, company, website, source, position, industry, linkedin,
            notes, score, "new" if status is None else status, campaign, niche, details)  # fmt: skip


class BatchOutcome(NamedTuple):
    """What became of one staged group: its Berinia lead, outcome, how it matched, whom it was merged into."""

    lead_id: int
    outcome: str
    matched_on: str
    merged_into: int | None


class BatchWriter:
    """Writes batches of stage rows into Berinia on one connection; `prepare()` first, `close()` at the end."""

    def __init__(self, connection, *, dry_run: bool = False):
        self.connection = connection
        self.dry_run = dry_run
        self.high_water = 0  # every lead id <= this is in bsync_lead_index
        self.sequence = None

    def prepare(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence('leads', 'id')")
            self.sequence = cursor.fetchone()[0]
            if self.sequence is None:
                raise BeriniaSchemaError("Berinia's leads.id has no sequence; run `manage.py berinia_check`.")
            cursor.execute(CREATE_TEMP_TABLES)
            with transaction.atomic(using=BERINIA_ALIAS):
                self._lock(cursor)
                cursor.execute("SELECT COALESCE(max(id), 0) FROM leads")
                self.high_water = cursor.fetchone()[0]
                cursor.execute(BUILD_INDEX)

    def remember_written(self, pairs) -> None:
        """Resume: (Berinia lead id, position of its first input lead) of what earlier attempts of the run wrote."""
        with self.connection.cursor() as cursor:
            with cursor.cursor.copy("COPY bsync_written (id, seq) FROM STDIN") as copy:
                for pair in pairs:
                    copy.write_row(pair)

    def close(self) -> None:
        """Drop the temporary tables (the connection may be reused by a later run); ignore a dead connection."""
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS bsync_keys, bsync_stage, bsync_lead_index, bsync_written")
        except DatabaseError:
            pass

    def write(self, rows: list[tuple]) -> tuple[dict[int, BatchOutcome], dict[int, str]]:
        """Write one batch in one transaction: ({seq: BatchOutcome}, {seq: reason of a failed row})."""
        results: dict[int, BatchOutcome] = {}
        failures: dict[int, str] = {}
        with transaction.atomic(using=BERINIA_ALIAS), self.connection.cursor() as cursor:
            self._lock(cursor)
            cursor.execute(CATCH_UP, [self.high_water])
            if rows:
                self._write_isolating_errors(cursor, rows, results, failures)
        new_ids = [result.lead_id for result in results.values() if result.outcome == "inserted"]
        self.high_water = max([self.high_water, *new_ids])
        return results, failures

    def _lock(self, cursor) -> None:
        if not self.dry_run:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EXPORT_LOCK])

    def _write_isolating_errors(self, cursor, rows, results, failures) -> None:
        try:
            with transaction.atomic(using=BERINIA_ALIAS), self.connection.wrap_database_errors:
                results.update(self._merge(cursor, rows))
        except DatabaseError as error:
            if not is_row_error(error):
                raise
            if len(rows) == 1:
                failures[rows[0][0]] = f"database_error: {scrub(error)}"
                return
            middle = len(rows) // 2
            self._write_isolating_errors(cursor, rows[:middle], results, failures)
            self._write_isolating_errors(cursor, rows[middle:], results, failures)

    def _merge(self, cursor, rows) -> dict[int, BatchOutcome]:
        """Match on the keys alone, UPDATE the matched leads from a staging table, COPY the new ones into `leads`."""
        cursor.execute("TRUNCATE bsync_keys")
        with cursor.cursor.copy("COPY bsync_keys (seq, phone, email) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((row[0], row[5], row[4]))
        cursor.execute(MATCH)
        matched = {
            seq: (target_id, matched_on, first_seq) for seq, target_id, matched_on, first_seq in cursor.fetchall()
        }
        changed = self._update_matched(cursor, rows, matched) if matched else set()
        new_rows = [row for row in rows if row[0] not in matched]
        new_ids = self._insert_new(cursor, new_rows)
        results = {
            seq: BatchOutcome(target_id, "merged" if first_seq else "updated" if target_id in changed else "unchanged",
                              matched_on, first_seq)
            for seq, (target_id, matched_on, first_seq) in matched.items()
        }  # fmt: skip
        for row, new_id in zip(new_rows, new_ids, strict=True):
            results[row[0]] = BatchOutcome(new_id, "inserted", "", None)
        with cursor.cursor.copy(COPY_INDEX) as copy:
            for row in rows:
                copy.write_row((results[row[0]].lead_id, row[5], row[4]))
        with cursor.cursor.copy(COPY_WRITTEN) as copy:
            for row in rows:
                outcome = results[row[0]]
                if outcome.merged_into is None:
                    copy.write_row((outcome.lead_id, row[0]))
        return results

    def _update_matched(self, cursor, rows, matched) -> set[int]:
        """Stage the matched groups whole and fold them into their leads; the ids of the leads that changed."""
        cursor.execute("TRUNCATE bsync_stage")
        with cursor.cursor.copy(COPY_MATCHED) as copy:
            for row in rows:
                found = matched.get(row[0])
                if found is not None:
                    copy.write_row((*row, found[0], found[2]))
        cursor.execute(WOULD_UPDATE if self.dry_run else UPDATE_MATCHED)
        return {row[0] for row in cursor.fetchall()}

    def _insert_new(self, cursor, new_rows) -> list[int]:
        """Ids of the new leads, COPY-ed into `leads` (a dry run allocates -seq and writes nothing)."""
        if self.dry_run:
            return [-row[0] for row in new_rows]
        if not new_rows:
            return []
        cursor.execute(ALLOCATE_IDS, [self.sequence, len(new_rows)])
        new_ids = [new_id for (new_id,) in cursor.fetchall()]
        with cursor.cursor.copy(COPY_NEW) as copy:
            for new_id, row in zip(new_ids, new_rows, strict=True):
                copy.write_row(_lead_row(new_id, row))
        return new_ids
