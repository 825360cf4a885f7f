import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str | None) -> str | None:
    """`value` as a normalised IP address, or None when it is not one (a forged header, a script tag)."""
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address, as far as it can be trusted.

    With TRUSTED_PROXY_COUNT = 0 (the default) that is the connection's REMOTE_ADDR and
    X-Forwarded-For is ignored. Behind N proxies that each append the address they were called
    from, the caller is the Nth entry from the right; everything left of it was written by the
    caller and is not believed. A header with fewer entries, or an entry that is not an IP
    address, falls back to REMOTE_ADDR, so a forged header can never choose the answer.
    """
    remote = _address(request.META.get("REMOTE_ADDR"))
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < hops:
        return remote
    return _address(forwarded[-hops]) or remote
