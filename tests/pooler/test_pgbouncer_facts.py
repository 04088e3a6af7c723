"""What PgBouncer 1.18 in transaction mode does to session state, and what the settings do about it.

Facts behind docs/deployment.md, "Connection pooling": in transaction mode two transactions of one client
may run on two server connections, and one server connection serves many clients. So a prepared statement
or a session setting left by one client meets another client; nothing of a session may outlive a transaction.
"""

import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from handoff.services import claim_next_ticket
from tests.handoff.factories import AgentProfileFactory, HandoffTicketFactory
from tests.pooler.conftest import ROOT, connect, reconnect

pytestmark = pytest.mark.timeout(60)


def test_a_prepared_statement_meets_another_client_on_the_shared_server_connection(bouncer):
    # psycopg names its prepared statements _pg3_0, _pg3_1, … per client connection: two clients sharing one
    # server connection collide on the name (or one finds the statement missing on another server connection).
    first = connect(bouncer, autocommit=False, prepare_threshold=0)
    second = connect(bouncer, autocommit=False, prepare_threshold=0)
    try:
        with first, second:
            with first.transaction():
                assert first.execute("SELECT 1", prepare=True).fetchone() == (1,)
            with pytest.raises(psycopg.errors.DuplicatePreparedStatement), second.transaction():
                second.execute("SELECT 2", prepare=True)
    finally:
        reconnect(bouncer)  # the statement stays on the server connection otherwise


def test_a_session_setting_of_one_client_reaches_the_next_client(bouncer):
    # What core.db.set_statement_timeout does on a new web connection, seen by a command's connection.
    with connect(bouncer) as web, connect(bouncer) as command:
        web.execute("SELECT set_config('statement_timeout', '1234ms', false)")
        try:
            assert command.execute("SELECT current_setting('statement_timeout')").fetchone()[0] == "1234ms"
        finally:
            command.execute("RESET statement_timeout")


def _prepared_statements() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("pooler", "prepared"), [("", 3), ("pgbouncer", 0)])
def test_claims_prepare_their_statements_only_when_not_behind_pgbouncer(pooler, prepared):
    """Directly, the claim's two statements and its look-up of webhook endpoints are prepared (once per
    connection), and nothing else is; behind PgBouncer the claim prepares nothing.

    Django's psycopg backend passes prepare_threshold=None unless OPTIONS says otherwise, and psycopg then prepares
    nothing, not even with prepare=True: the settings give a threshold no connection reaches instead, so only the
    statements marked prepare=True are prepared.
    """
    agent = AgentProfileFactory(max_open_tickets=10).user
    tickets = HandoffTicketFactory.create_batch(3)
    connection.close()
    connection.ensure_connection()
    try:
        assert connection.connection.prepare_threshold == settings.PREPARE_ONLY_MARKED_STATEMENTS
        with override_settings(DATABASE_POOLER=pooler):
            claimed = {claim_next_ticket(agent=agent).pk for _ in range(2)}
        assert _prepared_statements() == prepared  # the ORM's own queries of the claims are not among them
    finally:
        connection.close()
    assert len(claimed) == 2 and claimed <= {ticket.pk for ticket in tickets}


def _settings_of(**env) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print([(a, d['CONN_MAX_AGE'], d['OPTIONS'], d.get('DISABLE_SERVER_SIDE_CURSORS', False)) "
        "for a, d in sorted(s.DATABASES.items())])"
    )
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "CONN_MAX"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "callbot_site.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def test_the_pooling_settings_from_the_environment():
    direct = _settings_of()
    only_marked = "{'prepare_threshold': 2147483647}"
    assert f"'berinia', 60, {only_marked}, False" in direct and f"'default', 60, {only_marked}, False" in direct
    behind = _settings_of(DATABASE_POOLER="pgbouncer")
    assert behind.count("60, {'prepare_threshold': None}, True") == 2
    pooled = _settings_of(DATABASE_POOL="true", DATABASE_POOL_MAX_SIZE="3", CONN_MAX_AGE="60")
    pool = "'pool': {'min_size': 1, 'max_size': 3, 'timeout': 10}"
    assert pooled.count(f"0, {{'prepare_threshold': 2147483647, {pool}}}, False") == 2
    wrong = _settings_of(DATABASE_POOLER="pgpool")
    assert wrong == (
        "django.core.exceptions.ImproperlyConfigured: DATABASE_POOLER='pgpool': allowed are 'pgbouncer' or empty "
        "(direct)."
    )
