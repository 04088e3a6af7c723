"""The read replica: heavy reads (dashboard, metrics API, reports) go to the `replica` alias, nothing else.

`reads_from_replica()` marks a block (context manager) or a function (decorator) whose ORM reads may be
served by the replica; `ReplicaRouter` sends them there. Everything outside such a block — the console,
the API's writes and their read-backs, and any read inside a transaction on the primary — stays on
`default`, so an agent always reads what they just wrote.

The replica is checked once per block, at its first routed read: a connection failure or a lag beyond
REPLICA_MAX_LAG_SECONDS marks it down for REPLICA_RETRY_SECONDS in this process (one warning), and the
block reads from the primary. The decorator also re-runs its function on the primary when the replica
fails mid-call. Without a `replica` alias (REPLICA_DATABASE_URL unset) nothing here changes any route.
"""

import contextlib
import functools
import logging
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

REPLICA_ALIAS = "replica"

logger = logging.getLogger(__name__)

# Seconds the replica is behind the primary; 0 when it has replayed all it received. A replica that
# lost its primary also reads 0 (it cannot know what it missed): its connection check still applies.
_LAG_SQL = """
SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8
"""


@dataclass
class _Scope:
    """One `reads_from_replica` block: the alias it reads from, decided at its first routed read."""

    alias: str | None = None
    decided: bool = False

    def read_alias(self) -> str | None:
        if not self.decided:
            self.alias = REPLICA_ALIAS if _replica_usable() else None
            self.decided = True
        return self.alias


_scope: ContextVar[_Scope | None] = ContextVar("callbot_replica_scope", default=None)


class _Health:
    """What this process knows of the replica; shared by its threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        self.down_since: float | None = None  # time.monotonic() of the last failed check
        self.lag_checked_at = float("-inf")


_health = _Health()


def forget_replica_health() -> None:
    """Drop what this process remembers (a failure, the last lag check): the next block checks again."""
    with _health.lock:
        _health.forget()


def replica_configured() -> bool:
    return REPLICA_ALIAS in connections.settings


def _mark_down(reason: str) -> None:
    with _health.lock:
        first = _health.down_since is None
        _health.down_since = time.monotonic()
    if first:  # one warning per outage, not one per request
        replica = connections.settings[REPLICA_ALIAS]
        logger.warning(
            "read replica %s:%s unusable (%s); heavy reads go to the primary, next try in %s s",
            replica.get("HOST") or "local socket",
            replica.get("PORT") or "default port",
            reason,
            settings.REPLICA_RETRY_SECONDS,
        )


def _describe(error: DatabaseError) -> str:
    """The error's class and first line, without the password should a driver ever echo it."""
    first_line = (str(error).strip().splitlines() or [""])[0]
    password = connections.settings[REPLICA_ALIAS].get("PASSWORD")
    if password:
        first_line = first_line.replace(password, "***")
    return f"{type(error).__name__}: {first_line}"[:300]


def _replica_usable() -> bool:
    """Connected (a short connect_timeout) and not lagging; remembered for REPLICA_RETRY_SECONDS when not."""
    now = time.monotonic()
    with _health.lock:
        if _health.down_since is not None and now < _health.down_since + settings.REPLICA_RETRY_SECONDS:
            return False
        check_lag = settings.REPLICA_MAX_LAG_SECONDS > 0 and (
            now - _health.lag_checked_at >= settings.REPLICA_LAG_CHECK_SECONDS
        )
    replica = connections[REPLICA_ALIAS]
    try:
        # A reused connection must answer first (a SELECT 1, as CONN_HEALTH_CHECKS does, but whatever the
        # request cycle): a replica stopped or restarted since the last use is found here, not mid-page.
        if replica.connection is not None and not replica.is_usable():
            replica.close()
        replica.ensure_connection()
        if check_lag:
            with replica.cursor() as cursor:
                cursor.execute(_LAG_SQL)
                lag = cursor.fetchone()[0]
            if lag > settings.REPLICA_MAX_LAG_SECONDS:
                _mark_down(f"{lag:.0f} s behind the primary, over REPLICA_MAX_LAG_SECONDS")
                return False
    except DatabaseError as error:
        _close_replica()
        _mark_down(_describe(error))
        return False
    with _health.lock:
        if check_lag:
            _health.lag_checked_at = now
        recovered, _health.down_since = _health.down_since is not None, None
    if recovered:
        logger.info("read replica usable again; heavy reads go to it")
    return True


class reads_from_replica(contextlib.ContextDecorator):  # noqa: N801 - used like a function
    """Reads in this block (or function) may come from the replica; nested blocks share the outer one.

    As a decorator it also re-runs the function on the primary when the replica fails during the call:
    use it on read-only functions only (views' GET handlers, report builders).
    """

    def __enter__(self):
        self._token = _scope.set(_Scope()) if _scope.get() is None else None
        return self

    def __exit__(self, *exc):
        if self._token is not None:
            _scope.reset(self._token)
        return False

    def _recreate_cm(self):
        return type(self)()  # one instance per call: safe across threads and recursion

    def __call__(self, func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            with self._recreate_cm():
                try:
                    return func(*args, **kwargs)
                except (OperationalError, InterfaceError) as error:
                    scope = _scope.get()
                    if scope is None or scope.alias != REPLICA_ALIAS:
                        raise
                    if not _cancelled_by_replay(error):
                        if _replica_answers():
                            raise  # not the replica's failure
                        _close_replica()
                        _mark_down(_describe(error))
                    scope.alias = None  # an enclosing block, if any, reads from the primary from now on
            return func(*args, **kwargs)  # outside the block: every read on the primary

        return inner


def _cancelled_by_replay(error: DatabaseError) -> bool:
    """A read cancelled by the standby to apply the primary's changes (a hot-standby conflict, SQLSTATE 40001).

    The replica is fine; the read was too long for max_standby_streaming_delay. The primary answers it.
    """
    return getattr(error.__cause__, "sqlstate", None) == "40001"


def _close_replica() -> None:
    """Drop a broken connection: the next check, after REPLICA_RETRY_SECONDS, starts from a new one."""
    with contextlib.suppress(DatabaseError):
        connections[REPLICA_ALIAS].close()


def _replica_answers() -> bool:
    replica = connections[REPLICA_ALIAS]
    try:
        return replica.connection is not None and replica.is_usable()
    except DatabaseError:
        return False


def _reading_from_replica() -> bool:
    scope = _scope.get()
    if scope is None or not replica_configured():
        return False
    # A read inside a transaction on the primary must see that transaction's writes.
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return False
    return scope.read_alias() == REPLICA_ALIAS


class ReplicaRouter:
    """Reads inside `reads_from_replica` go to the replica; writes of what was read there go to the primary.

    Listed after BeriniaRouter, which claims Berinia's models first.
    """

    def db_for_read(self, model, **hints):
        return REPLICA_ALIAS if _reading_from_replica() else None

    def db_for_write(self, model, **hints):
        instance = hints.get("instance")
        if instance is not None and instance._state.db == REPLICA_ALIAS:
            return DEFAULT_DB_ALIAS  # the replica is read-only: save what was read there on the primary
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read there may point at one read on the primary.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA_ALIAS}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA_ALIAS else None
