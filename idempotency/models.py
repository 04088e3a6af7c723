"""Tables of the project itself (not of a domain app): the API's idempotency keys."""

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """The first response to a POST sent with an `Idempotency-Key`, replayed to retries of that request.

    One row per (client, key). A row is written in the same transaction as the request's own writes,
    so it exists if and only if those writes were committed (see idempotency/services.py).
    """

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # sha256 of method, path and canonical body: the same key with another request is refused.
    request_fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_content_type = models.CharField(max_length=100, blank=True, default="")
    response_body = models.BinaryField(default=b"", blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "api_idempotency_keys"
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="api_idempotency_keys_client_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.method} {self.path} → {self.response_status or 'pending'})"
