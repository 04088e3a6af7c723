"""GET /api/v1/metrics/escalations/: the report over HTTP, for agents and supervisors, with clear 400s."""

import datetime

import pytest
from django.utils import timezone

from tests.analytics.test_escalations_data import DAY, LAST_DAY, build_escalation_world
from tests.handoff.factories import HandoffTicketFactory
from tests.interactions.factories import InteractionFactory

URL = "/api/v1/metrics/escalations/"
WEEK = {"date_from": DAY.isoformat(), "date_to": LAST_DAY.isoformat()}

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalation_world():
    build_escalation_world()


def test_the_report_of_a_week(agent_client, escalation_world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # token + roles, then the whole report in one query
        response = agent_client.get(URL, WEEK)

    assert response.status_code == 200
    body = response.json()
    assert (body["date_from"], body["date_to"]) == ("2026-03-09", "2026-03-15")
    assert body["by_intent_and_reason"] == [
        {
            "intent": "billing",
            "reason_code": "crm-action-failed",
            "reason_label": "A CRM action failed",
            "escalations": 1,
        },
        {
            "intent": "claim",
            "reason_code": "wrong-intent",
            "reason_label": "The bot misunderstood the intent",
            "escalations": 2,
        },
        {"intent": "claim", "reason_code": "open", "reason_label": "Not resolved yet", "escalations": 1},
    ]
    escalated, completed = body["confidence"]
    assert escalated["group"] == "escalated" and escalated["median"] == pytest.approx(0.55)
    assert escalated["histogram"] == [0, 0, 0, 0, 1, 1, 1, 0, 0, 0]
    assert completed == {
        "group": "completed",
        "interactions": 3,
        "scored": 3,
        "average": pytest.approx(0.95),
        "median": pytest.approx(0.95),
        "histogram": [0, 0, 0, 0, 0, 0, 0, 0, 0, 3],
    }
    assert body["crm_failures"] == {"escalations": 4, "with_failed_crm_action": 2, "share": 0.5}
    assert [(row["queue"], row["touched"], row["untouched"]) for row in body["first_touch_by_queue"]] == [
        ("billing", 1, 0),
        ("claims", 2, 1),
        ("general", 0, 1),
    ]
    assert body["first_touch_by_queue"][1]["p90_minutes"] == pytest.approx(9.4)
    assert [(row["action_type"], row["approved"], row["rejected"]) for row in body["approvals_by_action_type"]] == [
        ("update_address", 2, 1),
        ("check_policy_status", 0, 1),
    ]
    assert body["approvals_by_action_type"][0]["approval_rate"] == pytest.approx(2 / 3)
    assert body["approvals_by_action_type"][0]["edited_share"] == 0.5


def test_supervisors_read_it_too(supervisor_client, escalation_world):
    body = supervisor_client.get(URL, WEEK).json()

    assert body["crm_failures"]["escalations"] == 4


def test_without_dates_it_covers_the_last_seven_days(agent_client):
    HandoffTicketFactory(interaction=InteractionFactory(intent="billing", status="in_progress"))
    today = timezone.localdate()

    body = agent_client.get(URL).json()

    assert body["date_to"] == today.isoformat()
    assert body["date_from"] == (today - datetime.timedelta(days=6)).isoformat()
    assert body["by_intent_and_reason"] == [
        {"intent": "billing", "reason_code": "open", "reason_label": "Not resolved yet", "escalations": 1}
    ]


def test_date_from_alone_covers_from_that_day_to_today(agent_client):
    today = timezone.localdate()
    date_from = today - datetime.timedelta(days=20)

    body = agent_client.get(URL, {"date_from": date_from.isoformat()}).json()

    assert (body["date_from"], body["date_to"]) == (date_from.isoformat(), today.isoformat())


def test_an_empty_range_answers_zeros(agent_client):
    body = agent_client.get(URL, {"date_from": "2021-01-01", "date_to": "2021-01-31"}).json()

    assert body["by_intent_and_reason"] == [] and body["first_touch_by_queue"] == []
    assert body["crm_failures"] == {"escalations": 0, "with_failed_crm_action": 0, "share": None}
    assert [row["interactions"] for row in body["confidence"]] == [0, 0]
    assert body["approvals_by_action_type"] == []


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "date_from", "Must be on or before date_to."),
        ({"date_from": "2024-01-01", "date_to": "2025-01-01"}, "date_to", "The range may cover at most 366 days."),
        ({"date_from": "last week"}, "date_from", "Date has wrong format."),
        ({"date_to": "1999-12-31"}, "date_to", "1999-12-31 is out of range; allowed: 2000-01-01 to 2099-12-31."),
        ({"date_from": "2026-02-30"}, "date_from", "Date has wrong format."),
    ],
)
def test_bad_dates_get_a_400_naming_the_field(agent_client, params, field, message):
    response = agent_client.get(URL, params)

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert message in body["errors"][field][0]


def test_a_date_given_twice_is_refused(agent_client):
    response = agent_client.get(f"{URL}?date_from=2026-03-01&date_from=2026-03-02")

    assert response.status_code == 400
    assert response.json()["errors"]["date_from"] == ["Given 2 times; allowed: once."]


def test_bots_and_accounts_without_a_role_are_refused(bot_client, nobody_client, anonymous_client):
    for client in (bot_client, nobody_client):
        response = client.get(URL, WEEK)
        assert response.status_code == 403
        assert response.json()["type"] == "permission_denied"
    assert anonymous_client.get(URL, WEEK).status_code == 401


def test_the_schema_documents_the_report_and_its_errors(agent_client):
    schema = agent_client.get("/api/v1/schema/", {"format": "json"}).json()

    operation = schema["paths"][URL]["get"]
    assert {"200", "400", "401", "403", "429", "503"} <= set(operation["responses"])
    assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert [parameter["name"] for parameter in operation["parameters"]] == ["date_from", "date_to"]
