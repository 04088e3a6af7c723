"""Claim next: 8 agents (threads, one connection each) claiming from 100,000 queued tickets.

Product: handoff.services.claim_next_ticket. Baseline: the same claim as raw psycopg
SELECT … FOR UPDATE SKIP LOCKED + UPDATE, one transaction per claim. Both are checked for
double claims, in memory (ids handed out) and in the database (tickets taken vs claims).
"""

import threading

from django.db import connections

from bench import claims
from bench.report import Figure, ScenarioResult
from bench.runner import timed

NAME = "claim next"
PRODUCT = "claim_next_ticket"
BASELINE = "raw SKIP LOCKED"

RAW_SELECT = """SELECT ticket_id FROM handoff_tickets WHERE status = 'queued'
                 ORDER BY priority_rank DESC, created_at, ticket_id
                 LIMIT 1 FOR UPDATE SKIP LOCKED"""
RAW_UPDATE = """UPDATE handoff_tickets SET status = 'assigned', assigned_agent_id = %s,
                       assigned_at = now(), updated_at = now() WHERE ticket_id = %s"""


def run(ctx) -> ScenarioResult:
    s = ctx.sizes
    agents = claims.prepare(ctx)
    product = Figure(PRODUCT, "claims/s", baseline=BASELINE, goal="≥ 0.6× baseline, 0 double claims")
    baseline = Figure(BASELINE, "claims/s")
    doubles = 0
    for _ in range(s.runs):
        for figure, claim in ((product, _claim_with_service), (baseline, _claim_raw)):
            claims.reset(ctx)
            seconds, ids = _in_threads(ctx, agents, claim)
            doubles += len(ids) - len(set(ids)) + claims.double_claims_in_db(ctx, len(ids))
            figure.values.append(len(ids) / seconds)
    per_run = s.agents * s.claims_per_agent
    product.note = f"{doubles} double claims; {s.agents} agents × {s.claims_per_agent} claims from {s.queued_tickets:,}"
    result = ScenarioResult(NAME, [product, baseline], details={"double_claims": doubles, "claims_per_run": per_run})
    product.met = doubles == 0 and result.ratio(product) >= 0.6
    return result


def _in_threads(ctx, agents, claim) -> tuple[float, list]:
    """Run `claim` in one thread per agent, all released at once; (wall seconds, ids claimed)."""
    count = ctx.sizes.claims_per_agent
    barrier = threading.Barrier(len(agents) + 1)
    claimed: list = []
    errors: list = []

    def worker(agent):
        try:
            claim(ctx, agent, count, barrier, claimed)
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    barrier.wait()
    seconds, _ = timed(lambda: [thread.join() for thread in threads])
    if errors:
        raise errors[0]
    return seconds, claimed


def _claim_with_service(ctx, agent, count, barrier, claimed) -> None:
    from handoff.services import claim_next_ticket

    try:
        connections["default"].ensure_connection()
        barrier.wait()
        for _ in range(count):
            ticket = claim_next_ticket(agent=agent)
            if ticket is None:
                break
            claimed.append(ticket.pk)
    finally:
        connections.close_all()


def _claim_raw(ctx, agent, count, barrier, claimed) -> None:
    with ctx.dbs.callbot() as conn:
        barrier.wait()
        for _ in range(count):
            with conn.transaction():
                row = conn.execute(RAW_SELECT).fetchone()
                if row is None:
                    break
                conn.execute(RAW_UPDATE, (agent.pk, row[0]))
            claimed.append(row[0])
