"""Where a webhook may go: outside local settings, only HTTPS to public addresses.

An endpoint on a private, loopback or link-local address would let a partner make the portal call
into its own network. The name is checked when the endpoint is registered and resolved again at
each delivery, and the delivery connects to the address that was checked (`pinned`), so a name
that later resolves elsewhere (DNS rebinding) cannot slip past the check."""

import ipaddress
import socket
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


class AddressRefused(Exception):
    """The endpoint's address is not one the portal may call."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])  # an IPv6 zone id names a local interface anyway
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]  # an address written out needs no look-up
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"The name {host} cannot be found.") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_addresses(url: str) -> list[str]:
    """The addresses `url`'s host resolves to, every one of them public; AddressRefused otherwise."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    addresses = resolve(host, parts.port or 443)
    private = [address for address in addresses if not is_public(address)]
    if private or not addresses:
        raise AddressRefused(
            f"{host} is on a private, loopback or link-local address ({', '.join(private) or 'none'}); "
            "webhooks go only to addresses on the internet."
        )
    return addresses


def url_problem(url: str) -> str:
    """Why the portal may not deliver to `url`, or "" when it may."""
    parts = urlsplit(url)
    schemes = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in schemes:
        return "The address must start with https://."
    if not parts.hostname:
        return "The address needs a host name."
    if parts.username or parts.password:
        return "Leave the user name and password out of the address; each delivery is signed instead."
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return ""
    try:
        checked_addresses(url)
    except AddressRefused as exc:
        return str(exc)
    return ""


class Pinned(NamedTuple):
    url: str  # what to connect to: the checked address in place of the name
    host: str  # the Host header: the name, as the endpoint expects it
    extensions: dict[str, str]  # for HTTPS: the name for SNI and certificate checks


def pinned(url: str) -> Pinned:
    """The request to send for `url`: to the address checked now, naming the host in the Host header
    and (HTTPS) in SNI, so the certificate is still checked against the name. AddressRefused when
    the name resolves to any address the portal may not call."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return Pinned(url, parts.netloc, {})
    problem = url_problem(url)
    if problem:
        raise AddressRefused(problem)
    address = checked_addresses(url)[0]
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return Pinned(urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), parts.netloc, extensions)
