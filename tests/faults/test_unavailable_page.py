"""DatabaseUnavailableMiddleware: an OperationalError outside the API's views is a 503 with Retry-After."""

import logging

import pytest
from django.contrib.auth.views import LoginView
from django.db import OperationalError

from idempotency import middleware as idempotency_middleware

pytestmark = pytest.mark.django_db

LOST = OperationalError("connection to server on socket failed: No such file or directory")


def _refuse(*args, **kwargs):
    raise LOST


def test_a_page_whose_view_loses_the_database_is_a_styled_503(client, monkeypatch, caplog):
    monkeypatch.setattr(LoginView, "get", _refuse)

    with caplog.at_level(logging.WARNING):
        response = client.get("/admin/login/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Temporarily unavailable" in page and "<style nonce=" in page
    assert "Traceback" not in page and "socket" not in page
    [record] = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert record.name == "callbot_site.unavailable" and record.exc_info is None
    assert "GET /admin/login/ hit a database error" in record.getMessage()


def test_a_middleware_below_that_loses_the_database_gives_the_api_error_shape(client, monkeypatch, caplog):
    monkeypatch.setattr(idempotency_middleware, "_client_of", _refuse)

    with caplog.at_level(logging.WARNING):
        response = client.post(
            "/api/v1/turns/", {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1", HTTP_AUTHORIZATION="x"
        )

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "type": "database_unavailable",
        "detail": "The database is temporarily unavailable; retry shortly.",
        "errors": {},
    }
    assert [record.name for record in caplog.records if record.levelno >= logging.WARNING] == [
        "callbot_site.unavailable"
    ]


def test_other_errors_stay_500s(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(LoginView, "get", broken)
    client.raise_request_exception = False

    assert client.get("/admin/login/").status_code == 500
