"""Rejection reports (CSV or JSON) written while an export runs, and the command line's progress display."""

import csv
import json
import sys
import time


class RejectionReport:
    """Streams every rejected lead to PATH as CSV (position, id, reason) or, for *.json, a JSON array."""

    def __init__(self, path: str):
        self.path = path
        self.as_json = path.endswith(".json")
        self.file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed by close()
        self.count = 0
        if self.as_json:
            self.file.write("[")
        else:
            self.writer = csv.writer(self.file)
            self.writer.writerow(["position", "id", "reason"])

    def __call__(self, position: int, infra_id: str, reason: str) -> None:
        if self.as_json:
            entry = json.dumps({"position": position, "id": infra_id, "reason": reason}, ensure_ascii=False)
            self.file.write(("," if self.count else "") + "\n  " + entry)
        else:
            self.writer.writerow([position, infra_id, reason])
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
