"""Connection paths: turns/ and claim next, direct (CONN_MAX_AGE), direct with psycopg's pool, through PgBouncer.

Turns: three gunicorns (bench settings, the same sync workers) run side by side, one per connection path, and
wrk drives each in turn inside every run, so machine noise hits the three alike; the figures are compared as
ratios to the default path (persistent connections, CONN_MAX_AGE=60). Claims: 8 agents in one process (a
thread and a Django connection each) claim from the same queued tickets, once per path and run, checked for
double claims. PgBouncer is Debian's 1.18 in transaction mode (scripts/pgbouncer.py) with one server
connection per gunicorn worker or agent, so it pools without queueing.
"""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import environ

from bench import claims, loadgen
from bench.report import Figure, ScenarioResult
from scripts import pgbouncer

NAME = "pooler"
ROOT = Path(__file__).resolve().parents[2]
DIRECT, POOL, BOUNCER = "CONN_MAX_AGE=60", "psycopg pool", "PgBouncer"
PATHS = (DIRECT, POOL, BOUNCER)


def _environments(ctx, bouncer) -> dict[str, dict[str, str]]:
    """The environment of each connection path (bench settings read it)."""
    through = {var: bouncer.url(url.rpartition("/")[2]) for var, url in ctx.dbs.urls.items()}  # same names
    return {
        DIRECT: {**ctx.dbs.urls, "CONN_MAX_AGE": "60", "DATABASE_POOL": "", "DATABASE_POOLER": ""},
        POOL: {**ctx.dbs.urls, "DATABASE_POOL": "true", "DATABASE_POOLER": "", "DATABASE_POOL_MAX_SIZE": "8"},
        BOUNCER: {**through, "CONN_MAX_AGE": "60", "DATABASE_POOL": "", "DATABASE_POOLER": "pgbouncer"},
    }


def run(ctx) -> ScenarioResult:
    if pgbouncer.binary() is None:
        return ScenarioResult(NAME, status="skipped", note=pgbouncer.INSTALL_HINT)
    upstream = environ.Env.db_url_config(ctx.dbs.callbot_url)
    bouncer = pgbouncer.start(
        # Inside the checkout, like the cluster: PgBouncer runs as the cluster's user, who cannot enter /tmp/bench-*.
        directory=ROOT / ".localdb" / f"pgbouncer-bench{os.environ.get('BENCH_DB_SUFFIX', '')}",
        upstream=(upstream["HOST"], int(upstream.get("PORT") or 5432)),
        pool_size=max(loadgen.worker_count(), ctx.sizes.agents),
    )
    try:
        envs = _environments(ctx, bouncer)
        figures = _turns(ctx, envs) + _claims(ctx, envs)
    finally:
        pgbouncer.stop(directory=bouncer.directory, quiet=True)
    return ScenarioResult(NAME, figures)


def _turns(ctx, envs) -> list[Figure]:
    from bench.scenarios import bot_turn

    rates = {
        path: Figure(f"turns/ {path}", "req/s", baseline=f"turns/ {DIRECT}" if path != DIRECT else None)
        for path in PATHS
    }
    p99s = {path: Figure(f"turns/ {path} p99", "ms") for path in PATHS}
    wrk = loadgen.find_wrk(may_install=not ctx.smoke)
    if wrk is None:
        for figure in (*rates.values(), *p99s.values()):
            figure.status, figure.note = "skipped", loadgen.INSTALL_HINT
        return [*rates.values(), *p99s.values()]
    token = bot_turn._token()
    bot_turn._customer()
    s = ctx.sizes
    load = {"body": bot_turn.TURN_BODY, "token": token, "workdir": ctx.workdir}
    with _servers(envs) as bases:
        for path in PATHS:
            url = bases[path] + bot_turn.TURNS_PATH
            bot_turn._probe(url, bot_turn.TURN_BODY, token)
            if not ctx.smoke:  # warm every worker's connection and caches before measuring
                loadgen.post_load(wrk, url, seconds=1, connections=8, **load)
        for _ in range(s.runs):
            for path in PATHS:  # alternated inside each run: noise hits every path alike
                url = bases[path] + bot_turn.TURNS_PATH
                result = loadgen.post_load(wrk, url, seconds=s.http_seconds, connections=s.http_connections, **load)
                if result.non_2xx or result.socket_errors:
                    raise RuntimeError(
                        f"{path}: {result.non_2xx} non-2xx answers, {result.socket_errors} socket errors"
                    )
                rates[path].values.append(result.requests_per_second)
                p99s[path].values.append(result.p99_ms)
    rates[DIRECT].note = f"{s.http_connections} connections, {s.http_seconds} s, {loadgen.worker_count()} sync workers"
    rates[BOUNCER].note = "transaction pooling, one server connection per worker"
    return [*rates.values(), *p99s.values()]


class _servers:
    """One gunicorn per connection path, all up at once (started one after the other: start-up is CPU-bound)."""

    def __init__(self, envs):
        self.envs = envs
        self.stack = []

    def __enter__(self):
        bases = {}
        try:
            for path, env in self.envs.items():
                server = loadgen.gunicorn_server(env)
                bases[path] = server.__enter__()
                self.stack.append(server)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return bases

    def __exit__(self, *exc):
        while self.stack:
            self.stack.pop().__exit__(None, None, None)


def _claims(ctx, envs) -> list[Figure]:
    s = ctx.sizes
    agents = claims.prepare(ctx)
    figures = {
        path: Figure(f"claims {path}", "claims/s", baseline=f"claims {DIRECT}" if path != DIRECT else None)
        for path in PATHS
    }
    doubles = 0
    for _ in range(s.runs):
        for path in PATHS:
            claims.reset(ctx)
            seconds, ids = _claim_in_subprocess(envs[path], [agent.pk for agent in agents], s.claims_per_agent)
            doubles += len(ids) - len(set(ids)) + claims.double_claims_in_db(ctx, len(ids))
            figures[path].values.append(len(ids) / seconds)
    figures[DIRECT].note = f"{s.agents} agents × {s.claims_per_agent} claims from {s.queued_tickets:,}"
    figures[BOUNCER].goal = "0 double claims"
    figures[BOUNCER].met = doubles == 0
    figures[BOUNCER].note = f"{doubles} double claims over every path and run"
    return list(figures.values())


def _claim_in_subprocess(env: dict, agent_ids: list[int], count: int) -> tuple[float, list]:
    """This module as a program, under the path's settings: (seconds, ticket ids claimed)."""
    command = [sys.executable, "-m", "bench.scenarios.pooler", str(count), *map(str, agent_ids)]
    full_env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    done = subprocess.run(command, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"claims failed: {done.stderr.strip()[-500:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["seconds"], result["ids"]


def _claim_in_threads(count: int, agent_ids: list[int]) -> dict:
    """One thread and one Django connection per agent, released together; each claims `count` tickets."""
    from django.contrib.auth import get_user_model
    from django.db import connections

    from handoff.services import claim_next_ticket

    agents = list(get_user_model().objects.filter(pk__in=agent_ids))
    connections.close_all()
    barrier = threading.Barrier(len(agents) + 1)
    claimed, errors = [], []

    def work(agent):
        try:
            connections["default"].ensure_connection()
            barrier.wait()
            for _ in range(count):
                ticket = claim_next_ticket(agent=agent)
                if ticket is None:
                    break
                claimed.append(str(ticket.pk))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if errors:
        raise errors[0]
    return {"seconds": seconds, "ids": claimed}


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(_claim_in_threads(int(sys.argv[1]), [int(arg) for arg in sys.argv[2:]])))
