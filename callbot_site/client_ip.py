"""The client's address, for django-axes (`AXES_CLIENT_IP_CALLABLE`): proxies are believed only when trusted.

Behind a load balancer every connection comes from the balancer, so REMOTE_ADDR alone would put every
user behind one address. The balancer appends the address it saw to X-Forwarded-For; anything to the
left of that was written by the client and proves nothing. So, when REMOTE_ADDR is one of
`settings.TRUSTED_PROXIES` (addresses or CIDR networks), the client is the rightmost hop of
X-Forwarded-For that is not itself a trusted proxy. With no trusted proxy configured (the default),
or a request straight from an untrusted address, the header is ignored and REMOTE_ADDR is the client.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc} (addresses or CIDR networks, comma-separated)") from exc


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:203.0.113.5 is 203.0.113.5
    return mapped or address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The address of the client that sent `request`, as far as the trusted proxies vouch for it."""
    remote = request.META.get("REMOTE_ADDR")
    networks = trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    remote_address = _address(remote or "")
    if not networks or remote_address is None or not _is_trusted(remote_address, networks):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    client = remote_address
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # not an address: the chain is broken here, keep the last hop vouched for
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
