"""Hostile input never reaches a 500: JSON depth and body size limits, NUL characters, slow queries."""

import importlib
import json
import logging

import pytest
from django.db import OperationalError, connection

from core.db import set_statement_timeout
from crm.models import Customer
from tests.api.conftest import token_client
from tests.handoff.factories import HandoffTicketFactory
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/"


def nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def post_raw(client, body: bytes, url: str = URL, **headers):
    return client.generic("POST", url, body, content_type="application/json", **headers)


@pytest.mark.parametrize("depth", [400, 1000, 100_000])
def test_deep_json_is_a_400_in_the_api_shape(bot_client, depth):
    body = json.dumps({"customer_id": "C1", "metadata": nested(depth)}) if depth < 900 else b"[" * depth

    response = post_raw(bot_client, body.encode() if isinstance(body, str) else body)

    assert response.status_code == 400
    assert response.json()["type"] == "parse_error"
    assert "nested" in response.json()["detail"]
    assert not Customer.objects.exists()


def test_brackets_inside_strings_do_not_count_as_depth(bot_client):
    metadata = {"text": "[{" * 500 + '\\"[' * 100, "a": nested(20)}

    response = bot_client.post(URL, {"customer_id": "C1", "name": "Ann", "metadata": metadata}, format="json")

    assert response.status_code == 201, response.content


@pytest.mark.parametrize("idempotency_key", [None, "key-1"])
def test_an_oversized_body_is_a_413_in_the_api_shape(bot_client, idempotency_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000_000
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    body = json.dumps({"customer_id": "C1", "metadata": {"blob": "x" * 10_000_000}}).encode()

    response = post_raw(bot_client, body, **headers)

    assert response.status_code == 413
    assert response.json()["type"] == "request_too_large"
    assert not Customer.objects.exists()


def test_a_body_under_the_django_limit_but_over_the_api_limit_is_a_413(bot_client, settings):
    settings.API_MAX_BODY_BYTES = 1000
    body = json.dumps({"customer_id": "C1", "metadata": {"blob": "x" * 2000}}).encode()

    assert post_raw(bot_client, body, HTTP_IDEMPOTENCY_KEY="key-2").status_code == 413
    assert post_raw(bot_client, body).status_code == 413


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/v1/tickets/claim-next/", {"queue_name": "gen\x00eral"}),
        ("/api/v1/tickets/{ticket}/resolve/", {"resolution_notes": "a\x00b", "reason_code": "solved"}),
        ("/api/v1/interactions/{interaction}/handoff/", {"reason": "x\x00", "queue_name": "general"}),
    ],
)
def test_nul_characters_in_json_bodies_are_a_400(supervisor, path, body):
    ticket = HandoffTicketFactory()
    client = token_client(supervisor)

    response = client.post(path.format(ticket=ticket.pk, interaction=ticket.interaction_id), body, format="json")

    assert response.status_code == 400


def test_nul_in_an_api_url_or_query_is_a_400_in_the_api_shape(bot_client):
    for url in ("/api/v1/interactions/%00/", "/api/v1/tickets/?queue_name=%00"):
        response = bot_client.get(url)
        assert response.status_code == 400
        assert response.json()["type"] == "bad_request"


def test_a_query_cancelled_by_the_statement_timeout_is_a_503_without_traceback(bot_client, monkeypatch, caplog):
    from interactions.api import views

    def slow(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(2)")

    monkeypatch.setattr(views.selectors, "get_interaction", slow)
    interaction = InteractionFactory()

    with caplog.at_level(logging.WARNING):
        response = bot_client.get(f"/api/v1/interactions/{interaction.pk}/")

    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json()["type"] == "database_unavailable"
    ours = [record for record in caplog.records if record.name == "core.api.exceptions"]
    assert len(ours) == 1 and "statement timeout" in ours[0].getMessage()
    assert not any(record.exc_info for record in caplog.records)


def test_the_statement_timeout_is_set_on_new_web_connections(settings):
    settings.STATEMENT_TIMEOUT_MS = 1234
    set_statement_timeout(sender=None, connection=connection)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "1234ms"
    settings.STATEMENT_TIMEOUT_MS = 0
    set_statement_timeout(sender=None, connection=connection)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


def test_the_wsgi_entry_point_installs_the_statement_timeout():
    from django.db.backends.signals import connection_created

    was_installed = connection_created.disconnect(set_statement_timeout)  # schemathesis' tests import wsgi
    importlib.reload(importlib.import_module("callbot_site.wsgi"))

    assert connection_created.disconnect(set_statement_timeout)
    if was_installed:
        connection_created.connect(set_statement_timeout)


def test_operational_errors_in_general_are_a_503():
    from core.api.exceptions import api_exception_handler

    response = api_exception_handler(OperationalError("server closed the connection"), {})

    assert response.status_code == 503 and response["Retry-After"]
