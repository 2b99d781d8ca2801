"""Test-wide fixtures and the guard that keeps the suite off the internet.

Every test talks to real libraries over real sockets, but only on loopback:
a test that tries to connect anywhere else, or to resolve a public name,
fails at once instead of hanging or leaking traffic.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator

import pytest

from bot.feeds.fetch import Fetcher, FetchLimits
from tests.feedserver import FeedServer

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class InternetAccessInTest(AssertionError):
    pass


def _is_loopback_literal(host: object) -> bool:
    if not isinstance(host, str):
        return False
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _is_numeric(host: object) -> bool:
    if not isinstance(host, str):
        return True
    try:
        ipaddress.ip_address(host.split("%")[0])
        return True
    except ValueError:
        pass
    try:  # odd IPv4 spellings such as "2130706433" or "0x7f.1" resolve without DNS
        socket.inet_aton(host)
        return True
    except OSError:
        return False


def _guarded_connect(self: socket.socket, address):  # type: ignore[no-untyped-def]
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback_literal(address[0]):
        raise InternetAccessInTest(
            f"test tried to connect to {address!r}; only loopback is allowed"
        )
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address):  # type: ignore[no-untyped-def]
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback_literal(address[0]):
        raise InternetAccessInTest(
            f"test tried to connect to {address!r}; only loopback is allowed"
        )
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if host is not None and not _is_numeric(host):
        name = host.decode() if isinstance(host, bytes) else host
        if name.lower().rstrip(".") not in _LOCAL_NAMES:
            raise InternetAccessInTest(
                f"test tried to resolve {name!r}; only local names are allowed"
            )
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    """A local HTTP server on 127.0.0.1 (tests/feedserver.py)."""
    async with FeedServer() as feed_server:
        yield feed_server


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    """The real fetcher, allowed to reach the local test server."""
    async with Fetcher(FetchLimits(allow_private_addresses=True)) as local_fetcher:
        yield local_fetcher
