"""A real streaming replica of the test cluster, wired in as the `replica` alias with the replica router.

`replica_server` (once for the package) takes the base backup after the test databases exist, starts the
replica and adds the alias the way REPLICA_DATABASE_URL would (tests/replica/test_settings.py checks that
block itself); it is higher-scoped than pytest-django's per-test database fixtures, so the alias exists
before they look for it. `replica` (per test) hands over a running replica that has replayed everything.
"""

import contextlib
import os

import pytest
from django.db import DatabaseError, connections
from django.test import override_settings

from core.replica import REPLICA_ALIAS, forget_replica_health
from tests.replica.standby import Standby, StandbyUnavailable

# Never sent (the test replica trusts local connections); present so that tests can prove it stays out of logs.
REPLICA_PASSWORD = "replica-secret-Zq81"


def _alias_settings(standby: Standby) -> dict:
    primary = connections["default"].settings_dict
    return {
        "ENGINE": primary["ENGINE"],
        "NAME": primary["NAME"],  # the test database: the replica has it since the base backup
        "USER": "postgres",
        "PASSWORD": REPLICA_PASSWORD,
        "HOST": "127.0.0.1",
        "PORT": str(standby.port),
        "OPTIONS": {"connect_timeout": 2},
        "CONN_MAX_AGE": primary["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }


@pytest.fixture(scope="package")
def replica_server(django_db_setup):
    standby = Standby(
        connections["default"].settings_dict, slot=f"callbot_test_replica{os.environ.get('TEST_DB_SUFFIX', '')}"
    )
    try:
        standby.create()
    except StandbyUnavailable as reason:
        standby.remove()
        print(f"no streaming replica here: {reason}")
        pytest.skip(f"no streaming replica here: {reason}")
    try:
        standby.start()
    except BaseException:
        print(standby.log()[-3000:])
        standby.remove()
        raise
    databases = {"default": connections.settings["default"], REPLICA_ALIAS: _alias_settings(standby)}
    connections.settings[REPLICA_ALIAS] = connections.configure_settings(databases)[REPLICA_ALIAS]
    routers = override_settings(DATABASE_ROUTERS=["core.routers.BeriniaRouter", "core.replica.ReplicaRouter"])
    routers.enable()
    try:
        yield standby
    finally:
        routers.disable()
        with contextlib.suppress(DatabaseError):
            connections[REPLICA_ALIAS].close()
        with contextlib.suppress(AttributeError):
            del connections[REPLICA_ALIAS]
        del connections.settings[REPLICA_ALIAS]
        forget_replica_health()
        standby.remove()


@pytest.fixture
def replica(replica_server, settings):
    # Tests pause replay to tell the two servers apart, which makes the replica lag for real: no lag check
    # unless a test asks for one.
    settings.REPLICA_MAX_LAG_SECONDS = 0
    if not replica_server.running():
        replica_server.start()
    replica_server.resume_replay()
    with contextlib.suppress(DatabaseError):
        connections[REPLICA_ALIAS].close()
    forget_replica_health()
    yield replica_server
    if replica_server.running():
        replica_server.resume_replay()
    forget_replica_health()
