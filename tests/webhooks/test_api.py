"""/api/v1/webhooks/: a bot manages its own endpoints; everyone else is refused; clear 400s."""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.api.conftest import token_client
from tests.api.factories import BotFactory
from tests.processes import PRODUCTION_ENV, run_manage
from tests.webhooks.factories import WebhookEndpointFactory, secret_of
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db
URL = "/api/v1/webhooks/"
BODY = {"url": "https://bot.example.org/hooks", "events": ["ticket.resolved", "ticket.assigned"]}
ALLOWED = "ticket.assigned, ticket.resolved, interaction.completed, export.finished, approval.decided"


def test_create_returns_the_secret_once_then_list_and_get_do_not(bot_client):
    created = bot_client.post(URL, BODY, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    endpoint = WebhookEndpoint.objects.get(pk=data["id"])
    assert endpoint.client == bot_client.user
    assert data["secret"] == secret_of(endpoint) and data["secret"].startswith("whsec_")
    assert data["secret"] not in str(WebhookEndpoint.objects.values().get(pk=endpoint.pk))  # not stored
    assert data["events"] == ["ticket.assigned", "ticket.resolved"]
    assert data["is_active"] is True
    listed = bot_client.get(URL).json()["results"]
    assert [row["id"] for row in listed] == [data["id"]] and "secret" not in listed[0]
    assert "secret" not in bot_client.get(f"{URL}{data['id']}/").json()


def test_a_bot_sees_and_touches_only_its_own_endpoints(bot_client):
    own = WebhookEndpointFactory(client=bot_client.user)
    other = WebhookEndpointFactory(client=BotFactory())
    assert [row["id"] for row in bot_client.get(URL).json()["results"]] == [str(own.pk)]
    assert bot_client.get(f"{URL}{other.pk}/").status_code == 404
    assert bot_client.patch(f"{URL}{other.pk}/", {"is_active": False}, format="json").status_code == 404
    assert bot_client.post(f"{URL}{other.pk}/rotate-secret/").status_code == 404
    assert bot_client.delete(f"{URL}{other.pk}/").status_code == 404
    other.refresh_from_db()
    assert other.is_active and other.secret_rotated_at is None
    assert bot_client.get(f"{URL}not-a-uuid/").status_code == 404


@pytest.mark.parametrize(
    "client_name, code",
    [("agent_client", 403), ("supervisor_client", 403), ("nobody_client", 403), ("anonymous_client", 401)],
)
def test_people_and_strangers_are_refused(request, client_name, code):
    client = request.getfixturevalue(client_name)
    endpoint = WebhookEndpointFactory()
    assert client.get(URL).status_code == code
    assert client.post(URL, BODY, format="json").status_code == code
    assert client.get(f"{URL}{endpoint.pk}/").status_code == code
    assert client.patch(f"{URL}{endpoint.pk}/", {"is_active": False}, format="json").status_code == code
    assert client.delete(f"{URL}{endpoint.pk}/").status_code == code
    assert client.post(f"{URL}{endpoint.pk}/rotate-secret/").status_code == code
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).exists()
    assert WebhookEndpoint.objects.count() == 1


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://bot.example.org/hooks", "'http://bot.example.org' is not allowed; allowed: an https:// URL"),
        ("ftp://bot.example.org/hooks", "is not a valid URL"),
        ("bot.example.org/hooks", "is not a valid URL"),
        ("https://user:pw@bot.example.org/hooks", "Credentials in the URL are not allowed"),
        ("https://bot.example.org:99999/", "is not a valid URL"),
        ("http://10.0.0.1/hooks", "'http://10.0.0.1' is not allowed"),
        ("https://10.0.0.1/hooks", "'10.0.0.1' is an internal address; allowed: a public host name or address."),
        ("https://169.254.169.254/latest/", "'169.254.169.254' is an internal address"),
        ("https://[::1]:8443/hooks", "'::1' is an internal address"),
    ],
)
def test_url_validation_400_names_what_is_allowed(bot_client, url, message):
    response = bot_client.post(URL, {**BODY, "url": url}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert message in body["errors"]["url"][0]
    assert WebhookEndpoint.objects.count() == 0


def test_plain_http_to_this_machine_only_when_the_setting_allows_it(bot_client, settings):
    body = {**BODY, "url": "http://127.0.0.1:8765/hooks"}
    assert bot_client.post(URL, body, format="json").status_code == 201  # test settings allow it
    settings.WEBHOOKS_ALLOW_INSECURE_LOCALHOST = False
    refused = bot_client.post(URL, {**body, "url": "http://localhost:8765/hooks"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["url"] == ["'http://localhost' is not allowed; allowed: an https:// URL."]
    internal = bot_client.post(URL, {**body, "url": "https://localhost:8765/hooks"}, format="json")
    assert internal.json()["errors"]["url"] == [
        "'localhost' is an internal address; allowed: a public host name or address."
    ]


def test_unknown_event_type_400_names_the_allowed_values(bot_client):
    response = bot_client.post(URL, {**BODY, "events": ["ticket.resolved", "ticket.exploded"]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"events.1": [f"'ticket.exploded' is not allowed; allowed: {ALLOWED}."]}
    empty = bot_client.post(URL, {**BODY, "events": []}, format="json")
    assert empty.status_code == 400 and "events" in empty.json()["errors"]
    unknown_field = bot_client.post(URL, {**BODY, "secret": "mine"}, format="json")
    assert unknown_field.status_code == 400 and "secret" in unknown_field.json()["errors"]
    assert WebhookEndpoint.objects.count() == 0


def test_patch_changes_only_what_is_given_and_validates(bot_client):
    endpoint = WebhookEndpointFactory(client=bot_client.user, events=["ticket.resolved"])
    response = bot_client.patch(
        f"{URL}{endpoint.pk}/", {"events": ["export.finished"], "is_active": False}, format="json"
    )
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.events == ["export.finished"] and endpoint.is_active is False
    assert endpoint.url.startswith("https://bot.example.org/")
    bad = bot_client.patch(f"{URL}{endpoint.pk}/", {"url": "http://bot.example.org/"}, format="json")
    assert bad.status_code == 400 and "url" in bad.json()["errors"]


def test_rotate_gives_a_new_secret_and_keeps_the_old_one_for_the_grace_period(bot_client, settings):
    endpoint = WebhookEndpointFactory(client=bot_client.user)
    old_secret = secret_of(endpoint)
    response = bot_client.post(f"{URL}{endpoint.pk}/rotate-secret/")
    assert response.status_code == 200
    data = response.json()
    endpoint.refresh_from_db()
    assert data["secret"] == secret_of(endpoint) != old_secret
    assert endpoint.previous_secret_salt and data["previous_secret_expires_at"]
    grace = endpoint.previous_secret_expires_at - endpoint.secret_rotated_at
    assert grace == settings.WEBHOOKS_SECRET_ROTATION_GRACE


def test_delete_removes_the_endpoint(bot_client):
    endpoint = WebhookEndpointFactory(client=bot_client.user)
    assert bot_client.delete(f"{URL}{endpoint.pk}/").status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert bot_client.delete(f"{URL}{endpoint.pk}/").status_code == 404


def test_list_query_count_does_not_grow_with_endpoints(bot_client, django_assert_max_num_queries):
    WebhookEndpointFactory.create_batch(5, client=bot_client.user)
    with django_assert_max_num_queries(6):
        assert len(bot_client.get(URL).json()["results"]) == 5


def test_a_bot_turned_agent_account_is_refused(db):
    client = token_client(BotFactory())
    client.user.groups.clear()
    assert client.get(URL).status_code == 403


WRITES = [("post", "{base}"), ("patch", "{base}{id}/"), ("post", "{base}{id}/rotate-secret/")]
TEXT = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('\x00\\"[{:/'), max_size=30)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=10,
)
LIKELY_URLS = st.sampled_from(["https://", "http://", "https://[::1", "https://a.b:0/", "https://ä.example/x"]).flatmap(
    lambda prefix: TEXT.map(lambda rest: prefix + rest)
)
BODIES = JSON | st.fixed_dictionaries(
    {}, optional={"url": LIKELY_URLS | JSON, "events": JSON, "description": JSON, "is_active": JSON}
)


@pytest.mark.parametrize("method, path", WRITES)
def test_random_json_is_never_a_server_error(bot_client, method, path):
    endpoint = WebhookEndpointFactory(client=bot_client.user)
    url = path.format(base=URL, id=endpoint.pk)

    @hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=BODIES)
    def throw(body):
        response = getattr(bot_client, method)(url, body, format="json")
        assert response.status_code < 500, (body, response.content[:300])

    throw()


@pytest.mark.parametrize("key", ["change-me", "short-key-of-twenty-chars"])
def test_a_weak_signing_key_is_reported_by_check_deploy(key):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, "WEBHOOKS_SIGNING_KEY": key}
    )

    assert result.returncode != 0
    assert "webhooks.W001" in result.stdout + result.stderr


def test_the_documented_production_key_passes_check_deploy():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "webhooks.W001" not in result.stdout + result.stderr
