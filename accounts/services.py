"""Accounts: the callbot's API clients (bots) with their tokens, and human agents (staff in Agents/Supervisors)."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import tokens
from accounts.models import ApiToken
from accounts.roles import AGENTS_GROUP, BOTS_GROUP, SUPERVISORS_GROUP, is_bot
from core.errors import Conflict, InvalidInput, NotFound
from core.validation import require_text


@transaction.atomic
def create_api_client(*, name: str, rotate_token: bool = False) -> tuple[object, str]:
    """A bot account (no password, not staff, in the Bots group) and a new API token for it.

    The token is returned once: only its digest is stored. For an existing bot that still holds a
    valid token, rotate_token is required (see issue_api_token). A human account is never turned into a bot.
    """
    try:
        UnicodeUsernameValidator()(name)
    except ValidationError as exc:
        raise InvalidInput("Invalid client name.", errors={"name": list(exc.messages)}) from exc
    User = get_user_model()
    user = User.objects.filter(username=name).first()
    if user is None:
        user = User(username=name, is_staff=False, is_active=True)
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=BOTS_GROUP))
    elif not is_bot(user):
        raise Conflict(f"{name} is an existing account that is not an API client; choose another name.")
    return user, issue_api_token(user=user, rotate=rotate_token)


@transaction.atomic
def create_api_token(*, username: str, rotate: bool = False) -> tuple[object, str]:
    """A new API token for an existing active account (a human agent's, or a bot's)."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"No active account named {username}.")
    return user, issue_api_token(user=user, rotate=rotate)


def _valid_tokens(user, now: datetime):
    """Tokens the account could use now (a password change since their issue ends them too)."""
    marker = tokens.password_marker(user)
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, password_marker=marker).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


@transaction.atomic
def issue_api_token(*, user, rotate: bool = False) -> str:
    """Store a new token's digest and return the token: the only time it exists in clear.

    An account that still holds a valid token gets a new one only with rotate, which keeps the
    current tokens valid for API_TOKEN_ROTATION_GRACE (so a bot can switch without downtime) and
    never lengthens them. The account row is locked so two rotations do not interleave.
    """
    get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).first()
    now = timezone.now()
    current = _valid_tokens(user, now)
    if not rotate and current.exists():
        raise Conflict(
            f"{user.get_username()} already has a valid API token, stored hashed: it cannot be shown again. "
            "Use --rotate to issue a new one (the current one stays valid for the grace period)."
        )
    grace_end = now + settings.API_TOKEN_ROTATION_GRACE
    current.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=grace_end)).update(expires_at=grace_end)
    secret = tokens.new_secret()
    ApiToken.objects.create(
        user=user,
        prefix=secret[: tokens.PREFIX_LENGTH],
        digest=tokens.digest_of(secret),
        password_marker=tokens.password_marker(user),
        created_at=now,
        expires_at=tokens.expiry_from(now),
    )
    return secret


def revoke_api_tokens(*, token_ids) -> int:
    """Revoke tokens at once (one UPDATE); already revoked ones keep their date. Returns how many were revoked."""
    return ApiToken.objects.filter(pk__in=list(token_ids), revoked_at__isnull=True).update(revoked_at=timezone.now())


def record_api_token_use(*, token: ApiToken, now: datetime) -> None:
    """Note that a token was used, at most once per API_TOKEN_LAST_USED_EVERY.

    Called on every authenticated request: the in-memory check spares the write almost always, and the
    conditional UPDATE keeps concurrent requests from writing the same row twice.
    """
    stale_before = now - settings.API_TOKEN_LAST_USED_EVERY
    if token.last_used_at is not None and token.last_used_at > stale_before:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale_before)
    ).update(last_used_at=now)
    token.last_used_at = now


@transaction.atomic
def create_agent(*, username: str, password: str, supervisor: bool = False, email: str = ""):
    """Create (or update) a human agent: a staff user in the Agents or Supervisors group."""
    require_text("username", username)
    User = get_user_model()
    user = User.objects.filter(username=username).first() or User(username=username)
    if user.pk and user.groups.filter(name=BOTS_GROUP).exists():
        raise Conflict(f"{username} is an API client account; a bot is never turned into a human agent.")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput("The password is too weak.", errors={"password": list(exc.messages)}) from exc
    user.email = email or user.email
    user.is_staff = True
    user.is_active = True
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=SUPERVISORS_GROUP if supervisor else AGENTS_GROUP))
    return user
