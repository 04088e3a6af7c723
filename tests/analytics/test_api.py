"""/api/v1/metrics/…: the useful queries over HTTP, for agents and supervisors only, with clear 400s."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.services import compute_daily_metrics
from tests.analytics.factories import at_local, backdate
from tests.api.factories import BotFactory
from tests.crm.factories import CrmActionFactory
from tests.handoff.factories import HandoffTicketFactory, QueueFactory
from tests.interactions.factories import InteractionFactory


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def agent_api(agent):
    return client_for(agent)


@pytest.fixture
def activity(db):
    done = InteractionFactory(status="completed", channel="chat")
    backdate(done, resolution_time_seconds=120)
    InteractionFactory(status="failed")
    CrmActionFactory(action_type="update_address", success=False, execution_time_ms=300)
    CrmActionFactory(action_type="update_address", success=True, execution_time_ms=100)
    queue = QueueFactory(name="claims", target_wait_minutes=5)
    old = HandoffTicketFactory(queue=queue, priority="low")
    backdate(old, created_at=timezone.now() - datetime.timedelta(minutes=9))
    return HandoffTicketFactory(queue=queue, priority="high")


def test_today_gives_the_days_figures(agent_api, activity):
    body = agent_api.get("/api/v1/metrics/today/").json()

    assert body["date"] == timezone.localdate().isoformat()
    assert body["total_interactions"] == 6  # 2 plain, 2 for the CRM actions, 2 for the tickets
    assert body["completed"] == 1 and body["failed"] == 1
    assert body["escalated"] == 2
    assert body["completion_rate"] == pytest.approx(1 / 6)
    assert body["avg_resolution_seconds"] == 120
    assert body["tickets_waiting"] == 2


def test_todays_interactions_are_listed_newest_first(agent_api, activity, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        body = agent_api.get("/api/v1/metrics/today/interactions/").json()

    created = [row["created_at"] for row in body["results"]]
    assert len(created) == 6 and created == sorted(created, reverse=True)


def test_crm_actions_of_a_day(agent_api, activity):
    body = agent_api.get("/api/v1/metrics/crm-actions/", {"date": timezone.localdate().isoformat()}).json()

    assert body == [{"action_type": "update_address", "count": 2, "avg_execution_ms": 200.0, "success_rate": 0.5}]


def test_crm_actions_of_a_quiet_day_is_an_empty_list(agent_api, activity):
    assert agent_api.get("/api/v1/metrics/crm-actions/", {"date": "2020-01-01"}).json() == []


def test_queues_and_queued_tickets_in_claim_order(agent_api, activity):
    queues = agent_api.get("/api/v1/metrics/queues/").json()
    tickets = agent_api.get("/api/v1/metrics/queued-tickets/", {"queue": "claims"}).json()["results"]

    assert queues == [
        {
            "queue": "claims",
            "queued": 2,
            "oldest_created_at": queues[0]["oldest_created_at"],
            "oldest_wait_minutes": 9,
            "target_wait_minutes": 5,
            "late": True,
        },
        {  # the default queue, empty: listed all the same
            "queue": "general",
            "queued": 0,
            "oldest_created_at": None,
            "oldest_wait_minutes": None,
            "target_wait_minutes": 5,
            "late": False,
        },
    ]
    assert [(ticket["priority"], ticket["wait_minutes"]) for ticket in tickets] == [("high", 0), ("low", 9)]


def test_performance_over_n_days(agent_api, activity):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    backdate(InteractionFactory(), created_at=at_local(yesterday, 10))
    compute_daily_metrics(day=yesterday)

    body = agent_api.get("/api/v1/metrics/performance/", {"days": 2}).json()

    assert [(row["date"], row["total_interactions"], row["source"]) for row in body] == [
        (yesterday.isoformat(), 1, "stored"),
        (timezone.localdate().isoformat(), 6, "live"),
    ]


def test_performance_defaults_to_30_days(agent_api, db):
    assert len(agent_api.get("/api/v1/metrics/performance/").json()) == 30


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/metrics/performance/", {"days": 0}, "days"),
        ("/api/v1/metrics/performance/", {"days": "many"}, "days"),
        ("/api/v1/metrics/performance/", {"days": 400}, "days"),
        ("/api/v1/metrics/crm-actions/", {"date": "yesterday"}, "date"),
    ],
)
def test_bad_filters_answer_400_with_the_field(agent_api, url, params, field):
    response = agent_api.get(url, params)

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert field in response.json()["errors"]


@pytest.mark.parametrize("url", ["/api/v1/metrics/today/", "/api/v1/metrics/queues/", "/api/v1/metrics/performance/"])
def test_metrics_are_for_humans_not_bots_nor_anonymous(db, url):
    assert client_for(BotFactory()).get(url).status_code == 403
    assert APIClient().get(url).status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/metrics/daily/?date_to=9999-12-31",
        "/api/v1/metrics/daily/?date_to=0001-01-02",
        "/api/v1/metrics/daily/?date_from=1999-12-31&date_to=2000-01-05",
        "/api/v1/metrics/crm-actions/?date=9999-12-31",
    ],
)
def test_dates_outside_the_supported_range_are_400_naming_the_range(agent_api, url):
    response = agent_api.get(url)
    assert response.status_code == 400
    assert "allowed: 2000-01-01 to 2099-12-31" in str(response.json()["errors"])
