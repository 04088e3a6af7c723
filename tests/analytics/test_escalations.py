"""Why bots escalate: the selectors over a date range, on known data with exact figures."""

import datetime

import pytest
from django.utils import timezone

from analytics import escalations
from core.errors import InvalidInput
from handoff.models import ResolutionReason
from tests.analytics.test_escalations_data import DAY, LAST_DAY, build_escalation_world
from tests.handoff.factories import HandoffTicketFactory
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalation_world():
    build_escalation_world()


RANGE = {"date_from": DAY, "date_to": LAST_DAY}


def test_escalations_by_intent_and_reason_with_open_tickets_as_open(escalation_world):
    rows = escalations.escalations_by_intent_and_reason(**RANGE)

    assert rows == [
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
            "escalations": 2,  # one of them had an earlier ticket resolved as "other": the latest one counts
        },
        {"intent": "claim", "reason_code": "open", "reason_label": "Not resolved yet", "escalations": 1},
    ]


def test_confidence_of_escalated_and_completed_interactions(escalation_world):
    escalated, completed = escalations.confidence_of_escalated_and_completed(**RANGE)

    assert escalated["group"] == "escalated"
    assert (escalated["interactions"], escalated["scored"]) == (4, 3)  # one escalation had no score
    assert escalated["average"] == pytest.approx((0.40 + 0.55 + 0.62) / 3)
    assert escalated["median"] == pytest.approx(0.55)
    assert escalated["histogram"] == [0, 0, 0, 0, 1, 1, 1, 0, 0, 0]
    assert completed["group"] == "completed"  # completed without a ticket; the failed one is in neither
    assert (completed["interactions"], completed["scored"]) == (3, 3)
    assert completed["average"] == pytest.approx(0.95)
    assert completed["median"] == pytest.approx(0.95)
    assert completed["histogram"] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 3]  # 1.000 falls in the last bucket


def test_share_of_escalations_with_a_failed_crm_action(escalation_world):
    assert escalations.escalations_with_failed_crm_action(**RANGE) == {
        "escalations": 4,
        "with_failed_crm_action": 2,
        "share": 0.5,
    }


def test_first_human_touch_per_queue(escalation_world):
    billing, claims, general = escalations.first_human_touch_by_queue(**RANGE)

    assert billing == {
        "queue": "billing",
        "tickets": 1,
        "touched": 1,
        "untouched": 0,
        "avg_minutes": 30.0,
        "p50_minutes": 30.0,
        "p90_minutes": 30.0,
    }
    assert (claims["tickets"], claims["touched"], claims["untouched"]) == (3, 2, 1)
    # 4 min (assigned before started) and 10 min (started without an assignment)
    assert claims["avg_minutes"] == pytest.approx(7)
    assert claims["p50_minutes"] == pytest.approx(7)
    assert claims["p90_minutes"] == pytest.approx(9.4)
    assert general == {
        "queue": "general",
        "tickets": 1,
        "touched": 0,
        "untouched": 1,
        "avg_minutes": None,
        "p50_minutes": None,
        "p90_minutes": None,
    }


def test_approval_rates_per_action_type(escalation_world):
    address, policy = escalations.approval_rates_by_action_type(**RANGE)

    assert address == {
        "action_type": "update_address",
        "proposals": 4,
        "pending": 1,
        "approved": 2,
        "approved_edited": 1,
        "rejected": 1,
        "approval_rate": pytest.approx(2 / 3),  # among decided proposals
        "edited_share": 0.5,
        "median_decision_minutes": 20.0,
    }
    assert policy == {
        "action_type": "check_policy_status",
        "proposals": 1,
        "pending": 0,
        "approved": 0,
        "approved_edited": 0,
        "rejected": 1,
        "approval_rate": 0.0,
        "edited_share": None,
        "median_decision_minutes": 5.0,
    }


def test_the_whole_report_is_one_query(escalation_world, django_assert_num_queries):
    with django_assert_num_queries(1):
        report = escalations.escalation_report(**RANGE)

    assert report["date_from"] == DAY and report["date_to"] == LAST_DAY
    assert sum(row["escalations"] for row in report["by_intent_and_reason"]) == 4
    assert report["crm_failures"]["with_failed_crm_action"] == 2
    assert [row["queue"] for row in report["first_touch_by_queue"]] == ["billing", "claims", "general"]
    assert [row["proposals"] for row in report["approvals_by_action_type"]] == [4, 1]


def test_each_table_alone_is_one_query(escalation_world, django_assert_num_queries):
    for selector in (
        escalations.escalations_by_intent_and_reason,
        escalations.confidence_of_escalated_and_completed,
        escalations.escalations_with_failed_crm_action,
        escalations.first_human_touch_by_queue,
        escalations.approval_rates_by_action_type,
    ):
        with django_assert_num_queries(1):
            selector(**RANGE)


def test_days_outside_the_range_are_left_out(escalation_world):
    """The range's edges are local midnights: 23:30 the evening before and midnight after are outside."""
    day_before = DAY - datetime.timedelta(days=1)
    assert escalations.escalations_by_intent_and_reason(date_from=day_before, date_to=day_before) == [
        {"intent": "claim", "reason_code": "open", "reason_label": "Not resolved yet", "escalations": 1}
    ]
    assert sum(row["escalations"] for row in escalations.escalations_by_intent_and_reason(**RANGE)) == 4


def test_an_empty_range_gives_empty_tables_and_zeros(db):
    report = escalations.escalation_report(date_from=datetime.date(2021, 1, 1), date_to=datetime.date(2021, 1, 7))

    assert report["by_intent_and_reason"] == [] and report["first_touch_by_queue"] == []
    assert report["approvals_by_action_type"] == []
    assert report["crm_failures"] == {"escalations": 0, "with_failed_crm_action": 0, "share": None}
    assert [row["group"] for row in report["confidence"]] == ["escalated", "completed"]
    assert report["confidence"][0] == {
        "group": "escalated",
        "interactions": 0,
        "scored": 0,
        "average": None,
        "median": None,
        "histogram": [0] * 10,
    }


def test_reason_labels_come_from_the_reasons_table(escalation_world):
    ResolutionReason.objects.filter(code="crm-action-failed").update(label="CRM failure")

    [billing, *_] = escalations.escalations_by_intent_and_reason(**RANGE)

    assert billing["reason_label"] == "CRM failure"


def test_a_ticket_resolved_without_a_reason_counts_as_unspecified(db):
    interaction = InteractionFactory(intent="claim", status="completed")
    HandoffTicketFactory(interaction=interaction, status="resolved", resolved_at=timezone.now())
    today = timezone.localdate()

    rows = escalations.escalations_by_intent_and_reason(date_from=today, date_to=today)

    assert rows == [
        {"intent": "claim", "reason_code": "unspecified", "reason_label": "No reason recorded", "escalations": 1}
    ]


@pytest.mark.parametrize(
    ("date_from", "date_to", "field", "message"),
    [
        (datetime.date(2026, 3, 9), datetime.date(2026, 3, 1), "date_from", "Must be on or before date_to."),
        (datetime.date(2024, 12, 31), datetime.date(2026, 1, 1), "date_to", "The range may cover at most 366 days."),
        (datetime.date(1999, 12, 31), datetime.date(2000, 1, 2), "date_from", "1999-12-31 is out of range"),
    ],
)
def test_a_bad_range_is_refused_naming_the_field(db, date_from, date_to, field, message):
    with pytest.raises(InvalidInput) as refused:
        escalations.escalation_report(date_from=date_from, date_to=date_to)

    assert message in refused.value.errors[field][0]
