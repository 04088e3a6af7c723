"""Lock-outs of django-axes (settings AXES_*): the page a locked-out login gets, and a supervisor's unlock.

The page says how long the lock still lasts: the cool-off counts from the last failed attempt of this
username and address (the lock-out key, AXES_LOCKOUT_PARAMETERS). The unlock goes through axes' own reset,
so its cache and database handlers stay consistent.
"""

import math
from datetime import timedelta

from axes.helpers import get_client_ip_address, get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib import admin
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import is_supervisor
from core.errors import InvalidInput, PermissionRefused

LOCKOUT_STATUS = 429


def duration_text(delta: timedelta) -> str:
    """1 h, 1 h 05 min, 12 min, 1 min (rounded up: "0 min" would read as unlocked)."""
    minutes = max(1, math.ceil(delta.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h" if not minutes else f"{hours} h {minutes:02d} min"


def locked_until(*, username: str, ip_address: str | None, cool_off: timedelta | None):
    if not cool_off:
        return None
    last = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(at=Max("attempt_time"))
    return last["at"] + cool_off if last["at"] else None


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the console's page, status 429, with the time left and what to do."""
    username = get_client_username(request, credentials) or ""
    cool_off = get_cool_off(request)
    until = locked_until(username=username, ip_address=get_client_ip_address(request), cool_off=cool_off)
    remaining = until - timezone.now() if until else None
    context = {
        **admin.site.each_context(request),
        "failure_limit": get_failure_limit(request, credentials),
        "username": username,
        "cooloff_text": duration_text(cool_off) if cool_off else "a while",
        "locked_until": timezone.localtime(until) if until else None,
        "remaining_text": duration_text(remaining) if remaining and remaining.total_seconds() > 0 else "",
    }
    return render(request, "lockout.html", context, status=LOCKOUT_STATUS)


def unlock_login(*, username: str, ip_address: str | None, actor) -> int:
    """Lift a lock-out now (axes' reset of that username and address); supervisors only. Returns rows reset."""
    if not is_supervisor(actor):
        raise PermissionRefused("Only supervisors may unlock a login.")
    if not username:  # axes' reset with neither username nor address would clear every lock-out
        raise InvalidInput.for_field("username", "Name the login to unlock.")
    return reset(ip=ip_address, username=username)
