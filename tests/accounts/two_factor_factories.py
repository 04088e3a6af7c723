"""Two-factor devices, and a test client session that has passed the second factor."""

import factory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    name = two_factor.TOTP_NAME
    confirmed = True


class StaticDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaticDevice

    name = two_factor.RECOVERY_NAME
    confirmed = True


def force_login(client, user):
    """client.force_login, plus the second factor for whoever must pass it (supervisors, superusers).

    The session is marked verified with the user's TOTP device (made if missing), as a real code would.
    """
    client.force_login(user)
    if two_factor.two_factor_required(user) or two_factor.has_device(user):
        device = two_factor.totp_device(user) or TOTPDeviceFactory(user=user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
