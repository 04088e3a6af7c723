"""Queue page: the admin ticket changelist over 1,000,000 tickets, as a logged-in supervisor.

Server time is the wall time of a full request through Django's middleware stack (test Client,
no network); the query count is taken on a separate request so that capturing SQL does not
slow the timed ones. Two page sizes show whether the query count grows with the page.
"""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import datagen, features, people
from bench.report import NOT_BUILT, Figure, ScenarioResult
from bench.runner import timed

NAME = "queue page"
GOAL_MS = 300


def run(ctx) -> ScenarioResult:
    from handoff.models import HandoffTicket

    model_admin = features.admin_for(HandoffTicket)
    if model_admin is None:
        return ScenarioResult(NAME, status=NOT_BUILT, note="no HandoffTicket changelist in the admin")
    client = _prepare(ctx)
    url = reverse("admin:handoff_handoffticket_changelist")
    figures, query_counts = [], {}
    original = model_admin.list_per_page
    try:
        for size in ctx.sizes.page_sizes:
            model_admin.list_per_page = size
            query_counts[size] = _query_count(client, url)
            figure = Figure(f"changelist, {size} per page", "ms", goal=f"< {GOAL_MS} ms")
            for _ in range(ctx.sizes.runs):
                seconds, response = timed(lambda: client.get(url))
                _check(response)
                figure.values.append(seconds * 1000)
            figure.met = figure.median < GOAL_MS
            figure.note = f"{query_counts[size]} queries"
            figures.append(figure)
    finally:
        model_admin.list_per_page = original
    counts = Figure("queries per page", "queries", values=[float(c) for c in query_counts.values()])
    counts.goal = "same at every page size"
    counts.met = len(set(query_counts.values())) == 1
    counts.note = ", ".join(f"{n} at {size}/page" for size, n in query_counts.items())
    return ScenarioResult(NAME, [*figures, counts], details={"query_counts": query_counts})


def _prepare(ctx) -> Client:
    s = ctx.sizes
    supervisor = people.supervisor()
    holder = people.agents(1)[0]
    queues = people.queues()
    with ctx.dbs.callbot(autocommit=True) as conn:
        datagen.truncate_callbot(conn)
        datagen.interactions(conn, max(s.queue_page_tickets // 10, 100), days_min=0, days_max=30)
        datagen.queue_tickets(conn, s.queue_page_tickets, queued_share=0.02, holder_id=holder.pk, queues=queues)
        conn.execute("VACUUM ANALYZE interactions, handoff_tickets")
    ctx.log(f"{s.queue_page_tickets:,} tickets")
    return people.console_client(supervisor)


def _query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        _check(client.get(url))
    return len(queries)


def _check(response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"changelist answered {response.status_code}")
