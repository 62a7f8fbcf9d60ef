"""The real address of whoever sent a request, for every throttle (sign-in, intake form, API).

Behind a reverse proxy every request arrives from the proxy, which names the client in
X-Forwarded-For. Anyone can send that header too, so it is believed only hop by hop: walking
from the right, an address in TRUSTED_PROXIES vouches for the one to its left; the first address
that is not a trusted proxy is the client. With no TRUSTED_PROXIES (the default) the header is
ignored and the client is REMOTE_ADDR.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(value: str, name: str = "TRUSTED_PROXIES") -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR ranges; a bad one stops start-up naming the variable."""
    networks = []
    for part in value.split(","):
        if part := part.strip():
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError as exc:
                raise ImproperlyConfigured(
                    f"{name}: {part!r} is not an IP address or CIDR range (like 10.0.0.0/8)."
                ) from exc
    return tuple(networks)


def _address(value: str) -> Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the X-Forwarded-For hop our own proxies vouch for."""
    remote = request.META.get("REMOTE_ADDR", "")
    hop = _address(remote)
    if hop is None:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    while _trusted(hop) and forwarded:
        previous = _address(forwarded.pop())
        if previous is None:  # written by the client itself: the last trusted hop is all we know
            break
        hop = previous
    return str(hop)
