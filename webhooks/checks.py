"""`manage.py check --deploy`: the key every webhook secret derives from must be a real secret."""

from django.conf import settings
from django.core import checks

MIN_KEY_LENGTH = 32
PLACEHOLDERS = {"change-me", "changeme", "secret"}


@checks.register(checks.Tags.security, deploy=True)
def check_signing_key(app_configs, **kwargs):
    key = getattr(settings, "WEBHOOKS_SIGNING_KEY", "")
    if len(key) >= MIN_KEY_LENGTH and key.lower() not in PLACEHOLDERS:
        return []
    return [
        checks.Warning(
            f"WEBHOOKS_SIGNING_KEY is missing, a placeholder or shorter than {MIN_KEY_LENGTH} characters; "
            "webhook secrets derive from it (docs/api.md, Webhooks).",
            hint="Set it to a long random string of its own (e.g. python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'), not SECRET_KEY.",
            id="webhooks.W001",
        )
    ]
