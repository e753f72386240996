"""Where a webhook may be posted: https:// on a public address, checked after DNS resolution.

The database refuses such URLs at registration (private.webhook_url_refusal); the worker checks
again because a name may resolve, now or later, to an address inside the network, and it posts
to the address it checked, so that a second lookup cannot answer otherwise.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_DNS_NAME = re.compile(rf"{_LABEL}(\.{_LABEL})*")
# As browsers read URLs (WHATWG), a host whose last label is a number is an IPv4 address in
# one of its forms (2130706433, 0x7f000001, 0177.1); only the dotted-decimal form is taken.
_NUMERIC_LAST_LABEL = re.compile(r"(^|\.)(0x[0-9a-f]*|[0-9]+)$")
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_DOTTED_QUAD = re.compile(rf"{_OCTET}(\.{_OCTET}){{3}}")


class RefusedAddress(Exception):
    """The URL or an address it resolves to is not one the worker posts to; says which rule."""


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to."""

    url: str
    host: str
    address: IPAddress


def _refuse_internal(address: IPAddress, allow_loopback: bool) -> None:
    if address.is_loopback and allow_loopback:
        return
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        raise RefusedAddress("an IPv4-mapped IPv6 address")
    for kind, test in (("a loopback", address.is_loopback),
                       ("an unspecified", address.is_unspecified),
                       ("a link-local", address.is_link_local),
                       ("a multicast", address.is_multicast),
                       ("a private or unique-local", address.is_private),
                       ("a reserved", address.is_reserved or not address.is_global)):
        if test:
            raise RefusedAddress(f"{kind} address")


def _host_of(url: str) -> tuple[str, int]:
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in url) or "\\" in url:
        raise RefusedAddress("spaces, control characters or backslashes in the URL")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedAddress("not an http(s) URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise RefusedAddress("an invalid port") from None
    return parts.hostname.rstrip("."), port


def literal_address(host: str) -> IPAddress | None:
    """The address a host names by itself; None for a DNS name; refused for numeric tricks."""
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            raise RefusedAddress("an invalid IPv6 address") from None
    if not _DNS_NAME.fullmatch(host):
        raise RefusedAddress("a host that is neither a DNS name nor an IP address")
    if _NUMERIC_LAST_LABEL.search(host):
        if not _DOTTED_QUAD.fullmatch(host):
            raise RefusedAddress("a decimal, hexadecimal or octal IPv4 address")
        return ipaddress.IPv4Address(host)
    if host == "localhost" or host.endswith(".localhost"):
        return ipaddress.IPv4Address("127.0.0.1")
    return None


def resolve(url: str, allow_loopback: bool) -> Target:
    """The address to post `url` to, after every rule; raises RefusedAddress naming the rule."""
    host, port = _host_of(url)
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            raise RefusedAddress("a host name that does not resolve") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    # Every address the name has: a connection could have gone to any of them.
    for address in addresses:
        _refuse_internal(address, allow_loopback)
    local = all(address.is_loopback for address in addresses)
    if not url.lower().startswith("https://") and not (allow_loopback and local):
        raise RefusedAddress("http:// outside local development (https only)")
    return Target(url=url, host=host, address=addresses[0])
