"""The "Read replica" settings block, read by a fresh process: REPLICA_DATABASE_URL adds the alias and the router."""

import json

from tests.processes import run_manage

SHOW = (
    "import json; from django.conf import settings as s; r = s.DATABASES.get('replica');"
    "print(json.dumps({'routers': s.DATABASE_ROUTERS, 'aliases': sorted(s.DATABASES),"
    " 'replica': r and {k: v for k, v in r.items() if k != 'PASSWORD'},"
    " 'password_kept': bool(r and r['PASSWORD'] == 'rep-pw')}))"
)
ROUTERS = ["core.routers.BeriniaRouter"]


def settings_with(**env) -> dict:
    result = run_manage("shell", "-c", SHOW, env={"DJANGO_SETTINGS_MODULE": "callbot_site.settings.test", **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_replica_url_nothing_changes():
    shown = settings_with()

    assert shown["aliases"] == ["berinia", "default"]
    assert shown["routers"] == ROUTERS


def test_a_replica_url_adds_the_alias_with_a_short_connect_timeout_and_the_router():
    shown = settings_with(REPLICA_DATABASE_URL="postgres://reader:rep-pw@10.0.0.9:6432/callbot")

    assert shown["routers"] == [*ROUTERS, "core.replica.ReplicaRouter"]  # Berinia's models are claimed first
    replica = shown["replica"]
    assert (replica["HOST"], replica["PORT"], replica["NAME"], replica["USER"]) == (
        "10.0.0.9",
        6432,
        "callbot",
        "reader",
    )
    assert shown["password_kept"]
    assert replica["OPTIONS"]["connect_timeout"] == 2
    assert replica["CONN_HEALTH_CHECKS"] is True
    assert replica["TEST"]["MIRROR"] == "default"  # the ordinary suite reads its own test database there


def test_the_replica_takes_the_primarys_pool_with_a_short_wait():
    shown = settings_with(
        REPLICA_DATABASE_URL="postgres://reader:rep-pw@10.0.0.9:6432/callbot",
        REPLICA_CONNECT_TIMEOUT_SECONDS="3",
        DATABASE_POOL="true",
    )

    options = shown["replica"]["OPTIONS"]
    assert options["connect_timeout"] == 3
    assert options["pool"]["timeout"] == 3  # a replica that is down costs a request 3 s, not the pool's usual wait
