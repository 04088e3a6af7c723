"""Per-lead export reports (CSV or JSON) written while an export runs, and the command line's progress display."""

import csv
import json
import os
import sys
import time

from core.errors import Conflict, InvalidInput

REPORT_EXTENSIONS = (".csv", ".json")
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """A text cell that a spreadsheet would take for a formula, prefixed with a single quote; others as they are."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value


def check_report_path(path: str, *, input_path: str | None = None, force: bool = False) -> None:
    """Refuse a report of an unknown kind, one that is the input file, and an existing one unless `force`."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in REPORT_EXTENSIONS:
        raise InvalidInput.for_field(
            "report", f"{path} has no report extension; allowed: {', '.join(REPORT_EXTENSIONS)}."
        )
    if input_path and input_path != "-" and _same_file(path, input_path):
        raise InvalidInput.for_field("report", f"{path} is the input file; give another report path.")
    if os.path.lexists(path) and not force:
        raise Conflict(f"The report {path} already exists; give --force to replace it.")


def _same_file(path: str, other: str) -> bool:
    """The same file by resolved path (symlinks followed) or, when both exist, by device and inode (hard links)."""
    if os.path.realpath(path) == os.path.realpath(other):
        return True
    try:
        return os.path.samefile(path, other)
    except OSError:  # one of them does not exist (yet)
        return False


REPORT_COLUMNS = ("position", "id", "outcome", "berinia_lead_id", "matched_on", "merged_into", "reason")


class LeadReport:
    """Streams what happened to every lead to PATH as CSV (REPORT_COLUMNS) or, for *.json, a JSON array.

    Called with each lead's LeadOutcome, in input order: inserted (Berinia lead id), updated / unchanged
    (matched on phone or email, Berinia lead id), merged (position of the earlier input lead it was merged
    into, Berinia lead id), rejected (reason). The path is checked first (see check_report_path). CSV cells
    are neutralised against formulas; JSON keeps the values as they are.
    """

    def __init__(self, path: str, *, input_path: str | None = None, force: bool = False):
        check_report_path(path, input_path=input_path, force=force)
        self.path = path
        self.as_json = path.lower().endswith(".json")
        # "x" creates the file or fails: nothing that appeared after the check is overwritten.
        self.file = open(path, "w" if force else "x", encoding="utf-8", newline="")  # noqa: SIM115 - closed by close()
        self.count = 0
        if self.as_json:
            self.file.write("[")
        else:
            self.writer = csv.writer(self.file)
            self.writer.writerow(REPORT_COLUMNS)

    def __call__(self, lead) -> None:
        values = (
            lead.position,
            lead.infra_id,
            str(lead.outcome),
            lead.berinia_lead_id,
            lead.matched_on,
            lead.merged_into,
            lead.reason,
        )
        if self.as_json:
            entry = json.dumps(dict(zip(REPORT_COLUMNS, values, strict=True)), ensure_ascii=False)
            self.file.write(("," if self.count else "") + "\n  " + entry)
        else:
            self.writer.writerow(["" if value is None else neutralised(value) for value in values])
        self.count += 1

    def close(self) -> None:
        if self.as_json:
            self.file.write("\n]\n" if self.count else "]\n")
        self.file.close()


class Progress:
    """A live status line on a terminal (the input is streamed, so its length is unknown); on a pipe or a log,
    a plain line at most every few seconds."""

    def __init__(self, stream=None, every_seconds: float = 5.0):
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every = every_seconds
        self.started = self.last = time.monotonic()
        self.ticks = 0

    def __call__(self, result) -> None:
        now = time.monotonic()
        rate = result.received / max(now - self.started, 1e-9)
        text = f"{result.received:,} leads read, {result.exported:,} exported, {result.rejected:,} rejected"
        text += f" ({rate:,.0f} leads/s)"
        if self.tty:
            spinner = "|/-\\"[self.ticks % 4]
            self.ticks += 1
            self.stream.write(f"\r{spinner} {text}\033[K")
            self.stream.flush()
        elif now - self.last >= self.every:
            self.stream.write(text + "\n")
            self.last = now

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")
