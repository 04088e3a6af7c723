import factory

from crm.models import ActionType, CrmAction, Customer, Segment
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
