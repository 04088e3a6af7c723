"""Watch the longest open transaction in the bench database while a job runs.

A purge that deletes in batches holds its locks for one batch's transaction; polling
pg_stat_activity from another connection measures that from the outside, whatever the job's code.
"""

import threading

POLL_SECONDS = 0.02
LONGEST = """SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0)
               FROM pg_stat_activity
              WHERE datname = current_database() AND backend_type = 'client backend'
                AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"""


class TransactionMonitor:
    """Context manager; `.longest_seconds` is the age of the oldest transaction seen (±20 ms)."""

    def __init__(self, connect):
        self._connect = connect
        self._stop = threading.Event()
        self.longest_seconds = 0.0

    def _watch(self, conn) -> None:
        while not self._stop.is_set():
            self.longest_seconds = max(self.longest_seconds, float(conn.execute(LONGEST).fetchone()[0]))
            self._stop.wait(POLL_SECONDS)

    def __enter__(self):
        self._conn = self._connect(autocommit=True)
        self._thread = threading.Thread(target=self._watch, args=(self._conn,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._conn.close()
        return False
