"""Signing secrets of the endpoints, and the signature header.

Why the secrets are derived, not stored: HMAC signing needs the raw secret, so a digest (as for API
tokens) cannot work, and encrypting it with a key taken from SECRET_KEY would put both halves in the
same hands as the application's config. Instead each secret is HMAC-SHA256(WEBHOOKS_SIGNING_KEY,
"<endpoint id>:<salt>"): the database holds only the random salt, so a database dump or backup alone
yields no secret. WEBHOOKS_SIGNING_KEY is a dedicated setting (an environment variable, never in the
database, not SECRET_KEY). Rotating a secret draws a new salt; changing WEBHOOKS_SIGNING_KEY changes
every endpoint's secret at once (do it only together with telling the bots, see docs/api.md).
"""

import base64
import hashlib
import hmac
import secrets as random

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SIGNATURE_VERSION = "v1"


def new_salt() -> str:
    return random.token_hex(32)


def _signing_key() -> bytes:
    key = getattr(settings, "WEBHOOKS_SIGNING_KEY", "")
    if not key:
        raise ImproperlyConfigured("WEBHOOKS_SIGNING_KEY is not set; webhook secrets cannot be derived.")
    return key.encode()


def derive_secret(endpoint_id, salt: str) -> str:
    digest = hmac.new(_signing_key(), f"{endpoint_id}:{salt}".encode(), hashlib.sha256).digest()
    return "whsec_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of `{timestamp}.{body}` with the secret (the bot does the same to verify)."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets: list[str], timestamp: str, body: bytes) -> str:
    """`v1=<hex>` per valid secret, newest first, comma-separated (two during a rotation's grace period)."""
    return ",".join(f"{SIGNATURE_VERSION}={sign(secret, timestamp, body)}" for secret in secrets)
