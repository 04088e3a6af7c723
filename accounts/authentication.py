"""`Authorization: Token <token>` against the hashed store (accounts.ApiToken).

One indexed query per request (the digest's unique index, with the user joined), as DRF's own
TokenAuthentication did; the last-used date is written at most once per API_TOKEN_LAST_USED_EVERY.
It subclasses DRF's class for the header parsing, the `WWW-Authenticate: Token` answer and the
OpenAPI security scheme that drf-spectacular derives from it.
"""

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts import tokens
from accounts.models import ApiToken
from accounts.services import record_api_token_use


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=tokens.digest_of(key)).first()
        now = timezone.now()
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed("Token expired.")
        if token.password_marker != tokens.password_marker(token.user):
            raise exceptions.AuthenticationFailed("Invalid token: the account's password has changed since.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        record_api_token_use(token=token, now=now)
        return token.user, token
