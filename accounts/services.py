"""Accounts: the callbot's API clients (bots) with their tokens, and human agents (staff in Agents/Supervisors)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.roles import AGENTS_GROUP, BOTS_GROUP, SUPERVISORS_GROUP, is_bot
from core.errors import Conflict, InvalidInput
from core.validation import require_text


@transaction.atomic
def create_api_client(*, name: str, rotate_token: bool = False) -> tuple[object, str]:
    """A bot account (no password, not staff, in the Bots group) and its DRF token.

    Running it again for the same bot returns the same token, unless rotate_token replaces it
    (the old token stops working at once). A human account is never turned into a bot.
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
    if rotate_token:
        Token.objects.filter(user=user).delete()
    token, _ = Token.objects.get_or_create(user=user)
    return user, token.key


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
