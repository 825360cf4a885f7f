"""Where a webhook may go: https on a public address, never into the clinic's own network.

A URL a manager types could name the cloud's metadata service (169.254.169.254), the database's
host or anything else only the server can reach (server-side request forgery). So: https only;
a host that is an IP address must be a public one; and at send time the name is resolved, every
address it resolves to must be public, and the connection goes to the address that was checked
(a name that resolves to something else a moment later gains nothing). Redirects are not followed.

WEBHOOK_ALLOW_LOCAL (development and tests) also allows http:// and the loopback addresses, for a
receiver on the same machine; private and link-local addresses stay refused even then.
"""

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
# Hosts such as "2130706433" or "0x7f.1" that the resolver reads as an IP address in an odd spelling.
ODD_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+))*$", re.IGNORECASE)


class AddressRefused(Exception):
    """The URL names (or resolves to) somewhere webhooks never go; trying again will not help."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written: the Host header and the TLS certificate's name
    port: int
    path: str  # path and query
    address: str  # the checked IP address the connection is made to


def _local_allowed() -> bool:
    return bool(settings.WEBHOOK_ALLOW_LOCAL)


def address_allowed(address: str) -> bool:
    """A public unicast address; a loopback one too when WEBHOOK_ALLOW_LOCAL is on."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return _local_allowed()
    return ip.is_global and not ip.is_multicast


def _is_local_name(host: str) -> bool:
    return host in LOCAL_NAMES or host.endswith(".localhost")


def url_problem(url: str) -> str | None:
    """Why a manager may not register this URL, in words for the form; None when it may be."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return "Enter a valid URL."
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return "Enter a full https:// address."
    if parts.username or parts.password:
        return "Leave the user name and password out of the address; the signature proves who sends."
    if port == 0:
        return "Enter a valid port."
    local = _is_local_name(host) or (_is_ip(host) and ipaddress.ip_address(host).is_loopback)
    if parts.scheme == "http" and not (local and _local_allowed()):
        return "Use https:// (plain http is allowed only for a receiver on this machine during development)."
    if local:
        allowed = _local_allowed()
        return None if allowed else "This address is on the server itself; enter the receiver's public address."
    if _is_ip(host):
        return None if address_allowed(host) else "This address is private or reserved; enter a public address."
    if ODD_NUMERIC_HOST.match(host):
        return "Enter a host name or an IP address written the usual way."
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def target_resolve(url: str) -> Target:
    """At send time: the URL checked again and its host resolved to one allowed address.

    Raises AddressRefused for a URL or address webhooks never go to, and OSError when the name
    does not resolve now (a failure that may mend: the delivery is retried).
    """
    problem = url_problem(url)
    if problem:
        raise AddressRefused(problem)
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    refused = [address for address in addresses if not address_allowed(address)]
    if refused or not addresses:
        raise AddressRefused(f"{host} resolves to an address webhooks are not sent to ({', '.join(refused[:3])})")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, addresses[0])
