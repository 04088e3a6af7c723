"""API token arithmetic: new secrets, their digests, and the marker that ties a token to its account's password.

Tokens are 256 random bits, so a single SHA-256 digest is enough to store them (a slow password
hasher would only cost time on every request); the digest is what the database holds, the secret
is printed once. The password marker works like Django's session auth hash: a token issued before
the account's password changed no longer matches it.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings

SECRET_BYTES = 32  # 64 hex characters, no character that the log filter would stop at
PREFIX_LENGTH = 8  # shown in the admin to tell tokens apart; 8 of 64 hex digits say nothing usable


def new_secret() -> str:
    return secrets.token_hex(SECRET_BYTES)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def password_marker(user) -> str:
    """Changes whenever the account's password hash does (bots keep their unusable one for good)."""
    return hashlib.sha256(f"accounts.ApiToken:{user.password}".encode()).hexdigest()[:32]


def expiry_from(now: datetime) -> datetime | None:
    """When a token issued now expires; None when API_TOKEN_TTL_DAYS is 0 (no expiry)."""
    days = settings.API_TOKEN_TTL_DAYS
    return now + timedelta(days=days) if days else None
