import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import AGENTS_GROUP, SUPERVISORS_GROUP
from handoff.models import AgentNotification, AgentProfile, HandoffTicket, NotificationType, Queue, TicketEvent
from handoff.services import ensure_console_roles
from tests.interactions.factories import InteractionFactory

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class AgentFactory(UserFactory):
    username = factory.Sequence(lambda n: f"agent{n}")
    is_staff = True

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            ensure_console_roles()  # a transactional test before this one flushed them
            obj.groups.add(Group.objects.get(name=AGENTS_GROUP))


class SupervisorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"supervisor{n}")
    is_staff = True

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            ensure_console_roles()
            obj.groups.add(Group.objects.get(name=SUPERVISORS_GROUP))


class AgentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentProfile

    user = factory.SubFactory(AgentFactory)
    max_open_tickets = 2


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue

    name = "general"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """By name, with the given settings: the default queue `general` exists from a migration."""
        queue, _ = model_class.objects.update_or_create(name=kwargs.pop("name"), defaults=kwargs)
        return queue


class HandoffTicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HandoffTicket

    interaction = factory.SubFactory(InteractionFactory, status="in_progress")
    customer_id = factory.SelfAttribute("interaction.customer_id")
    reason = "Customer disputes a claim decision"
    priority = "medium"
    queue = factory.SubFactory(QueueFactory)
    context_data = factory.LazyFunction(lambda: {"policy_number": "POL-1"})


class AgentNotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentNotification

    ticket = factory.SubFactory(HandoffTicketFactory)
    agent = factory.SubFactory(AgentFactory)
    notification_type = NotificationType.NEW_TICKET
    message = "New ticket"


class TicketEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketEvent

    ticket = factory.SubFactory(HandoffTicketFactory)
    action = TicketEvent.Action.CREATED
    to_status = "queued"


def handoff_packet(*, due_at=None, actions_done=(), **sections) -> dict:
    """A valid handoff packet v1 (handoff.packet): a callback promise, a missing item, a preference."""
    promise = {"text": "An adviser calls you back before 14:00", "kind": "callback"}
    if due_at is not None:
        promise["due_at"] = due_at if isinstance(due_at, str) else due_at.isoformat()
    return {
        "version": 1,
        "understood": {
            "intent": "claim_dispute",
            "summary": "Disputes the refusal of a water-damage claim.",
            "entities": {"policy_number": "POL-2024-118", "claim_number": "CLM-77031", "vehicle": "AB-123-CD"},
        },
        "actions_done": [
            {"action_id": str(action.pk), "description": "Checked the claim status", "success": action.success}
            for action in actions_done
        ],
        "promises": [promise, {"text": "We e-mail you the complaint form", "kind": "send_form"}],
        "missing": ["Photos of the damage"],
        "preference": {"channel": "phone", "callback_after": "2026-12-01T09:00:00+01:00"},
        **sections,
    }
