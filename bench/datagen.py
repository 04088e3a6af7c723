"""Set-wise data generation in SQL (generate_series): millions of rows in seconds, no ORM objects.

Every INSERT names its columns; NOT NULL columns that later migrations add without a database
default are filled with a neutral value of their type (`_complete`), so the generator keeps
working as the models grow.
"""

import psycopg

_NEUTRAL = {
    "text": "''",
    "character varying": "''",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
    "numeric": "0",
    "boolean": "false",
    "jsonb": "'{}'::jsonb",
    "json": "'{}'::json",
    "timestamp with time zone": "now()",
    "date": "current_date",
    "uuid": "gen_random_uuid()",
}


def _complete(conn: psycopg.Connection, table: str, columns: dict[str, str]) -> dict[str, str]:
    rows = conn.execute(
        """SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = %s AND is_nullable = 'NO'
              AND column_default IS NULL AND is_generated = 'NEVER' AND is_identity = 'NO'""",
        [table],
    ).fetchall()
    extra = {name: _NEUTRAL[dtype] for name, dtype in rows if name not in columns and dtype in _NEUTRAL}
    return {**columns, **extra}


def insert_select(conn: psycopg.Connection, table: str, columns: dict[str, str], from_sql: str, params=None) -> int:
    columns = _complete(conn, table, columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns.values())} {from_sql}"
    return conn.execute(sql, params).rowcount


def interactions(conn, n: int, *, days_min: float, days_max: float, customers: int = 50_000) -> int:
    """n interactions created between days_max and days_min days ago, statuses mixed like a call centre."""
    return insert_select(
        conn,
        "interactions",
        {
            "interaction_id": "gen_random_uuid()",
            "customer_id": "'CUST-' || (mod(g, %(customers)s))",
            "channel": "(ARRAY['phone','phone','chat','email'])[1 + mod(g, 4)]",
            "intent": "(ARRAY['claim','policy_status','address_change','payment','other'])[1 + mod(g, 5)]",
            "emotion": "(ARRAY['calm','frustrated','angry','happy'])[1 + mod(g, 4)]",
            "urgency": "(ARRAY['low','medium','high'])[1 + mod(g, 3)]",
            "confidence_score": "round(random()::numeric, 3)",
            "status": "(ARRAY['completed','completed','completed','failed','in_progress','pending'])[1 + mod(g, 6)]",
            "assigned_agent": "''",
            "created_at": "ts",
            "updated_at": "ts",
            "resolved_at": "CASE WHEN mod(g, 6) < 3 THEN ts + (30 + mod(g, 900)) * interval '1 second' END",
            "resolution_time_seconds": "CASE WHEN mod(g, 6) < 3 THEN 30 + mod(g, 900) END",
        },
        """FROM (SELECT g, now() - (%(lo)s + random() * %(span)s) * interval '1 day' AS ts
                   FROM generate_series(1, %(n)s) g) s""",
        {"n": n, "lo": days_min, "span": days_max - days_min, "customers": customers},
    )


def children(conn, *, where: str = "TRUE", messages: int = 2, crm_share: float = 0.5, ticket_share: float = 0.1):
    """Transcript, bot responses, CRM actions and resolved handoff tickets (with an audit row) per interaction."""
    src = f"FROM interactions i WHERE {where}"
    insert_select(
        conn,
        "conversation_messages",
        {
            "message_id": "gen_random_uuid()",
            "interaction_id": "i.interaction_id",
            "turn_number": "t",
            "speaker": "CASE WHEN mod(t, 2) = 1 THEN 'customer' ELSE 'system' END",
            "message": "'bench message number ' || t",
            "timestamp": "i.created_at + t * interval '5 seconds'",
            "metadata": "'{}'::jsonb",
        },
        f"FROM interactions i CROSS JOIN generate_series(1, {int(messages)}) t WHERE {where}",
    )
    insert_select(
        conn,
        "response_logs",
        {
            "log_id": "gen_random_uuid()",
            "interaction_id": "i.interaction_id",
            "response_text": "'bench response'",
            "tone": "'professional'",
            "confidence_score": "round(random()::numeric, 3)",
            "execution_time_ms": "(200 + random() * 800)::int",
            "model_used": "(ARRAY['gpt-4o','mistral-large'])[1 + (random() < 0.5)::int]",
            "created_at": "i.created_at + interval '3 seconds'",
        },
        src,
    )
    insert_select(
        conn,
        "crm_actions",
        {
            "action_id": "gen_random_uuid()",
            "interaction_id": "i.interaction_id",
            "customer_id": "i.customer_id",
            "action_type": "(ARRAY['update_address','check_policy_status','get_customer_info',"
            "'update_payment_method'])[1 + floor(random() * 4)::int]",
            "input_data": "'{}'::jsonb",
            "output_data": "'{}'::jsonb",
            "success": "random() < 0.9",
            "error_message": "''",
            "execution_time_ms": "(50 + random() * 400)::int",
            "executed_at": "i.created_at + interval '2 seconds'",
        },
        f"{src} AND random() < {float(crm_share)}",
    )
    tickets_for_interactions(conn, where=f"{where} AND random() < {float(ticket_share)}")


def tickets_for_interactions(conn, *, where: str) -> None:
    """One resolved ticket per selected interaction, with its 'created' audit row."""
    insert_select(
        conn,
        "handoff_tickets",
        {
            "ticket_id": "gen_random_uuid()",
            "interaction_id": "i.interaction_id",
            "customer_id": "i.customer_id",
            "reason": "'bench escalation'",
            "priority": "i.urgency",
            "status": "'resolved'",
            "queue_name": "'general'",
            "resolution_notes": "'done'",
            "context_data": "'{}'::jsonb",
            "created_at": "i.created_at + interval '10 seconds'",
            "assigned_at": "i.created_at + interval '70 seconds'",
            "resolved_at": "i.created_at + interval '600 seconds'",
            "updated_at": "i.created_at + interval '600 seconds'",
        },
        f"FROM interactions i WHERE {where}",
    )
    insert_select(
        conn,
        "handoff_ticket_events",
        {
            "ticket_id": "t.ticket_id",
            "action": "'created'",
            "from_status": "''",
            "to_status": "'queued'",
            "from_agent": "''",
            "to_agent": "''",
            "note": "''",
            "created_at": "t.created_at",
        },
        "FROM handoff_tickets t"
        " WHERE NOT EXISTS (SELECT 1 FROM handoff_ticket_events e WHERE e.ticket_id = t.ticket_id)",
    )


def queue_tickets(conn, n: int, *, queued_share: float, holder_id: int | None, queues: list[str]) -> int:
    """n tickets spread over the existing interactions; a share queued, a few held, the rest resolved."""
    conn.execute("DROP TABLE IF EXISTS bench_pool")
    conn.execute(
        "CREATE TEMP TABLE bench_pool AS"
        " SELECT row_number() OVER () AS rn, interaction_id, customer_id FROM interactions"
    )
    pool = conn.execute("SELECT count(*) FROM bench_pool").fetchone()[0]
    queued_pct = int(queued_share * 1000)
    held = "p_held" if holder_id is not None else "FALSE"
    return insert_select(
        conn,
        "handoff_tickets",
        {
            "ticket_id": "gen_random_uuid()",
            "interaction_id": "p.interaction_id",
            "customer_id": "p.customer_id",
            "reason": "'bench escalation ' || g",
            "priority": "(ARRAY['low','medium','high'])[1 + mod(g, 3)]",
            "status": f"CASE WHEN queued THEN 'queued' WHEN {held} THEN 'assigned' ELSE 'resolved' END",
            "queue_name": "(%(queues)s::text[])[1 + mod(g, %(nq)s)]",
            "assigned_agent_id": f"CASE WHEN NOT queued AND {held} THEN %(holder)s::int END",
            "assigned_at": "CASE WHEN NOT queued THEN ts + interval '1 minute' END",
            "resolved_at": f"CASE WHEN NOT queued AND NOT {held} THEN ts + interval '10 minutes' END",
            "resolution_notes": "''",
            "context_data": "'{}'::jsonb",
            "created_at": "ts",
            "updated_at": "ts",
        },
        f"""FROM (SELECT g, now() - random() * interval '30 days' AS ts,
                         mod(g, 1000) < {queued_pct} AS queued, mod(g, 1000) >= 995 AS p_held
                    FROM generate_series(1, %(n)s) g) s
            JOIN bench_pool p ON p.rn = 1 + mod(g, {pool})""",
        {"n": n, "queues": queues, "nq": len(queues), "holder": holder_id},
    )


def truncate_callbot(conn) -> None:
    """Empty the interaction-side tables (users, groups and queues stay).

    CASCADE: tables that later migrations hang on these (ticket notes, ...) are emptied with them.
    """
    conn.execute(
        "TRUNCATE interactions, conversation_messages, response_logs, crm_actions, crm_action_proposals, "
        "crm_proposal_events, handoff_tickets, "
        "handoff_ticket_events, agent_notifications, analytics_metrics CASCADE"
    )


def existing_leads(conn, n: int, campaign_id: int) -> int:
    """Berinia's leads table holding n leads written by other tools (E.164 phones, lower-case e-mails)."""
    conn.execute("TRUNCATE leads RESTART IDENTITY CASCADE")
    count = conn.execute(
        """INSERT INTO leads (first_name, last_name, email, phone, company, entreprise, source, status,
                              campagne_id, created_at, updated_at)
           SELECT 'Prenom' || g, 'Nom' || g, 'contact' || g || '@societe' || (mod(g, 997)) || '.fr',
                  '+3360' || lpad(g::text, 7, '0'), 'Societe ' || g, 'Societe ' || g, 'infra-ia',
                  (ARRAY['new','contacted','qualified'])[1 + mod(g, 3)], %(campaign)s, now(), now()
             FROM generate_series(1, %(n)s) g""",
        {"n": n, "campaign": campaign_id},
    ).rowcount
    conn.execute("ANALYZE leads")
    return count
