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
