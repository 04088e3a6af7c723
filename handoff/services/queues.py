"""Queues are made by supervisors (the admin, `manage.py create_queue`), never on the fly by a bot's typo."""

from django.db import transaction

from core.errors import Conflict, InvalidInput
from core.validation import require_text

from ..models import Queue

# The smallest value each setting takes (a queue must let an agent hold at least one ticket).
MINIMUMS = {"target_wait_minutes": 0, "takeback_minutes": 0, "default_capacity": 1}


@transaction.atomic
def create_queue(
    *,
    name: str,
    target_wait_minutes: int | None = None,
    takeback_minutes: int | None = None,
    default_capacity: int | None = None,
) -> Queue:
    """A new queue with its settings (the model's defaults for those not given); a taken name is a Conflict."""
    require_text("name", name)
    if len(name) > Queue._meta.get_field("name").max_length:
        raise InvalidInput.for_field("name", "At most 100 characters.")
    if name != name.strip():
        raise InvalidInput.for_field("name", "No leading or trailing spaces.")
    settings_given = {
        "target_wait_minutes": target_wait_minutes,
        "takeback_minutes": takeback_minutes,
        "default_capacity": default_capacity,
    }
    values = {field: value for field, value in settings_given.items() if value is not None}
    for field, value in values.items():
        if value < MINIMUMS[field]:
            raise InvalidInput.for_field(field, f"At least {MINIMUMS[field]}.")
    queue, created = Queue.objects.get_or_create(name=name, defaults=values)
    if not created:
        raise Conflict(f"The queue '{name}' already exists; change its settings in the admin (Queues).")
    return queue
