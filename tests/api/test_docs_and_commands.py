"""Swagger UI and Redoc without a CDN; the account commands (create_api_client, create_agent)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import ApiToken
from accounts.roles import is_agent, is_supervisor
from accounts.tokens import digest_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_api_docs_are_served_from_installed_static_files(path, agent_client):
    response = agent_client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html and "unpkg" not in html


def _run(*args) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_create_api_client_prints_the_token_last_once_then_asks_for_rotate():
    # Tokens are stored hashed: a re-run cannot print the same token again, so it refuses and points to --rotate.
    token = _run("create_api_client", "tool-router")[-1]
    assert ApiToken.objects.get(user__username="tool-router").digest == digest_of(token)
    with pytest.raises(CommandError, match="--rotate"):
        _run("create_api_client", "tool-router")
    rotated = _run("create_api_client", "tool-router", "--rotate")[-1]
    assert rotated != token and ApiToken.objects.filter(user__username="tool-router").count() == 2


def test_create_api_client_refuses_to_turn_a_person_into_a_bot(agent):
    with pytest.raises(CommandError, match="not an API client"):
        _run("create_api_client", "alice")
    with pytest.raises(CommandError, match="Invalid client name"):
        _run("create_api_client", "no spaces allowed")


def test_create_agent_and_supervisor():
    _run("create_agent", "claire", "--password", "a-long-enough-passphrase")
    _run("create_agent", "sophie", "--password", "a-long-enough-passphrase", "--supervisor")
    users = get_user_model().objects
    claire, sophie = users.get(username="claire"), users.get(username="sophie")
    assert is_agent(claire) and not is_supervisor(claire) and claire.check_password("a-long-enough-passphrase")
    assert is_supervisor(sophie)
    with pytest.raises(CommandError, match="too weak"):
        _run("create_agent", "weak", "--password", "123")
    assert not users.filter(username="weak").exists()


@pytest.mark.django_db
def test_the_browsable_api_renders_list_pages_for_a_person_in_a_browser(client, agent):
    """DRF's HTML forms need a serializer_class and a queryset our views do not have: they used to answer 500."""
    client.force_login(agent)
    for url in ("/api/v1/interactions/", "/api/v1/tickets/", "/api/v1/notifications/", "/api/v1/metrics/daily/"):
        page = client.get(url, HTTP_ACCEPT="text/html")
        assert page.status_code == 200, url
        assert page["Content-Type"].startswith("text/html"), url
    tickets = client.get("/api/v1/tickets/", HTTP_ACCEPT="text/html").content.decode()
    assert "&quot;results&quot;" in tickets  # the response, shown as escaped JSON
