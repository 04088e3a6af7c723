"""What the server enforces, the schema declares (and the other way round): the findings of a strict client.

Each test pins one reproduction of a `schemathesis run --checks all` finding: a schema-valid request the
server refused, or a schema-violating one it accepted.
"""

import json
import re
import sys

import pytest
from drf_spectacular.generators import SchemaGenerator

from core.api.patterns import NON_BLANK_PATTERN, NUL_FREE_PATTERN
from handoff.models import ResolutionReason
from tests.handoff.factories import HandoffTicketFactory
from tests.interactions.factories import InteractionFactory

LISTS = ["/api/v1/tickets/", "/api/v1/notifications/", "/api/v1/metrics/queued-tickets/"]


def schema() -> dict:
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))


def parameter(document: dict, path: str, name: str) -> dict:
    [found] = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name]
    return found["schema"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("value", ["null", "0", "201", "1.5", "-3", "٣"])
def test_a_bad_page_size_is_a_400_naming_it_not_the_default_page(supervisor_client, path, value):
    response = supervisor_client.get(path, {"page_size": value})

    assert response.status_code == 400, response.content
    assert f"'{value}' is not allowed; allowed: an integer from 1 to 200." in response.json()["errors"]["page_size"]


@pytest.mark.django_db
def test_a_bad_page_is_a_400_and_a_page_past_the_end_a_404(supervisor_client):
    assert supervisor_client.get("/api/v1/tickets/", {"page": "last"}).status_code == 400
    assert supervisor_client.get("/api/v1/tickets/", {"page": "0"}).json()["errors"]["page"]
    assert supervisor_client.get("/api/v1/tickets/", {"page": "9"}).status_code == 404


@pytest.mark.django_db
def test_the_interactions_cursor_list_checks_page_size_too(supervisor_client):
    response = supervisor_client.get("/api/v1/interactions/", {"page_size": "null"})

    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


@pytest.mark.django_db
def test_a_parameter_given_twice_is_refused_not_half_read(supervisor_client):
    assert supervisor_client.get("/api/v1/tickets/?page=1&page=2").json()["errors"]["page"] == [
        "Given 2 times; allowed: once."
    ]
    response = supervisor_client.get("/api/v1/tickets/?status=queued&status=resolved")
    assert response.status_code == 400
    assert response.json()["errors"] == {"status": ["Given 2 times; allowed: once."]}


@pytest.mark.django_db
@pytest.mark.parametrize("phone", [1.8183503153022077e-227, 33612345678, True])
def test_a_number_is_not_taken_for_text(supervisor_client, phone):
    response = supervisor_client.post(
        "/api/v1/customers/", {"customer_id": "CUST-77", "name": "Ana", "phone": phone}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"phone": ["Expected a JSON string."]}


@pytest.mark.django_db
def test_max_length_counts_what_was_sent_as_the_schema_does(supervisor_client):
    name = " " + "x" * 200  # 201 characters sent; 200 after DRF's trimming

    response = supervisor_client.post("/api/v1/customers/", {"customer_id": "CUST-78", "name": name}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["name"] == ["Ensure this field has no more than 200 characters."]


@pytest.mark.django_db
@pytest.mark.parametrize("score", [-1.6292046116956946e308, 1.7e308])
def test_a_huge_score_is_a_400_not_a_decimal_error(bot_client, score):
    interaction = InteractionFactory()

    response = bot_client.post(
        f"/api/v1/interactions/{interaction.pk}/responses/",
        {"response_text": "ok", "confidence_score": score},
        format="json",
    )

    assert response.status_code == 400
    assert "confidence_score" in response.json()["errors"]


@pytest.mark.django_db
def test_one_bound_alone_is_always_a_valid_daily_range(supervisor_client):
    future = supervisor_client.get("/api/v1/metrics/daily/", {"date_from": "2091-10-27"})
    old = supervisor_client.get("/api/v1/metrics/daily/", {"date_from": "2000-01-01"})
    first_day = supervisor_client.get("/api/v1/metrics/daily/", {"date_to": "2000-01-01"})

    assert (future.status_code, old.status_code, first_day.status_code) == (200, 200, 200)


def test_the_non_blank_pattern_refuses_exactly_what_drf_trims_to_nothing():
    pattern = re.compile(NON_BLANK_PATTERN)
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        refused_by_drf = character == "\x00" or character.strip() == ""
        assert (pattern.search(character) is None) == refused_by_drf, hex(code)
    assert pattern.search(" a ") and not pattern.search(" \t\x1f ")
    assert re.search(NUL_FREE_PATTERN, "") and not re.search(NUL_FREE_PATTERN, "a\x00b")


@pytest.mark.django_db
def test_report_dates_are_declared_with_the_range_the_server_enforces(supervisor_client):
    date_pattern = re.compile(parameter(schema(), "/api/v1/metrics/daily/", "date_to")["pattern"])
    for day, allowed in [("1999-12-31", False), ("2000-01-01", True), ("2099-12-31", True), ("2100-01-01", False)]:
        answer = supervisor_client.get("/api/v1/metrics/daily/", {"date_from": day, "date_to": day}).status_code
        assert (answer == 200, bool(date_pattern.search(day))) == (allowed, allowed), day


@pytest.mark.django_db
def test_reason_codes_are_listed_from_the_database(supervisor_client):
    ResolutionReason.objects.create(code="callback-promised", label="Callback promised")
    ResolutionReason.objects.filter(code="other").update(is_active=False)

    served = supervisor_client.get("/api/v1/schema/", {"format": "json"}).json()

    codes = served["components"]["schemas"]["ReasonCodeEnum"]["enum"]
    assert "callback-promised" in codes and "other" not in codes
    assert codes == sorted(ResolutionReason.objects.filter(is_active=True).values_list("code", flat=True))


@pytest.mark.django_db
def test_a_listed_reason_code_resolves_and_an_unlisted_one_is_refused_naming_the_list(agent, agent_client):
    ticket = HandoffTicketFactory(status="in_progress", assigned_agent=agent)

    refused = agent_client.post(
        f"/api/v1/tickets/{ticket.pk}/resolve/", {"resolution_notes": "n", "reason_code": "nope"}, format="json"
    )
    accepted = agent_client.post(
        f"/api/v1/tickets/{ticket.pk}/resolve/", {"resolution_notes": "n", "reason_code": "other"}, format="json"
    )

    assert refused.status_code == 400 and "allowed: " in refused.json()["errors"]["reason_code"][0]
    assert accepted.status_code == 200


def test_turns_declare_start_or_continue_and_no_final_status_with_a_handoff():
    turn = schema()["components"]["schemas"]["TurnInputRequest"]

    assert turn["oneOf"] == [{"required": ["interaction_id"]}, {"required": ["interaction"]}]
    assert turn["not"]["required"] == ["handoff", "status"]
    assert sorted(turn["not"]["properties"]["status"]["enum"]) == ["completed", "failed"]


def test_every_operation_documents_the_statuses_any_request_may_meet():
    document = schema()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "414", "429", "503"} <= codes, (method, path)
            if method == "post":
                assert {"413", "415", "422"} <= codes, (method, path)
            assert "Retry-After" in operation["responses"]["503"]["headers"]


def test_free_form_json_declares_no_nul_in_keys_or_strings():
    document = schema()
    metadata = document["components"]["schemas"]["CustomerCreateInputRequest"]["properties"]["metadata"]

    assert metadata["propertyNames"] == {"pattern": NUL_FREE_PATTERN}
    value = document["components"]["schemas"]["JsonValue"]
    assert "type" not in value  # any JSON value; each keyword constrains only its own kind
    assert (value["pattern"], value["propertyNames"]["pattern"]) == (NUL_FREE_PATTERN, NUL_FREE_PATTERN)
    assert value["items"] == value["additionalProperties"] == {"$ref": "#/components/schemas/JsonValue"}


@pytest.mark.django_db
def test_with_no_active_reason_the_schema_stays_valid(supervisor_client):
    ResolutionReason.objects.update(is_active=False)

    served = supervisor_client.get("/api/v1/schema/", {"format": "json"}).json()

    reason_code = served["components"]["schemas"]["ResolveInputRequest"]["properties"]["reason_code"]
    assert "ReasonCodeEnum" not in served["components"]["schemas"]  # an empty enum is no valid document
    assert reason_code["pattern"] == NON_BLANK_PATTERN


@pytest.mark.django_db
@pytest.mark.parametrize("score", ["0.5", True])
def test_a_number_field_takes_a_json_number_only(bot_client, score):
    interaction = InteractionFactory()

    response = bot_client.post(
        f"/api/v1/interactions/{interaction.pk}/responses/",
        {"response_text": "ok", "confidence_score": score},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"confidence_score": ["Expected a JSON number."]}


@pytest.mark.django_db
@pytest.mark.parametrize("flag", [0, 1, "false"])
def test_a_boolean_field_takes_a_json_boolean_only(bot_client, flag):
    interaction = InteractionFactory()

    response = bot_client.post(
        f"/api/v1/interactions/{interaction.pk}/crm-actions/",
        {"customer_id": interaction.customer_id, "action_type": "check_policy_status", "success": flag},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"success": ["Expected a JSON boolean: true or false."]}


def test_a_nullable_json_output_admits_null_once():
    """`oneOf: [{}, null]` made every null a schema violation (null matches both branches)."""
    approved_input = schema()["components"]["schemas"]["ProposalOutput"]["properties"]["approved_input"]

    assert "oneOf" not in approved_input
