"""Idempotency keys: a retried POST gets the first response again and writes nothing new.

Used by `idempotency.middleware.IdempotencyMiddleware` for every POST under /api/v1/.

Why a row written inside the request's own transaction: the key row, the request's writes and the
stored response commit together or not at all. A concurrent retry with the same key blocks on the
unique index until the first request commits (then replays its response) or rolls back (then runs
itself), so two retries never both execute. Only successful (2xx) responses are stored: an error
leaves nothing behind, so the client may correct its request and retry with the same key.
"""

import datetime
import hashlib
import json

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from core.errors import DomainError
from idempotency.models import IdempotencyKey

KEY_TTL = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 255


class KeyReused(DomainError):
    """The key was already used with a different request (HTTP 422)."""


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """sha256 of the request; a JSON body is canonicalised so key order and spacing do not matter."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


def is_valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and all(" " <= char <= "~" for char in key)


def claim_key(*, client, key: str, fingerprint: str, method: str, path: str) -> IdempotencyKey:
    """The key's row, locked for this transaction: new (response_status None) or holding the first response.

    Must run inside the transaction that also performs the request. Raises KeyReused when the key was
    used within 24 h for a different request. An expired row is taken over as if new.
    """
    now = timezone.now()
    new = _insert_if_new(client=client, key=key, fingerprint=fingerprint, method=method, path=path[:500], now=now)
    if new is not None:
        return new
    # Used before, and committed (or the INSERT would still be waiting on the unique index).
    record = IdempotencyKey.objects.select_for_update().get(client=client, key=key)
    if record.created_at <= now - KEY_TTL:
        record.request_fingerprint, record.method, record.path, record.created_at = fingerprint, method, path[:500], now
        record.response_status, record.response_content_type, record.response_body = None, "", b""
        record.save()
        return record
    if record.request_fingerprint != fingerprint:
        raise KeyReused(
            "This Idempotency-Key was already used with a different request; use a new key for a new request.",
            errors={"Idempotency-Key": [f"Used at {record.created_at.isoformat()} for {record.method} {record.path}."]},
        )
    return record


def _insert_if_new(*, client, key: str, fingerprint: str, method: str, path: str, now) -> IdempotencyKey | None:
    """The key's new row, or None when the client already has a row for this key.

    One `INSERT … ON CONFLICT DO NOTHING RETURNING` statement instead of a savepoint, an INSERT that may
    fail and a rollback to the savepoint: three round trips on every keyed POST. Like the plain INSERT, it
    waits for a concurrent transaction holding the same key to end before deciding.
    """
    record = IdempotencyKey(
        client=client, key=key, request_fingerprint=fingerprint, method=method, path=path, created_at=now
    )
    meta, quote = IdempotencyKey._meta, connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    unique = ", ".join(quote(meta.get_field(name).column) for name in ("client", "key"))  # the (client, key) constraint
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({unique}) DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    params = [field.get_db_prep_save(field.pre_save(record, add=True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    record.pk = row[0]
    record._state.adding = False
    return record


def store_response(*, record: IdempotencyKey, status: int, content_type: str, body: bytes) -> None:
    record.response_status = status
    record.response_content_type = content_type[:100]
    record.response_body = body
    record.save(update_fields=["response_status", "response_content_type", "response_body"])


def expired_keys(*, now: datetime.datetime | None = None) -> QuerySet[IdempotencyKey]:
    return IdempotencyKey.objects.filter(created_at__lte=(now or timezone.now()) - KEY_TTL)


def purge_expired_keys(*, now: datetime.datetime | None = None) -> int:
    """Delete keys older than 24 h (they are already ignored; this keeps the table small)."""
    deleted, _ = expired_keys(now=now).delete()
    return deleted


def keys_mentioning(needles: list[str]) -> QuerySet[IdempotencyKey]:
    """Stored responses (or paths) that quote any of these strings: the right to erasure removes them."""
    if not needles:
        return IdempotencyKey.objects.none()
    condition = " OR ".join(
        ["position(convert_to(%s, 'UTF8') in response_body) > 0 OR strpos(path, %s) > 0"] * len(needles)
    )
    params = [value for needle in needles for value in (needle, needle)]
    return IdempotencyKey.objects.alias(mentions=RawSQL(f"({condition})", params, output_field=BooleanField())).filter(
        mentions=True
    )
