"""A live back-office for the Python client: gunicorn (production settings, 2 sync workers) on the test database.

The server lives for the session; each test is transactional (`django_db(transaction=True)`), so what the
test process writes (accounts, tokens) is committed and seen by gunicorn, and what gunicorn writes is
read back here through the ORM. Tokens are made per test: the flush at the end of each test removes them.
"""

from dataclasses import dataclass

import psycopg
import pytest
from django.db import connection

from accounts.services import create_agent, create_api_client, create_api_token
from tests.processes import GUNICORN, PRODUCTION_ENV, free_port, serving

AGENT_PASSWORD = "client-tests-agent-pass-9371"


def database_url() -> str:
    db = connection.settings_dict
    location = f"/{db['HOST']}" if db["HOST"].startswith("/") else f"{db['HOST']}:{db['PORT'] or 5432}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{location}/{db['NAME']}"


def connect(**options) -> psycopg.Connection:
    """A connection of our own to the test database (not Django's), e.g. to hold a row lock."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        **options,
    )


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, tmp_path_factory):
    """Base URL of gunicorn serving the test database; plain http on 127.0.0.1 (TLS ends at a proxy in production)."""
    port = free_port()
    folder = tmp_path_factory.mktemp("client-live")
    (folder / "static").mkdir()
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": database_url(),
        "BERINIA_DATABASE_URL": database_url(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(folder / "static"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",  # a blocked request and its retry are served at once
    }
    with serving(GUNICORN, env, folder / "gunicorn.log", port) as base:
        yield base


@dataclass(frozen=True)
class Tokens:
    bot: str
    agent: str
    supervisor: str


@pytest.fixture
def tokens(transactional_db) -> Tokens:
    """API tokens of a bot (`tool-router`), an agent (`alice`) and a supervisor (`sam`)."""
    _, bot = create_api_client(name="tool-router")
    create_agent(username="alice", password=AGENT_PASSWORD)
    create_agent(username="sam", password=AGENT_PASSWORD, supervisor=True)
    _, agent = create_api_token(username="alice")
    _, supervisor = create_api_token(username="sam")
    return Tokens(bot=bot, agent=agent, supervisor=supervisor)
