"""Refusing internal addresses, so a feed URL cannot reach inside the bot's network (SSRF).

Two layers, both needed:

* :func:`check_host` / :func:`check_url_host` run on every URL before connecting
  (the first one and every redirect hop). aiohttp never asks the resolver about
  IP literals, so this is the only check they get.
* :class:`GuardedResolver` checks the addresses a name resolves to, and aiohttp
  connects only to the ones it returns. A name that resolves to a public address
  when checked and a private one later (DNS rebinding) gains nothing, because there
  is no second lookup.

Cloud metadata endpoints are refused even when private addresses are allowed: no
feed lives there, and they hold the machine's credentials.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import TypeAlias

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

_LOGGER = logging.getLogger(__name__)

IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address

_METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, ...
        ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
        ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("192.0.0.192"),  # Oracle Cloud
    }
)
_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # RFC 6598, carrier-grade NAT
_ULA = ipaddress.ip_network("fc00::/7")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HEX_DIGITS = frozenset("0123456789abcdef")
_OCT_DIGITS = frozenset("01234567")
_DEC_DIGITS = frozenset("0123456789")
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})

_HOW_TO_ALLOW = "set allow_private_addresses: true in feeds.yaml to allow it"


class BlockedAddressError(OSError):
    """A URL's host is, or resolves to, an address the bot must not connect to.

    An ``OSError`` so that aiohttp wraps it like any resolver failure
    (``ClientConnectorDNSError``, with this as ``os_error``) instead of crashing.
    """

    def __init__(
        self, host: str, reason: str, *, address: str | None = None, allowable: bool = True
    ) -> None:
        shown = host if address is None or address == host else f"{host} ({address})"
        advice = _HOW_TO_ALLOW if allowable else "this is refused even with allow_private_addresses"
        super().__init__(f"refused to connect to {shown}: it is {reason}; {advice}")
        self.host = host
        self.address = address
        self.reason = reason


def unwrap_host(host: str) -> IPAddress | None:
    """The address an IP-literal host means, in any spelling; ``None`` for a real hostname.

    Accepts brackets and zone ids (``[fe80::1%25eth0]``), IPv4-mapped IPv6 (returned as
    IPv4), and the legacy IPv4 forms that ``inet_aton``/``getaddrinfo`` still accept:
    ``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1``.
    """
    text = host.strip().lower()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        try:
            addr6 = ipaddress.IPv6Address(text.split("%", 1)[0])
        except ValueError:
            return None
        return addr6.ipv4_mapped or addr6
    return _parse_legacy_ipv4(text.removesuffix("."))


def _parse_legacy_ipv4(text: str) -> ipaddress.IPv4Address | None:
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        if part.startswith("0x"):
            digits, base, allowed = part[2:], 16, _HEX_DIGITS
        elif part.startswith("0") and len(part) > 1:
            digits, base, allowed = part[1:], 8, _OCT_DIGITS
        else:
            digits, base, allowed = part, 10, _DEC_DIGITS
        if not digits or not set(digits) <= allowed:
            return None
        values.append(int(digits, base))
    # a.b.c.d, a.b.c (c fills 16 bits), a.b (b fills 24 bits), a (32 bits)
    *head, last = values
    if any(v > 0xFF for v in head) or last >= 1 << (8 * (4 - len(head))):
        return None
    number = last
    for index, value in enumerate(head):
        number |= value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr.teredo is not None:
        return addr.teredo[1]
    if addr in _NAT64 or (addr in _IPV4_COMPATIBLE and int(addr) > 1):
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def _metadata_reason(addr: IPAddress) -> str | None:
    if addr in _METADATA_ADDRESSES:
        return "a cloud metadata endpoint"
    if isinstance(addr, ipaddress.IPv6Address):
        inner = _embedded_ipv4(addr)
        if inner is not None and inner in _METADATA_ADDRESSES:
            return "an IPv6 form of a cloud metadata endpoint"
    return None


def blocked_reason(addr: IPAddress, *, allow_private: bool = False) -> str | None:
    """Why ``addr`` must not be connected to, as a phrase; ``None`` when it may be."""
    metadata = _metadata_reason(addr)
    if metadata is not None or allow_private:
        return metadata
    if isinstance(addr, ipaddress.IPv6Address):
        inner = _embedded_ipv4(addr)
        if inner is not None:
            inner_reason = blocked_reason(inner)
            return None if inner_reason is None else f"an IPv6 form of {inner_reason}"
    if addr.is_loopback:
        return "a loopback address"
    if addr.is_unspecified:
        return "the unspecified address"
    if addr.is_link_local:
        return "a link-local address"
    if any(addr in net for net in _RFC1918):
        return "a private network address (RFC 1918)"
    if addr in _SHARED:
        return "a shared address space address (RFC 6598, carrier-grade NAT)"
    if addr in _ULA:
        return "a unique local IPv6 address (fc00::/7)"
    if addr.is_multicast:
        return "a multicast address"
    if addr.is_reserved:
        return "a reserved address"
    if addr.is_private or not addr.is_global:
        return "not a publicly routable address"
    return None


def is_blocked_address(addr: IPAddress, *, allow_private: bool = False) -> bool:
    """Whether the fetcher must refuse to connect to ``addr``."""
    return blocked_reason(addr, allow_private=allow_private) is not None


def check_host(host: str, *, allow_private: bool = False) -> None:
    """Raise :class:`BlockedAddressError` for a blocked IP literal or a name for this machine."""
    name = host.strip().lower().rstrip(".")
    if not allow_private and (name in _LOCAL_NAMES or name.endswith(".localhost")):
        raise BlockedAddressError(host, "a name for this machine")
    addr = unwrap_host(host)
    if addr is None:
        return
    reason = blocked_reason(addr, allow_private=allow_private)
    if reason is not None:
        raise BlockedAddressError(
            host, reason, address=str(addr), allowable=_metadata_reason(addr) is None
        )


def check_url_host(url: str, *, allow_private: bool = False) -> None:
    """Raise :class:`BlockedAddressError` when ``url``'s host is blocked before any lookup.

    Names are left to :class:`GuardedResolver`; a URL without a host passes. Raises
    ``ValueError`` when the URL cannot be parsed.
    """
    host = URL(url).raw_host
    if host:
        check_host(host, allow_private=allow_private)


class GuardedResolver(AbstractResolver):
    """Resolves with aiohttp's default resolver, then drops every blocked address.

    Raises :class:`BlockedAddressError` when nothing is left; aiohttp surfaces it as
    ``ClientConnectorDNSError`` whose ``os_error`` is that error. Build it inside a
    running event loop: aiohttp's default resolver needs one.
    """

    def __init__(
        self, resolver: AbstractResolver | None = None, *, allow_private: bool = False
    ) -> None:
        self._resolver = resolver if resolver is not None else DefaultResolver()
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._resolver.resolve(host, port, family=family)
        kept: list[ResolveResult] = []
        first_refusal: BlockedAddressError | None = None
        for result in results:
            addr = ipaddress.ip_address(result["host"].split("%", 1)[0])
            reason = blocked_reason(addr, allow_private=self._allow_private)
            if reason is None:
                kept.append(result)
                continue
            _LOGGER.info("dropped address %s of %s: %s", addr, host, reason)
            if first_refusal is None:
                first_refusal = BlockedAddressError(
                    host, reason, address=str(addr), allowable=_metadata_reason(addr) is None
                )
        if not kept:
            raise first_refusal or OSError(f"{host} resolved to no usable address")
        return kept

    async def close(self) -> None:
        await self._resolver.close()
