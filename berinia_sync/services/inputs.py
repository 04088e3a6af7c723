"""The stored input of a queued export run (ExportInput): written by the API request, read by the job.

Why rows of our own database rather than files: the web process and the worker may run on different
hosts; the run and its input commit in one transaction (no run without input, no orphan file); the
input is backed up, restored and deleted (cascade) with the run. Leads are stored in chunks of consecutive
positions as JSON Lines, so a resumed job reads from the first position not done, chunk by chunk.
"""

import json
from collections.abc import Iterable, Iterator

from django.db import connections

from ..models import ExportInput, ExportRun
from .mapping import Rejected

CHUNK_LEADS = 1000
CHUNKS_PER_COPY = 10
_REJECTED = "!"  # json.dumps never starts a line with it


def _line(item) -> str:
    if isinstance(item, Rejected):
        return _REJECTED + item.reason.replace("\n", " ")
    return json.dumps(item)  # ASCII-only: NUL and lone surrogates travel as escapes, storable in text


def store_inputs(run: ExportRun, leads: Iterable) -> int:
    """COPY the leads (dicts, or Rejected for unreadable lines) under the run; returns how many.

    One COPY per CHUNKS_PER_COPY chunks: each statement stays short (web requests have a statement timeout).
    """
    total, chunks = 0, []
    chunk: list[str] = []
    for item in leads:
        chunk.append(_line(item))
        total += 1
        if len(chunk) == CHUNK_LEADS:
            chunks.append((run.pk, total - len(chunk) + 1, len(chunk), "\n".join(chunk)))
            chunk = []
            if len(chunks) == CHUNKS_PER_COPY:
                _copy(chunks)
                chunks = []
    if chunk:
        chunks.append((run.pk, total - len(chunk) + 1, len(chunk), "\n".join(chunk)))
    _copy(chunks)
    return total


def _copy(chunks: list[tuple]) -> None:
    if not chunks:
        return
    table = ExportInput._meta.db_table
    with connections["default"].cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} (run_id, first_position, count, lines) FROM STDIN") as copy:
            for row in chunks:
                copy.write_row(row)


def read_inputs(run: ExportRun, *, after: int = 0) -> Iterator:
    """The run's leads at positions after `after`, in order (dicts, or Rejected), a few chunks per query."""
    last = 0
    while True:
        chunks = list(
            ExportInput.objects.filter(run=run, first_position__gt=last)
            .order_by("first_position")
            .values_list("first_position", "count", "lines")[:5]
        )
        if not chunks:
            return
        for first, count, lines in chunks:
            last = first
            if first + count - 1 <= after:
                continue
            for position, line in enumerate(lines.split("\n"), start=first):
                if position <= after:
                    continue
                yield _rejected(line[1:]) if line.startswith(_REJECTED) else json.loads(line)


def _rejected(reason: str) -> Rejected:
    code, _, message = reason.partition(": ")
    return Rejected(code, message) if message else Rejected("invalid_input", reason)
