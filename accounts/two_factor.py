"""Two-factor authentication of console accounts: TOTP (django-otp) and single-use recovery codes.

Who must pass it: supervisors and superusers always; an agent once they have enrolled (optional for
agents). The password alone opens a session that reaches nothing but the two-factor pages and logout
(`RequireTwoFactorMiddleware`): the TOTP step for those with a device, enrolment for a supervisor without
one. API clients authenticated by token never have a session here: nothing changes for bots.

Devices: one TOTP device per person (`TOTPDevice`, confirmed once a first code matches) and one
`StaticDevice` holding the unused recovery codes; django-otp throttles wrong codes per device and
refuses a TOTP code already used.
"""

import secrets
from base64 import b32encode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import is_supervisor
from core.api.exceptions import error_body
from core.errors import InvalidInput

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"

# Reachable with a password-only session: the two-factor pages themselves, and leaving.
OPEN_URL_NAMES = {"admin:login", "admin:logout", "two_factor_verify", "two_factor_setup"}


def two_factor_required(user) -> bool:
    """Supervisors and superusers may not use the console on a password alone."""
    return is_supervisor(user)


def has_device(user) -> bool:
    """Enrolled: a confirmed authenticator app (recovery codes alone do not count; one query)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for `device` (demo accounts and tests)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def base32_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it by hand: base32, in groups of four."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def verify_session(*, request, device) -> None:
    """Mark the session as having passed the second factor with `device`."""
    otp_login(request, device)


def _normalized(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def start_enrolment(*, user) -> TOTPDevice:
    """The unconfirmed TOTP device whose secret the person puts in their app (kept until confirmed)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


@transaction.atomic
def confirm_enrolment(*, user, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending device with a first code from the app; returns it and fresh recovery codes."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).select_for_update().order_by("pk").first()
    if device is None:
        raise InvalidInput.for_field("code", "No enrolment is pending: start again.")
    if not device.verify_token(_normalized(code)):
        raise InvalidInput.for_field("code", "That code does not match: check the app and the clock, then retry.")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.devices_for_user(user).exclude(pk=device.pk).delete()  # one app per person
    return device, replace_recovery_codes(user=user)


@transaction.atomic
def replace_recovery_codes(*, user) -> list[str]:
    """New single-use recovery codes; the old ones stop working. Shown once: only the caller sees them."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=_normalized(code)) for code in codes)
    return codes


def verify_code(*, request, code: str):
    """Check a TOTP code, or a recovery code (used up), for the session's user; mark the session verified.

    Returns the device that accepted the code, or None. A six-digit code goes to the app's device,
    anything else to the recovery codes, so a wrong guess slows down only the device it was meant for.
    """
    user, code = request.user, _normalized(code)
    kind = TOTPDevice if (len(code) == 6 and code.isdigit()) else StaticDevice
    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            if isinstance(device, kind) and device.verify_token(code):
                verify_session(request=request, device=device)
                return device
    return None


def wait_seconds(user) -> int:
    """Seconds before django-otp's throttling accepts another code (0: now)."""
    waits = []
    for device in devices_for_user(user):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            waits.append(max(1, int((data["locked_until"] - timezone.now()).total_seconds()) + 1))
    return min(waits) if waits else 0


class RequireTwoFactorMiddleware:
    """After OTPMiddleware: a session that still owes its second factor reaches only the two-factor pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or user.is_verified() or self._is_open(request.path_info):
            return self.get_response(request)
        enrolled = has_device(user)
        if not (enrolled or two_factor_required(user)):
            return self.get_response(request)  # an agent who has not enrolled: the password suffices
        if request.path_info.startswith("/api/"):
            detail = "Two-factor verification required: pass the console's code step first, or use an API token."
            return JsonResponse(error_body("permission_denied", detail), status=403)
        step = "two_factor_verify" if enrolled else "two_factor_setup"
        return redirect_to_login(request.get_full_path(), reverse(step), REDIRECT_FIELD_NAME)

    @staticmethod
    def _is_open(path: str) -> bool:
        try:
            match = resolve(path)
        except Resolver404:
            return True  # nothing there: the 404 tells nothing
        return match.view_name in OPEN_URL_NAMES
