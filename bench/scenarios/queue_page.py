"""Queue page: the admin ticket changelist over 1,000,000 tickets, as a logged-in supervisor.

Server time is the wall time of a full request through Django's middleware stack (test Client,
no network); the query count is taken on a separate request so that capturing SQL does not
slow the timed ones. Two page sizes show whether the query count grows with the page.

Searches (issue #12) run over the same tickets with a mini-CRM of 50,000 customers (accented names, phones):
a name typed without accents, a short id as displayed, a phone number in another format than stored; each
should stay under the same goal and cost the page at most one more query (the customer lookup).
"""

import re

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
    searches, search_counts = _searches(ctx, client, url, plain_queries=query_counts[model_admin.list_per_page])
    details = {"query_counts": query_counts, "search_query_counts": search_counts}
    return ScenarioResult(NAME, [*figures, counts, *searches], details=details)


# -- searches -------------------------------------------------------------------------------------

FOUND = re.compile(r"— ((?:more than )?\d+) found\.")
SEARCH_CUSTOMERS = 50_000  # the customer ids datagen.interactions spreads interactions over
FIRST_NAMES = ["Chloé", "Camille", "Léa", "Hugo", "Louis", "Zoé", "Noémie", "Théo", "Inès", "Raphaël"]
LAST_NAMES = ["Petit", "Martin", "Lefèvre", "Bernard", "Dubois", "Muñoz", "Öztürk", "Leroy", "Girard", "Fabre"]


def _customers(ctx) -> None:
    """50,000 customers named from the lists above (a full name every 100), phones stored in E.164."""
    firsts, lasts = len(FIRST_NAMES), len(LAST_NAMES)
    with ctx.dbs.callbot(autocommit=True) as conn:
        conn.execute("DELETE FROM customers")
        datagen.insert_select(
            conn,
            "customers",
            {
                "customer_id": "'CUST-' || g",
                "name": f"(%(first)s::text[])[1 + mod(g, {firsts})] || ' ' "
                f"|| (%(last)s::text[])[1 + mod(g / {firsts}, {lasts})]",
                "email": "'customer' || g || '@example.org'",
                "phone": "'+336' || lpad(g::text, 8, '0')",
                "segment": "'standard'",
                "created_at": "now()",
                "updated_at": "now()",
                "metadata": "'{}'::jsonb",
            },
            "FROM generate_series(0, %(n)s - 1) g",
            {"n": SEARCH_CUSTOMERS, "first": FIRST_NAMES, "last": LAST_NAMES},
        )
        conn.execute("VACUUM ANALYZE customers")


def _searches(ctx, client: Client, url: str, *, plain_queries: int) -> tuple[list[Figure], dict[str, int]]:
    from handoff.models import HandoffTicket

    _customers(ctx)
    short_id = "#" + str(HandoffTicket.objects.order_by().values_list("pk", flat=True).first())[:8]
    terms = {
        "search by name (chloe petit)": "chloe petit",  # stored "Chloé Petit": 500 customers, capped at 200
        f"search by short id ({short_id})": short_id,
        "search by phone (06 00 01 23 45)": "06 00 01 23 45",  # stored +33600012345
    }
    figures, counts = [], {}
    for label, term in terms.items():
        counts[label] = _query_count(client, url, {"q": term})
        figure = Figure(label, "ms", goal=f"< {GOAL_MS} ms")
        for _ in range(ctx.sizes.runs):
            seconds, response = timed(lambda term=term: client.get(url, {"q": term}))
            _check(response)
            figure.values.append(seconds * 1000)
        shown = FOUND.search(response.content.decode())  # the page's own "Searching … — N found." notice
        found = shown.group(1) if shown else "?"
        extra = counts[label] - plain_queries
        figure.met = figure.median < GOAL_MS and extra <= 1
        figure.note = f"{found} found, {counts[label]} queries ({extra:+d} vs. no search)"
        figures.append(figure)
    return figures, counts


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


def _query_count(client: Client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        _check(client.get(url, params or {}))
    return len(queries)


def _check(response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"changelist answered {response.status_code}")
