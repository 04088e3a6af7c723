"""SLOW: the product through PgBouncer in transaction mode (pool of 2 server connections), as production runs it.

gunicorn (production settings, DATABASE_POOLER=pgbouncer, 4 sync workers: more Django connections than server
connections) serves the API flows and 8 agents claiming at once; `manage.py export_leads` writes Berinia
through PgBouncer too.
"""

import json
import re
import threading
import uuid
from collections import Counter

import psycopg
import pytest
import requests
from psycopg.rows import dict_row

from accounts.services import create_api_client, issue_api_token
from berinia_sync.services import writer
from tests.handoff.factories import AgentProfileFactory, HandoffTicketFactory, QueueFactory
from tests.pooler.conftest import GUNICORN_WORKERS, HTTPS, POOL_SIZE, connect, reconnect, server_env
from tests.processes import run_manage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]
AGENTS = 8
TICKETS = 120
LEADS = 600


def _api(base: str, token: str) -> requests.Session:
    session = requests.Session()
    session.headers.update({**HTTPS, "Authorization": f"Token {token}"})
    session.base = base
    return session


def _gunicorn_statuses(log) -> Counter:
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert not any("Traceback" in json.dumps(line) for line in lines)
    return Counter(line["message"].split()[2] for line in lines if line.get("name") == "gunicorn.access")


def test_a_bot_turn_with_its_replay_and_the_ticket_read_back(gunicorn, bouncer):
    base, log = gunicorn
    QueueFactory(name="claims")
    _, bot_token = create_api_client(name="pooled-bot")
    bot = _api(base, bot_token)
    key = str(uuid.uuid4())
    body = {
        "interaction": {"customer_id": "CUST-POOL", "channel": "phone", "intent": "claim_dispute", "urgency": "high"},
        "message": {"message": "Je conteste le refus !"},
        "response": {"response_text": "Je vous passe un conseiller.", "tone": "empathetic"},
        "handoff": {"reason": "Dispute", "priority": "high", "queue_name": "claims"},
    }

    first = bot.post(f"{base}/api/v1/turns/", json=body, headers={"Idempotency-Key": key}, timeout=30)
    replay = bot.post(f"{base}/api/v1/turns/", json=body, headers={"Idempotency-Key": key}, timeout=30)

    assert first.status_code == 201, first.text
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json() == first.json()
    ticket_id = first.json()["ticket_id"]
    agent = AgentProfileFactory(user__username="pooled-alice").user
    agent_api = _api(base, issue_api_token(user=agent))
    read = agent_api.get(f"{base}/api/v1/tickets/{ticket_id}/", timeout=30)
    assert read.status_code == 200, read.text
    assert (read.json()["status"], read.json()["queue_name"]) == ("queued", "claims")
    assert [m["speaker"] for m in read.json()["transcript"]] == ["customer", "agent"]
    with connect(bouncer) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM interactions WHERE customer_id = 'CUST-POOL'),"
            " (SELECT count(*) FROM handoff_tickets WHERE customer_id = 'CUST-POOL')"
        ).fetchone()
    assert counts == (1, 1)  # the replay wrote nothing
    assert set(_gunicorn_statuses(log)) <= {"200", "201"}


def test_eight_agents_claiming_at_once_each_ticket_claimed_once(gunicorn, bouncer):
    base, log = gunicorn
    agents = [
        AgentProfileFactory(user__username=f"pooled-agent{n}", max_open_tickets=TICKETS).user for n in range(AGENTS)
    ]
    tickets = {str(ticket.pk) for ticket in HandoffTicketFactory.create_batch(TICKETS)}
    sessions = [_api(base, issue_api_token(user=agent)) for agent in agents]
    barrier = threading.Barrier(AGENTS)
    answers: dict[str, list] = {agent.username: [] for agent in agents}

    def claim_until_empty(agent, session) -> None:
        barrier.wait()
        while True:
            response = session.post(f"{base}/api/v1/tickets/claim-next/", json={}, timeout=30)
            got = response.json()["ticket_id"] if response.status_code == 200 else None
            answers[agent.username].append((response.status_code, got))
            if response.status_code != 200:
                return

    threads = [threading.Thread(target=claim_until_empty, args=pair) for pair in zip(agents, sessions, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    statuses = Counter(status for replies in answers.values() for status, _ in replies)
    assert statuses == {200: TICKETS, 204: AGENTS}, statuses  # no 500, no 503: every agent ends on an empty queue
    claimed = [ticket for replies in answers.values() for _, ticket in replies if ticket]
    assert sorted(claimed) == sorted(tickets)  # each ticket once: no double claim, none lost
    with connect(bouncer) as conn:
        rows = conn.execute(
            "SELECT t.ticket_id::text, u.username, (SELECT count(*) FROM handoff_ticket_events e"
            " WHERE e.ticket_id = t.ticket_id AND e.action = 'claimed')"
            " FROM handoff_tickets t JOIN auth_user u ON u.id = t.assigned_agent_id WHERE t.status = 'assigned'"
        ).fetchall()
    holders = {ticket: username for username, replies in answers.items() for _, ticket in replies if ticket}
    assert {ticket: (username, events) for ticket, username, events in rows} == {
        ticket: (holder, 1) for ticket, holder in holders.items()
    }
    assert set(_gunicorn_statuses(log)) <= {"200", "201", "204"}


def test_the_web_statement_timeout_never_reaches_other_clients_of_the_pool(gunicorn, bouncer):
    """Commands and jobs share PgBouncer's server connections with the web workers: no web session setting may stay."""
    base, _ = gunicorn
    agent = AgentProfileFactory(user__username="pooled-timeout").user
    session = _api(base, issue_api_token(user=agent))
    for _ in range(2 * GUNICORN_WORKERS):  # every worker connects (and sets its statement timeout) once
        assert session.get(f"{base}/api/v1/tickets/", timeout=30).status_code == 200
    clients = [connect(bouncer, autocommit=False) for _ in range(POOL_SIZE)]
    try:  # one open transaction each: together they hold every server connection of the pool
        timeouts = {client.execute("SELECT current_setting('statement_timeout')").fetchone()[0] for client in clients}
    finally:
        for client in clients:
            client.close()
    assert timeouts == {"0"}


def _lead(n: int, campaign: int) -> dict:
    return {
        "id": f"pool_{n}",
        "company_name": f"Restaurant {n}",
        "contact_name": f"Jeanne Test{n}",
        "email": f"lead{n}@pool.example.fr",
        "phone": f"+3319900{n:04d}",
        "campaign_id": campaign,
        "niche": "restaurant",
        "source": "Google Maps",
        "score": 50,
    }


@pytest.fixture
def berinia_campaign(bouncer):
    with connect(bouncer, "berinia") as conn:
        conn.execute("TRUNCATE leads, campaigns, niches RESTART IDENTITY CASCADE")
        niche = conn.execute("INSERT INTO niches (name) VALUES ('restaurant') RETURNING id").fetchone()[0]
        campaign = conn.execute(
            "INSERT INTO campaigns (name, agent, status, niche_id)"
            " VALUES ('Pool', 'callbot', 'active', %s) RETURNING id",
            [niche],
        ).fetchone()[0]
    yield campaign
    with connect(bouncer, "berinia") as conn:
        conn.execute("TRUNCATE leads, campaigns, niches RESTART IDENTITY CASCADE")


class ServerChurn:
    """PgBouncer closes a database's server connections once released, every 50 ms, as server_lifetime and
    server_idle_timeout do now and then in production: a client may not count on keeping one.

    It waits while a server connection is logging in: RECONNECT also drops logins in progress, and on a loaded
    machine (a login slower than 50 ms) every login would be dropped and the clients time out waiting
    (`client_login_timeout (server down)`), which production's timeouts never do.
    """

    def __init__(self, bouncer, dbname: str):
        self.bouncer, self.dbname = bouncer, dbname
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._churn)
        self.reconnects = 0

    def _servers(self) -> dict[str, int]:
        with psycopg.connect(**self.bouncer.conninfo("pgbouncer"), autocommit=True) as admin:
            pools = psycopg.ClientCursor(admin, row_factory=dict_row).execute("SHOW POOLS").fetchall()
        pool = next((pool for pool in pools if pool["database"] == self.dbname), {})
        logged_in = sum(pool.get(state, 0) for state in ("sv_active", "sv_idle", "sv_used", "sv_tested"))
        return {"logged_in": logged_in, "logging_in": pool.get("sv_login", 0)}

    def _churn(self) -> None:
        while not self.stopping.wait(0.05):
            servers = self._servers()
            if servers["logged_in"] and not servers["logging_in"]:
                reconnect(self.bouncer, self.dbname)
                self.reconnects += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(timeout=10)


def _export(bouncer, tmp_path, campaign: int, *, berinia_session: bool):
    path = tmp_path / "leads.jsonl"
    path.write_text("".join(json.dumps(_lead(n, campaign)) + "\n" for n in range(LEADS)))
    env = server_env(bouncer, berinia_session=berinia_session)
    with ServerChurn(bouncer, env["BERINIA_DATABASE_URL"].rpartition("/")[2]) as churn:
        exported = run_manage("export_leads", str(path), "--batch-size", "50", env=env)
    assert churn.reconnects > 0
    return exported


def _berinia_emails(bouncer, campaign: int) -> set[str]:
    with connect(bouncer, "berinia") as conn:
        return {row[0] for row in conn.execute("SELECT email FROM leads WHERE campagne_id = %s", [campaign])}


# The export keeps its staging tables from one batch transaction to the next: session state.
SESSION_TABLES = re.findall(r"CREATE TEMP(?:ORARY)? TABLE (?:IF NOT EXISTS )?(\w+)", writer.CREATE_TEMP_TABLES)


def test_the_export_through_pgbouncer_puts_every_lead_in_berinia(bouncer, tmp_path, berinia_campaign):
    """Berinia pooled in session mode while the export keeps temporary tables (transaction mode otherwise)."""
    exported = _export(bouncer, tmp_path, berinia_campaign, berinia_session=bool(SESSION_TABLES))

    assert exported.returncode == 0, exported.stderr
    assert _berinia_emails(bouncer, berinia_campaign) == {f"lead{n}@pool.example.fr" for n in range(LEADS)}


@pytest.mark.skipif(not SESSION_TABLES, reason="the export keeps no temporary table across transactions")
def test_in_transaction_mode_the_export_loses_its_staging_tables(bouncer, tmp_path, berinia_campaign):
    exported = _export(bouncer, tmp_path, berinia_campaign, berinia_session=False)

    assert exported.returncode == 1, exported.stderr
    assert re.search(r"bsync_\w+.* does not exist", exported.stderr), exported.stderr
    assert len(_berinia_emails(bouncer, berinia_campaign)) < LEADS
