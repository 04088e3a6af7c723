"""Property-based run of schemathesis against /api/v1/schema/, authenticated as a supervisor and as a bot.

Every operation gets a bounded number of generated requests; none may answer a server error, and every
answer must match the schema (status code documented, body and headers as declared, JSON content type).
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from callbot_site.wsgi import application
from tests.api.conftest import token_client

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 15


def _schema_as_served() -> dict:
    """The document /api/v1/schema/ serves (built at collection time: pytest 9 breaks schemathesis' lazy
    fixtures, and the served endpoint needs a token from the test database). The test below checks that
    the endpoint serves exactly this document."""
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))


SERVED = _schema_as_served()
schema = schemathesis.openapi.from_dict(SERVED)
schema.app = application


@pytest.fixture(params=["supervisor", "bot"])
def api_headers(request):
    """A supervisor reaches every operation; a bot client meets the permission refusals (403)."""
    caller = request.getfixturevalue(request.param)
    # The test client would close the test's database connection at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": token_client(caller)._credentials["HTTP_AUTHORIZATION"]}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _reason_codes_aside(document: dict) -> dict:
    """The document without the list of resolution reason codes and the queue names, which are read from the
    database: at collection time there is none, so SERVED declares the code as plain text and lists no queue."""
    document = json.loads(json.dumps(document))
    document["components"]["schemas"].pop("ReasonCodeEnum", None)
    document["components"]["schemas"]["ResolveInputRequest"]["properties"]["reason_code"] = "aside"
    document["components"]["schemas"]["HandoffInputRequest"]["properties"]["queue_name"]["description"] = "aside"
    return document


@pytest.mark.django_db
def test_the_endpoint_serves_the_schema_under_test(supervisor_client):
    response = supervisor_client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    served = json.loads(response.content)
    assert served == _schema_as_served()
    assert _reason_codes_aside(served) == _reason_codes_aside(SERVED)


# Every operation of the schema, including other apps' (the Berinia export reaches its own database).
@pytest.mark.django_db(databases=["default", "berinia"])
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_api_conforms_to_its_schema(case, api_headers):
    case.call_and_validate(headers=api_headers, checks=CHECKS)
