"""One error shape everywhere, and per-client throttling with Retry-After."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework import exceptions

from core.api.exceptions import api_exception_handler, flatten_errors
from core.errors import Conflict, InvalidInput, InvalidTransition, NotFound, PermissionRefused

pytestmark = pytest.mark.django_db


def test_malformed_json_is_a_400_parse_error(bot_client):
    response = bot_client.post("/api/v1/interactions/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["type"] == "parse_error" and response.json()["errors"] == {}


def test_non_json_body_is_415_and_wrong_method_is_405(bot_client):
    form = bot_client.post("/api/v1/interactions/", data="a=b", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415 and form.json()["type"] == "unsupported_media_type"
    delete = bot_client.delete("/api/v1/interactions/")
    assert delete.status_code == 405 and delete.json()["type"] == "method_not_allowed"


def test_a_json_list_instead_of_an_object_is_a_400(bot_client):
    response = bot_client.post("/api/v1/interactions/", [1, 2], format="json")
    assert response.status_code == 400 and response.json()["type"] == "validation_error"


@pytest.mark.parametrize(
    ("error", "status", "error_type"),
    [
        (InvalidInput.for_field("channel", "'fax' is not allowed"), 400, "validation_error"),
        (NotFound("Ticket x does not exist."), 404, "not_found"),
        (InvalidTransition("Ticket", "queued", "resolved", ["assigned"]), 409, "invalid_transition"),
        (Conflict("Already there."), 409, "conflict"),
        (PermissionRefused("No."), 403, "permission_denied"),
    ],
)
def test_domain_errors_map_to_http_codes_in_the_one_shape(error, status, error_type):
    response = api_exception_handler(error, {})
    assert response.status_code == status
    assert set(response.data) == {"type", "detail", "errors"}
    assert response.data["type"] == error_type and response.data["detail"] == error.message


def test_unexpected_errors_become_a_logged_500_without_a_traceback(caplog):
    response = api_exception_handler(RuntimeError("secret internals"), {})
    assert response.status_code == 500
    assert "secret" not in str(response.data) and response.data["type"] == "server_error"
    assert "Unhandled error" in caplog.text


def test_nested_validation_errors_are_flattened_to_dotted_fields():
    detail = exceptions.ValidationError({"interaction": {"channel": ["bad"]}, "items": [{}, {"x": ["no"]}]}).detail
    assert flatten_errors(detail) == {"interaction.channel": ["bad"], "items.1.x": ["no"]}


@pytest.fixture
def tight_rates():
    rates = {"client_burst": "3/min", "client_sustained": "1000/min"}
    cache.clear()
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        yield
    cache.clear()


def _rest_framework():
    from django.conf import settings

    return settings.REST_FRAMEWORK


def test_a_runaway_client_gets_429_with_retry_after_and_others_are_unaffected(tight_rates, bot_client, agent_client):
    statuses = [bot_client.get("/api/v1/interactions/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = bot_client.get("/api/v1/interactions/")
    assert throttled.json()["type"] == "throttled"
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert agent_client.get("/api/v1/interactions/").status_code == 200
