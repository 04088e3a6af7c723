"""Domain errors of the webhooks app."""

from core.errors import DomainError


class DeliveryFailed(DomainError):
    """An attempt did not get a 2xx; the job retries it (the message is the delivery's last_error)."""
