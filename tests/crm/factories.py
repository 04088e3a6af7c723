import factory

from crm.models import ActionProposal, ActionType, CrmAction, Customer, ProposalAction, ProposalEvent, Segment
from tests.interactions.factories import InteractionFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    customer_id = factory.Sequence(lambda n: f"CUST-{n:04d}")
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.org")
    phone = factory.Sequence(lambda n: f"+3361234{n:04d}")
    segment = Segment.STANDARD


class CrmActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrmAction

    interaction = factory.SubFactory(InteractionFactory)
    customer_id = factory.SelfAttribute("interaction.customer_id")
    action_type = ActionType.CHECK_POLICY_STATUS
    input_data = factory.LazyFunction(lambda: {"policy_number": "POL-1"})
    output_data = factory.LazyFunction(lambda: {"status": "active"})
    success = True
    execution_time_ms = 80


def _due_in_15_minutes():
    import datetime

    from django.utils import timezone

    return timezone.now() + datetime.timedelta(minutes=15)


class ActionProposalFactory(factory.django.DjangoModelFactory):
    """A pending proposal written directly (no audit row): the services' own tests propose through them."""

    class Meta:
        model = ActionProposal

    interaction = factory.SubFactory(InteractionFactory)
    customer_id = factory.SelfAttribute("interaction.customer_id")
    action_type = ActionType.UPDATE_ADDRESS
    input_data = factory.LazyFunction(lambda: {"address": "3 rue Neuve", "city": "Lyon"})
    reason = "The customer moved."
    due_at = factory.LazyFunction(_due_in_15_minutes)


class ProposalEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProposalEvent

    proposal = factory.SubFactory(ActionProposalFactory)
    action = ProposalAction.PROPOSED
