"""The claim scenarios' shared steps, Django-free: `bench.scenarios.pooler` runs as a program before Django."""


def reset(ctx) -> None:
    """Every ticket queued again, no events or notifications left from the previous run."""
    with ctx.dbs.callbot(autocommit=True) as conn:
        conn.execute(
            "UPDATE handoff_tickets SET status = 'queued', assigned_agent_id = NULL, assigned_at = NULL "
            "WHERE status <> 'queued'"
        )
        conn.execute("TRUNCATE handoff_ticket_events, agent_notifications")
        conn.execute("VACUUM ANALYZE handoff_tickets")


def double_claims_in_db(ctx, claims: int) -> int:
    """Claims that did not end in a distinct assigned ticket (0 when every claim took its own ticket)."""
    with ctx.dbs.callbot() as conn:
        taken = conn.execute("SELECT count(*) FROM handoff_tickets WHERE status = 'assigned'").fetchone()[0]
    return claims - taken


def prepare(ctx) -> list:
    """The queue both claim scenarios read (`queued_tickets`, all queued); the claiming agents."""
    from bench import datagen, people  # Django's: imported once Django is set up

    s = ctx.sizes
    agents = people.agents(s.agents)
    queues = people.queues()
    with ctx.dbs.callbot(autocommit=True) as conn:
        datagen.truncate_callbot(conn)
        datagen.interactions(conn, max(s.queued_tickets // 10, 100), days_min=0, days_max=1)
        datagen.queue_tickets(conn, s.queued_tickets, queued_share=1.0, holder_id=None, queues=queues)
    ctx.log(f"{s.queued_tickets:,} queued tickets")
    return agents
