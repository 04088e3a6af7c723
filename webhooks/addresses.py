"""Where the worker may send: never inside our own network (the webhook URL is the bot client's to choose).

Registration refuses literal internal addresses (services.validate_url); delivery resolves the name again,
since DNS can point a public name at a private address. Plain http to this machine only in development
(WEBHOOKS_ALLOW_INSECURE_LOCALHOST).
"""

import ipaddress
import socket

from django.conf import settings

LOCAL_HOSTS = ("localhost", "127.0.0.1")


def local_allowed(host: str) -> bool:
    return settings.WEBHOOKS_ALLOW_INSECURE_LOCALHOST and host in LOCAL_HOSTS


def is_internal_literal(host: str) -> bool:
    """localhost, or a literal address that is not global (private, loopback, link-local, reserved…)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def internal_resolution(host: str, port: int) -> str:
    """Why the worker refuses to connect to `host` ("" when it may): a name that resolves inside, or not at all."""
    if local_allowed(host):
        return ""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        return f"{host} does not resolve ({error.strerror or error})."
    inside = sorted({info[4][0] for info in infos if is_internal_literal(info[4][0].split("%")[0])})
    if inside:
        return f"{host} resolves to an internal address ({', '.join(inside)}); refused."
    return ""
