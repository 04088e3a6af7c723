"""erase_customer: after an erasure, no text or JSON column anywhere in the database holds the customer's data."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from analytics.models import ErasureRecord
from analytics.selectors import get_daily_metrics
from analytics.services import compute_daily_metrics, erase_customer
from core.errors import InvalidInput, NotFound
from crm import approvals
from crm import services as crm_services
from crm.models import Customer
from handoff import services as handoff_services
from idempotency.models import IdempotencyKey
from interactions import services as interaction_services
from interactions.models import Interaction
from tests.accounts.two_factor_factories import force_login

SECRETS = {
    "customer_id": "CUST-ZQ77",
    "name": "Zébulon Quartermaine",
    "email": "zebulon.q@example.org",
    "phone": "+33699887766",
    "address": "17 rue du Zéphyr",
    "metadata": "dog called Pistache",
}


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public'"
            " AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'bytea')"
        )
        return cursor.fetchall()


BYTEA = {("api_idempotency_keys", "response_body")}


def places_holding(value: str) -> list[str]:
    """Every table.column (tables and views) whose text holds `value`, case-insensitively."""
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            # bytea (stored API responses) is read as the UTF-8 JSON it holds.
            as_text = f"convert_from(\"{column}\", 'UTF8')" if (table, column) in BYTEA else f'"{column}"::text'
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE {as_text} ILIKE %s', [f"%{value}%"])
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def conversation(customer_id: str, words: str, agent_user) -> Interaction:
    interaction = interaction_services.create_interaction(customer_id=customer_id, channel="phone", intent="moving")
    interaction_services.add_conversation_message(interaction_id=interaction.pk, speaker="customer", message=words)
    interaction_services.log_response(interaction_id=interaction.pk, response_text=f"Noted: {words}")
    crm_services.log_crm_action(
        interaction_id=interaction.pk,
        customer_id=customer_id,
        action_type="check_policy_status",
        input_data={"address": words},
        output_data={"previous": words},
        success=False,
        error_message=f"CRM refused {words}",
        execution_time_ms=90,
    )
    # The gated address change waits for a person: its proposal quotes the customer too.
    approvals.propose_crm_action(
        interaction_id=interaction.pk,
        action_type="update_address",
        input_data={"address": words},
        reason=f"Customer said {words}",
    )
    ticket = handoff_services.create_handoff_ticket(
        interaction_id=interaction.pk, reason=f"Address change: {words}", context_data={"said": words}
    )
    handoff_services.claim_next_ticket(agent=agent_user)
    handoff_services.save_ticket_note(ticket_id=ticket.pk, author=agent_user, body=f"Caller moving to {words}")
    handoff_services.resolve_ticket(
        ticket_id=ticket.pk, actor=agent_user, resolution_notes=f"Moved to {words}", reason_code="other"
    )
    return interaction


@pytest.fixture
def two_customers(agent, supervisor):
    s = SECRETS
    crm_services.create_customer(
        customer_id=s["customer_id"],
        name=s["name"],
        email=s["email"],
        phone=s["phone"],
        metadata={"note": s["metadata"]},
    )
    crm_services.create_customer(customer_id="CUST-KEEP", name="Ada Keeper", email="ada@example.org")
    conversation(s["customer_id"], f"I am {s['name']}, I now live at {s['address']}, call {s['phone']}", agent)
    conversation(s["customer_id"], f"My e-mail is {s['email']}", agent)
    conversation("CUST-KEEP", "I live at 3 rue Haute", agent)
    LogEntry.objects.create(
        user=supervisor,
        content_type_id=ContentType.objects.get_for_model(Customer).pk,
        object_id=s["customer_id"],
        object_repr=f"{s['customer_id']} · {s['name']}",
        action_flag=CHANGE,
        change_message=f'[{{"changed": {{"fields": ["Email"]}}, "note": "{s["email"]}"}}]',
    )


def test_erasure_leaves_no_trace_of_the_customer_anywhere_in_the_database(two_customers, supervisor):
    assert places_holding(SECRETS["name"])  # the search does find the data before

    report = erase_customer(customer_id=SECRETS["customer_id"], erased_by="dpo")

    for label, value in SECRETS.items():
        assert places_holding(value) == [], f"{label} still present"
    assert report.rows["conversation_messages"] == 2
    assert report.rows["crm_actions"] == 2
    assert report.rows["handoff_tickets"] == 2
    assert report.rows["admin_log_entries"] == 1


def test_erasure_keeps_the_anonymous_statistics(two_customers):
    today = Interaction.objects.first().created_at.date()
    before = get_daily_metrics(date_from=today, date_to=today)
    statuses = sorted(Interaction.objects.values_list("status", "channel", "intent"))

    erase_customer(customer_id=SECRETS["customer_id"], erased_by="dpo")

    assert get_daily_metrics(date_from=today, date_to=today) == before
    assert sorted(Interaction.objects.values_list("status", "channel", "intent")) == statuses
    pseudonyms = set(Interaction.objects.exclude(customer_id="CUST-KEEP").values_list("customer_id", flat=True))
    assert len(pseudonyms) == 1 and next(iter(pseudonyms)).startswith("ERASED-")
    assert Customer.objects.get(pk=next(iter(pseudonyms))).name == "Erased customer"
    assert compute_daily_metrics(day=today).interactions == 3


def test_other_customers_are_untouched(two_customers):
    erase_customer(customer_id=SECRETS["customer_id"], erased_by="dpo")

    assert Customer.objects.get(pk="CUST-KEEP").email == "ada@example.org"
    assert places_holding("3 rue Haute")


def test_erasure_is_recorded_with_when_and_who_but_not_whom(two_customers):
    report = erase_customer(customer_id=SECRETS["customer_id"], erased_by="dpo")

    record = ErasureRecord.objects.get()
    assert record == report.record
    assert record.erased_by == "dpo"
    assert record.erased_at is not None
    assert record.rows["customers"] == 1
    assert report.pseudonym not in str(record.rows)


def test_dry_run_counts_and_changes_nothing(two_customers):
    report = erase_customer(customer_id=SECRETS["customer_id"], erased_by="dpo", dry_run=True)

    assert report.rows["interactions"] == 2
    assert report.rows["customers"] == 1
    assert places_holding(SECRETS["email"])
    assert not ErasureRecord.objects.exists()


def test_an_unregistered_customer_with_interactions_can_be_erased(agent):
    conversation("CUST-GHOST", "Ghost Writer at 1 rue Fantôme", agent)

    report = erase_customer(customer_id="CUST-GHOST", erased_by="dpo")

    assert report.rows["customers"] == 0
    assert places_holding("rue Fantôme") == []


def test_unknown_customer_is_refused(db):
    with pytest.raises(NotFound, match="No customer record and no interaction for customer NOBODY"):
        erase_customer(customer_id="NOBODY", erased_by="dpo")
    assert not ErasureRecord.objects.exists()


@pytest.mark.parametrize(
    ("customer_id", "erased_by", "message"),
    [("", "dpo", "customer_id"), ("CUST-1", " ", "erased_by"), ("ERASED-abc", "dpo", "already a pseudonym")],
)
def test_bad_input_is_refused(db, customer_id, erased_by, message):
    with pytest.raises(InvalidInput, match=message):
        erase_customer(customer_id=customer_id, erased_by=erased_by)


def test_command_erases_and_reports(two_customers, capsys):
    call_command("erase_customer", SECRETS["customer_id"], "--by", "dpo-alice")

    out = capsys.readouterr().out
    assert out.startswith("Anonymised:\n")
    assert "  conversation_messages         2\n" in out
    assert "Recorded as erasure #" in out and "by dpo-alice" in out
    assert places_holding(SECRETS["name"]) == []


def test_command_dry_run(two_customers, capsys):
    call_command("erase_customer", SECRETS["customer_id"], "--dry-run")

    assert capsys.readouterr().out.startswith("Would anonymise:\n")
    assert Customer.objects.filter(pk=SECRETS["customer_id"]).exists()


def test_command_refuses_an_unknown_customer(db):
    with pytest.raises(CommandError, match="No customer record and no interaction"):
        call_command("erase_customer", "NOBODY")


def test_erasure_removes_replayable_api_responses_that_quote_the_customer(two_customers, supervisor):
    client = force_login(APIClient(), supervisor)  # a supervisor's session has passed the second factor
    body = {"customer_id": SECRETS["customer_id"], "channel": "chat", "intent": "moving"}
    created = client.post("/api/v1/interactions/", body, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert created.status_code == 201
    assert places_holding(SECRETS["customer_id"])  # in the stored response, among others
    other = client.post(
        "/api/v1/interactions/", {**body, "customer_id": "CUST-KEEP"}, format="json", HTTP_IDEMPOTENCY_KEY="retry-2"
    )
    assert other.status_code == 201

    report = erase_customer(customer_id=SECRETS["customer_id"], erased_by="dpo")

    assert report.rows["api_idempotency_keys"] == 1
    assert places_holding(SECRETS["customer_id"]) == []
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["retry-2"]
