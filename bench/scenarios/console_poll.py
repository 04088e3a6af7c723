"""Console poll: the live console's GET /admin/live/ at 10,000 and 1,000,000 tickets, then 200 consoles polling.

Server time is the wall time of a poll through Django's whole middleware stack (test Client, no network),
as for the queue page, with the ticket page's `?ticket=` part; the query count is taken on a separate poll.
The data is the queue page's (bench/datagen.py: 2% queued, the rest resolved) plus one audit row per ticket
(the version reads the newest ones) and one notification per ticket spread over 20 agents, 1% unread.

Under load, gunicorn (sync workers) serves 200 open consoles (bench/consoles.py: each polls as live.js does,
with the session cookie of one of 20 agents and the ETag of its last answer, then waits 3 s ±50%); then wrk
measures the capacity in a closed loop, with and without ETags (bench/poll.lua), against GET /healthz (one
`SELECT 1`) under the same load.
"""

import json
import os
import statistics
import subprocess
import urllib.request

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import datagen, features, people
from bench.consoles import poll_like_consoles
from bench.loadgen import INSTALL_HINT, LoadResult, find_wrk, gunicorn_server, worker_count
from bench.report import NOT_BUILT, Figure, ScenarioResult
from bench.runner import timed

NAME = "console poll"
GOAL_MS = 5
CONSOLES = 200
SMOKE_CONSOLES = 20
POLL_SECONDS = 3  # live.js polls a visible page every 3 s
AGENTS = 20
POLLS_PER_RUN = 100
LUA_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(__file__)), "poll.lua")
IN_PROCESS_BASELINE = "GET /healthz in-process"
CONSOLES_LABEL = "consoles polling"
CAPACITY_CONNECTIONS = 16  # the most the workers can answer; more connections only queue
CAPACITY_304, CAPACITY_200, BASELINE = "poll capacity, 304", "poll capacity, 200", "GET /healthz capacity"


def run(ctx) -> ScenarioResult:
    if not features.url_exists("/admin/live/"):
        return ScenarioResult(NAME, status=NOT_BUILT, note="no /admin/live/ poll endpoint")
    from console import live

    big = ctx.sizes.queue_page_tickets
    small = max(big // 100, 1_000)
    pollers, ticket_id = _prepare(ctx, small)
    url = f"{reverse('console_live')}?ticket={ticket_id}"
    client = people.console_client(pollers[0])
    figures, query_counts = [], {}
    for size in (small, big):
        if size != small:
            _grow(ctx, size - small, pollers)
        query_counts[size] = _query_count(client, url)
        etag = client.get(url)["ETag"]
        _median_ms(lambda: client.get(url), 200)  # warm-up, not counted (the first size used to read a cold process)
        baseline = Figure(f"{IN_PROCESS_BASELINE} at {size:,}", "ms", note="same session: middleware, login, SELECT 1")
        statement = Figure(f"poll statement at {size:,}", "ms", goal="reported", note="console.live.live_state alone")
        polls = [
            Figure(f"poll at {size:,} tickets", "ms", baseline=baseline.label, goal=f"< {GOAL_MS} ms"),
            Figure(f"poll 304 at {size:,}", "ms", baseline=baseline.label, goal=f"< {GOAL_MS} ms"),
        ]
        for _ in range(ctx.sizes.runs):
            polls[0].values.append(_median_ms(lambda: client.get(url), 200))
            polls[1].values.append(_median_ms(lambda etag=etag: client.get(url, headers={"If-None-Match": etag}), 304))
            baseline.values.append(_median_ms(lambda: client.get("/healthz"), 200))
            statement.values.append(_median_ms(lambda: live.live_state(user=pollers[0], ticket_id=ticket_id)))
        for figure in polls:
            figure.met = figure.median < GOAL_MS
            figure.note = f"{query_counts[size]} queries; median of {POLLS_PER_RUN} polls per run"
        figures += [*polls, baseline, statement]
    counts = Figure("queries per poll", "queries", values=[float(n) for n in query_counts.values()])
    counts.goal = "same at both sizes"
    counts.met = len(set(query_counts.values())) == 1
    counts.note = ", ".join(f"{n} at {size:,}" for size, n in query_counts.items())
    return ScenarioResult(NAME, [*figures, counts, *_under_load(ctx, pollers, url)], details={"queries": query_counts})


# -- data --------------------------------------------------------------------------------------------


def _prepare(ctx, tickets: int):
    holder = people.agents(1)[0]
    pollers = [_agent(f"bench-console-{i}") for i in range(AGENTS)]
    queues = people.queues()
    with ctx.dbs.callbot(autocommit=True) as conn:
        datagen.truncate_callbot(conn)
        datagen.interactions(conn, max(ctx.sizes.queue_page_tickets // 10, 100), days_min=0, days_max=30)
        datagen.queue_tickets(conn, tickets, queued_share=0.02, holder_id=holder.pk, queues=queues)
        _events_and_notifications(conn, [p.pk for p in pollers])
        # Each polling agent holds three tickets, as on a working day.
        conn.execute(
            """UPDATE handoff_tickets t SET status = 'assigned', assigned_agent_id = pick.agent, assigned_at = now()
                 FROM (SELECT ticket_id, (%(agents)s::int[])[1 + (row_number() OVER () - 1) / 3] AS agent
                         FROM handoff_tickets WHERE status = 'queued' LIMIT %(n)s) pick
                WHERE t.ticket_id = pick.ticket_id""",
            {"agents": [p.pk for p in pollers], "n": 3 * len(pollers)},
        )
        ticket_id = conn.execute(
            "SELECT ticket_id FROM handoff_tickets WHERE assigned_agent_id = %s LIMIT 1", [pollers[0].pk]
        ).fetchone()[0]
        conn.execute("VACUUM ANALYZE interactions, handoff_tickets, handoff_ticket_events, agent_notifications")
        conn.execute("CHECKPOINT")  # the data written, not flushed while the polls are timed
    ctx.log(f"{tickets:,} tickets")
    return pollers, ticket_id


def _grow(ctx, more: int, pollers) -> None:
    holder = people.agents(1)[0]
    with ctx.dbs.callbot(autocommit=True) as conn:
        datagen.queue_tickets(conn, more, queued_share=0.02, holder_id=holder.pk, queues=people.QUEUES)
        _events_and_notifications(conn, [p.pk for p in pollers])
        conn.execute("VACUUM ANALYZE handoff_tickets, handoff_ticket_events, agent_notifications")
        conn.execute("CHECKPOINT")
    ctx.log(f"+{more:,} tickets")


def _events_and_notifications(conn, agent_ids: list[int]) -> None:
    """A 'created' audit row per ticket that has none, and a notification per such ticket (1% unread)."""
    conn.execute("DROP TABLE IF EXISTS bench_new_tickets")
    conn.execute(
        "CREATE TEMP TABLE bench_new_tickets AS SELECT t.ticket_id, t.created_at, row_number() OVER () AS rn"
        " FROM handoff_tickets t"
        " WHERE NOT EXISTS (SELECT 1 FROM handoff_ticket_events e WHERE e.ticket_id = t.ticket_id)"
    )
    datagen.insert_select(
        conn,
        "handoff_ticket_events",
        {
            "ticket_id": "n.ticket_id",
            "action": "'created'",
            "from_status": "''",
            "to_status": "'queued'",
            "from_agent": "''",
            "to_agent": "''",
            "note": "''",
            "created_at": "n.created_at",
        },
        "FROM bench_new_tickets n ORDER BY n.created_at",
    )
    datagen.insert_select(
        conn,
        "agent_notifications",
        {
            "notification_id": "gen_random_uuid()",
            "ticket_id": "n.ticket_id",
            "agent_id": "(%(agents)s::int[])[1 + mod(n.rn, %(na)s)]",
            "notification_type": "CASE WHEN mod(n.rn, 3) = 0 THEN 'urgent' ELSE 'new_ticket' END",
            "message": "'new ticket in claims'",
            "is_read": "mod(n.rn, 100) <> 0",
            "created_at": "n.created_at",
            "read_at": "CASE WHEN mod(n.rn, 100) <> 0 THEN n.created_at END",
        },
        "FROM bench_new_tickets n",
        {"agents": agent_ids, "na": len(agent_ids)},
    )


def _agent(username: str):
    """A polling agent: an agent like people.agents(), with the default capacity."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.roles import AGENTS_GROUP

    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=AGENTS_GROUP))
    return user


# -- in-process timing -------------------------------------------------------------------------------


def _median_ms(call, expected_status: int | None = None) -> float:
    times = []
    for _ in range(POLLS_PER_RUN):
        seconds, response = timed(call)
        if expected_status is not None and response.status_code != expected_status:
            raise RuntimeError(f"answered {response.status_code}, expected {expected_status}")
        times.append(seconds * 1000)
    return statistics.median(times)


def _query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"poll answered {response.status_code}")
    return len(queries)


# -- under load ----------------------------------------------------------------------------------------


def _under_load(ctx, pollers, url: str) -> list[Figure]:
    wrk = find_wrk(may_install=not ctx.smoke)
    if wrk is None:
        return [Figure(CONSOLES_LABEL, "req/s", status="skipped", note=INSTALL_HINT)]
    sessions = [_session(agent, url) for agent in pollers]
    with_etags = ctx.workdir / "consoles-304.txt"
    with_etags.write_text("".join(f"{cookie} {etag}\n" for cookie, etag in sessions))
    without = ctx.workdir / "consoles-200.txt"
    without.write_text("".join(f"{cookie}\n" for cookie, _ in sessions))
    consoles, workers = _connections(ctx), worker_count()
    rate = consoles / POLL_SECONDS
    polling = Figure(CONSOLES_LABEL, "req/s", goal=f"≥ {0.95 * rate:.0f} req/s (keeps up: {rate:.0f} polls/s)")
    polling_p99 = Figure(f"{CONSOLES_LABEL} p99", "ms", goal="< 1,000 ms")
    capacity_304 = Figure(CAPACITY_304, "req/s", baseline=BASELINE, goal="reported")
    capacity_200 = Figure(CAPACITY_200, "req/s", baseline=BASELINE, goal="reported")
    baseline = Figure(BASELINE, "req/s")
    jobs = [
        (polling, polling_p99, url, with_etags, 304, consoles, POLL_SECONDS * 1000),
        (capacity_304, None, url, with_etags, 304, CAPACITY_CONNECTIONS, 0),
        (capacity_200, None, url, without, 200, CAPACITY_CONNECTIONS, 0),
        (baseline, None, "/healthz", without, 200, CAPACITY_CONNECTIONS, 0),
    ]
    with gunicorn_server(ctx.dbs.urls) as base:
        _warm_up(base + url, sessions[0][0])
        for _ in range(ctx.sizes.runs):
            for figure, p99, path, console_file, status, connections, delay_ms in jobs:
                seconds = max(ctx.sizes.http_seconds, 3 * POLL_SECONDS) if delay_ms else ctx.sizes.http_seconds
                if delay_ms:
                    open_consoles = [sessions[n % len(sessions)] for n in range(connections)]
                    load, answered = poll_like_consoles(
                        base + path, open_consoles, seconds=seconds, period_s=delay_ms / 1000
                    )
                else:
                    load, answered = _load(wrk, base + path, console_file, seconds, connections, delay_ms)
                if (
                    not load.requests
                    or load.non_2xx
                    or load.socket_errors
                    or (path != "/healthz" and answered[status] != load.requests)
                ):
                    raise RuntimeError(f"{path}: {load.non_2xx} errors, {load.socket_errors} socket errors, {answered}")
                figure.values.append(load.requests_per_second)
                if p99 is not None:
                    p99.values.append(load.p99_ms)
    polling.met = polling.median >= 0.95 * rate
    polling_p99.met = polling_p99.median < 1000
    polling.note = f"{consoles} open consoles, each polling {POLL_SECONDS} s ±50% after its last answer, with ETags"
    for figure in (capacity_304, capacity_200, baseline):
        figure.note = f"closed loop, {CAPACITY_CONNECTIONS} connections, {workers} sync workers"
    return [polling, polling_p99, capacity_304, capacity_200, baseline]


def _warm_up(url: str, session: str) -> None:
    """Sequential polls until every worker has answered a few: connected, its code loaded (a loaded machine
    can take seconds for a worker's first request, which would count as a load test without answers)."""
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})
    for _ in range(3 * worker_count()):
        with urllib.request.urlopen(request, timeout=60) as response:
            if response.status != 200:
                raise RuntimeError(f"poll answered {response.status} under gunicorn")


def _session(agent, url: str) -> tuple[str, str]:
    client = people.console_client(agent)
    return client.cookies["sessionid"].value, client.get(url)["ETag"]


def _connections(ctx) -> int:
    return SMOKE_CONSOLES if ctx.smoke else CONSOLES


def _load(wrk: str, url: str, consoles, seconds: int, connections: int, delay_ms: int):
    """wrk's summary, and the count of 304 and 200 answers."""
    env = {**os.environ, "BENCH_SESSIONS": str(consoles), "BENCH_DELAY_MS": str(delay_ms)}
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout=10s", "-s", LUA_SCRIPT, url]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed: {completed.stderr.strip() or completed.stdout.strip()}"[:300])
    data = json.loads(line.removeprefix("BENCH_JSON "))
    result = LoadResult(
        requests_per_second=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        non_2xx=data["non_2xx"],
        socket_errors=data["socket_errors"],
    )
    return result, {304: data["not_modified"], 200: data["ok"]}
