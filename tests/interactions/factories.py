import factory

from interactions.models import Channel, ConversationMessage, Interaction, ResponseLog, Speaker, Tone


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer_id = factory.Sequence(lambda n: f"CUST-{n:04d}")
    channel = Channel.PHONE
    intent = "check_policy"
    emotion = "neutral"
    urgency = "low"
    confidence_score = "0.900"


class ConversationMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConversationMessage

    interaction = factory.SubFactory(InteractionFactory)
    turn_number = factory.Sequence(lambda n: n + 1)
    speaker = Speaker.CUSTOMER
    message = factory.Faker("sentence")


class ResponseLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponseLog

    interaction = factory.SubFactory(InteractionFactory)
    response_text = factory.Faker("sentence")
    tone = Tone.PROFESSIONAL
    confidence_score = "0.850"
    execution_time_ms = 120
    model_used = "gpt-4o-mini"
