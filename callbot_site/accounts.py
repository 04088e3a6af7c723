"""API client accounts of the callbot (its bots) and their tokens; human agents are handoff.services.create_agent."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from callbot_site.api.roles import BOTS_GROUP, is_bot
from callbot_site.errors import Conflict, InvalidInput


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
