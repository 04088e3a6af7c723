import pytest

from core.errors import Conflict, InvalidInput, NotFound
from crm import selectors, services
from crm.models import CrmAction, Customer
from tests.crm.factories import CustomerFactory
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db


def test_log_crm_action_stores_payloads_and_outcome():
    interaction = InteractionFactory(customer_id="CUST-001")
    services.log_crm_action(
        interaction_id=interaction.pk,
        customer_id="CUST-001",
        action_type="check_policy_status",  # not gated (update_address needs an approval: test_approvals*)
        input_data={"street": "1 rue de la Paix"},
        output_data={"updated": True},
        success=True,
        execution_time_ms=150,
    )
    action = CrmAction.objects.get(interaction=interaction)
    assert action.input_data == {"street": "1 rue de la Paix"} and action.output_data == {"updated": True}
    assert (action.action_type, action.success, action.execution_time_ms) == ("check_policy_status", True, 150)


def test_a_failed_crm_action_keeps_its_error():
    interaction = InteractionFactory()
    services.log_crm_action(
        interaction_id=interaction.pk,
        customer_id=interaction.customer_id,
        action_type="get_customer_info",
        success=False,
        error_message="IBAN rejected",
    )
    assert CrmAction.objects.get().error_message == "IBAN rejected"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"action_type": "delete_customer"}, "action_type"),
        ({"customer_id": ""}, "customer_id"),
        ({"execution_time_ms": -5}, "execution_time_ms"),
    ],
)
def test_log_crm_action_refuses_bad_input(kwargs, field):
    interaction = InteractionFactory()
    arguments = {"interaction_id": interaction.pk, "customer_id": "C", "action_type": "get_customer_info", **kwargs}
    with pytest.raises(InvalidInput) as error:
        services.log_crm_action(**arguments)
    assert field in error.value.errors
    assert CrmAction.objects.count() == 0


def test_log_crm_action_on_unknown_interaction_is_not_found():
    with pytest.raises(NotFound):
        services.log_crm_action(
            interaction_id="00000000-0000-0000-0000-000000000000", customer_id="C", action_type="get_customer_info"
        )


def test_create_and_update_customer():
    services.create_customer(customer_id="CUST-9", name="Marie Curie", email="marie@example.org", segment="premium")
    services.update_customer(customer_id="CUST-9", phone="+33612345678", segment="standard")
    stored = Customer.objects.get(pk="CUST-9")
    assert (stored.name, stored.phone, stored.segment) == ("Marie Curie", "+33612345678", "standard")


def test_create_customer_twice_is_a_conflict():
    CustomerFactory(customer_id="CUST-1")
    with pytest.raises(Conflict):
        services.create_customer(customer_id="CUST-1", name="Someone")
    assert Customer.objects.count() == 1


def test_update_customer_refuses_unknown_fields_and_segments():
    CustomerFactory(customer_id="CUST-1", segment="standard")
    with pytest.raises(InvalidInput) as error:
        services.update_customer(customer_id="CUST-1", customer_id_new="x")
    assert "customer_id_new" in error.value.errors
    with pytest.raises(InvalidInput):
        services.update_customer(customer_id="CUST-1", segment="gold")
    assert Customer.objects.get().segment == "standard"


def test_unknown_customer_is_not_found():
    with pytest.raises(NotFound):
        selectors.get_customer(customer_id="NOPE")
    with pytest.raises(NotFound):
        services.update_customer(customer_id="NOPE", name="x")


def test_log_crm_action_for_a_held_interaction_skips_the_lookup(django_assert_num_queries):
    interaction = InteractionFactory(customer_id="CUST-002")
    with django_assert_num_queries(2):  # the approval rule of the type (one primary-key read), the INSERT
        action = services.log_crm_action(
            interaction=interaction, customer_id="CUST-002", action_type="get_customer_info"
        )
    assert CrmAction.objects.get(pk=action.pk).interaction_id == interaction.pk
