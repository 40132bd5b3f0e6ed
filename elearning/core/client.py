"""The client's address as the platform sees it through its own reverse proxies.

Behind a proxy, REMOTE_ADDR is the proxy's address: the same for everyone. The proxy appends
the address it saw to X-Forwarded-For, and anything further left in that header was written by
the client (or by proxies we know nothing of) and can be forged. So the header is read from the
right, and only as far as the proxies we trust: ``TRUSTED_PROXY_COUNT`` proxies in front of the
application (each appends one entry), and any hop whose address is in ``TRUSTED_PROXIES``
(addresses or networks). The first address not vouched for is the client."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

# A host with IPv6 usually holds a whole /64; counting per address would let it send a
# different address with every request.
IPV6_PREFIX = 64


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(value: str):
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443" (RFC 7239 style)
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:5678"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_address(request) -> str:
    """The client's IP address (IPv6 reduced to its /64 network), or "" if unknown."""
    trusted = _trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    proxies_in_front = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    address = _parse(request.META.get("REMOTE_ADDR", ""))
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    while hops and address is not None:
        if proxies_in_front > 0:
            proxies_in_front -= 1
        elif not any(address in network for network in trusted):
            break
        forwarded = _parse(hops.pop())
        if forwarded is None:
            break  # garbage beyond our proxies: the last address vouched for is the client
        address = forwarded
    if address is None:
        return ""
    if address.version == 6 and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


def ratelimit_key(group, request) -> str:
    """django-ratelimit's key: the client's address as above."""
    return client_address(request)
