"""The SSRF guard: address spellings, the block list, and refusals before any connect."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.feeds.fetch import Fetcher, FetchLimits, FetchOutcome
from bot.feeds.netguard import (
    BlockedAddressError,
    GuardedResolver,
    check_url_host,
    is_blocked_address,
    unwrap_host,
)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("::ffff:127.0.0.1", "127.0.0.1"),
        ("[::ffff:127.0.0.1]", "127.0.0.1"),
        ("::ffff:7f00:1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0X7F.0X0.0X0.0X1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("10.0.0.1", "10.0.0.1"),
        ("8.8.8.8", "8.8.8.8"),
        ("[fe80::1%25eth0]", "fe80::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("2606:4700::1111", "2606:4700::1111"),
        ("example.com", None),
        ("localhost", None),
        ("127.0.0.1.nip.io", None),
        ("1.2.3.4.5", None),
        ("256.0.0.1", None),
        ("4294967296", None),  # 2**32 does not fit
        ("08.0.0.1", None),  # 8 is not an octal digit
        ("0x", None),
        ("1..1", None),
        ("0x7_f.1", None),
        ("[not:an:address]", None),
    ],
)
def test_unwrap_host(host: str, expected: str | None) -> None:
    addr = unwrap_host(host)
    assert (None if addr is None else str(addr)) == expected


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("172.31.255.255", True),
        ("192.168.1.1", True),
        ("100.64.0.1", True),
        ("100.127.255.255", True),
        ("fd00::1", True),
        ("fc00::1", True),
        ("169.254.1.1", True),
        ("fe80::1", True),
        ("169.254.169.254", True),
        ("fd00:ec2::254", True),
        ("0.0.0.0", True),
        ("::", True),
        ("224.0.0.1", True),
        ("239.255.255.250", True),
        ("ff02::1", True),
        ("240.0.0.1", True),
        ("255.255.255.255", True),
        ("192.0.2.1", True),  # documentation
        ("198.18.0.1", True),  # benchmarking
        ("::ffff:10.0.0.1", True),  # IPv4-mapped
        ("::ffff:8.8.8.8", False),
        ("::7f00:1", True),  # IPv4-compatible loopback
        ("2002:7f00:1::", True),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", True),  # 6to4 of the metadata endpoint
        ("2002:808:808::1", False),  # 6to4 of 8.8.8.8
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", True),  # teredo, client 127.0.0.1
        ("64:ff9b::a00:1", True),  # NAT64 of 10.0.0.1
        ("64:ff9b::808:808", False),  # NAT64 of 8.8.8.8
        ("8.8.8.8", False),
        ("1.1.1.1", False),
        ("100.63.255.255", False),
        ("100.128.0.0", False),
        ("172.32.0.1", False),
        ("2606:4700:4700::1111", False),
        ("2a00:1450:4001:80b::200e", False),
    ],
)
def test_is_blocked_address(address: str, blocked: bool) -> None:
    assert is_blocked_address(ipaddress.ip_address(address)) is blocked


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("fd00::1", False),
        ("169.254.169.254", True),
        ("fd00:ec2::254", True),
        ("::ffff:169.254.169.254", True),
        ("2002:a9fe:a9fe::", True),
    ],
)
def test_allow_private_still_blocks_metadata(address: str, blocked: bool) -> None:
    assert is_blocked_address(ipaddress.ip_address(address), allow_private=True) is blocked


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]:8080/feed",
        "http://0x7f.1/",
        "http://2130706433/",
        "https://[::ffff:127.0.0.1]/",
        "http://localhost/",
        "http://LOCALHOST./",
        "http://feeds.localhost/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_check_url_host_refuses(url: str) -> None:
    with pytest.raises(BlockedAddressError) as caught:
        check_url_host(url)
    assert "allow_private_addresses: true in feeds.yaml" in str(caught.value) or (
        "metadata" in str(caught.value)
    )


@pytest.mark.parametrize(
    "url",
    ["https://variety.com/feed/", "http://8.8.8.8/", "http://[2606:4700::1111]/", "file:///x"],
)
def test_check_url_host_passes(url: str) -> None:
    check_url_host(url)


def test_blocked_address_error_says_what_why_and_how() -> None:
    with pytest.raises(BlockedAddressError) as caught:
        check_url_host("http://0x7f.1/")
    message = str(caught.value)
    assert "0x7f.1 (127.0.0.1)" in message
    assert "loopback" in message
    assert "set allow_private_addresses: true in feeds.yaml to allow it" in message
    assert isinstance(caught.value, OSError)  # so aiohttp wraps it like any resolver error


def test_metadata_error_does_not_offer_the_switch() -> None:
    with pytest.raises(BlockedAddressError) as caught:
        check_url_host("http://169.254.169.254/", allow_private=True)
    assert "allow_private_addresses: true" not in str(caught.value)


class _CountingListener:
    """A TCP listener on loopback that counts the connections it accepts."""

    def __init__(self) -> None:
        self.accepted = 0
        self._servers: list[asyncio.Server] = []
        self.port = 0

    async def start(self) -> None:
        server = await asyncio.start_server(self._on_connect, "127.0.0.1", 0)
        self._servers.append(server)
        self.port = server.sockets[0].getsockname()[1]
        try:  # the same port on ::1 too, so an IPv6 loopback connect would be counted
            self._servers.append(await asyncio.start_server(self._on_connect, "::1", self.port))
        except OSError:
            pass

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    async def close(self) -> None:
        for server in self._servers:
            server.close()
            await server.wait_closed()


@pytest.fixture
async def listener() -> AsyncIterator[_CountingListener]:
    counting = _CountingListener()
    await counting.start()
    yield counting
    await counting.close()


async def test_listener_counts_connections(listener: _CountingListener) -> None:
    # The control: with private addresses allowed the same URL connects.
    async with Fetcher(FetchLimits(allow_private_addresses=True)) as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{listener.port}/")
    assert (result.outcome, result.body) == (FetchOutcome.OK, b"ok")
    assert listener.accepted == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/",
        "http://localhost:{port}/",
        "http://2130706433:{port}/",
        "http://0x7f.1:{port}/",
        "http://0177.0.0.1:{port}/",
        "http://127.1:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://[::1]:{port}/",
        "http://169.254.169.254/",
        "http://10.0.0.1/",
        "http://100.64.0.1/",
        "http://[fd00::1]/",
    ],
)
async def test_fetcher_refuses_before_connecting(listener: _CountingListener, url: str) -> None:
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(url.format(port=listener.port))
    await asyncio.sleep(0.05)  # let any accept callback run before counting
    assert result.outcome is FetchOutcome.ERROR
    assert result.error_kind == "blocked_address", result.error
    assert result.error and "allow_private_addresses" in result.error
    assert listener.accepted == 0


# The resolver layer on its own, through a plain aiohttp session: names (and the odd
# numeric spellings aiohttp hands to the resolver) are refused after resolution.


@pytest.mark.parametrize("host", ["localhost", "0x7f.1", "0x7f000001"])
async def test_guarded_resolver_refuses_inside_aiohttp(
    listener: _CountingListener, host: str
) -> None:
    connector = aiohttp.TCPConnector(resolver=GuardedResolver())
    async with aiohttp.ClientSession(connector=connector) as session:
        with pytest.raises(aiohttp.ClientConnectorError) as caught:
            await session.get(f"http://{host}:{listener.port}/")
    assert isinstance(caught.value.os_error, BlockedAddressError)
    await asyncio.sleep(0.05)
    assert listener.accepted == 0


async def test_guarded_resolver_lets_loopback_through_when_allowed(
    listener: _CountingListener,
) -> None:
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(allow_private=True))
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(f"http://localhost:{listener.port}/") as response:
            assert await response.read() == b"ok"
    assert listener.accepted == 1


class _FixedResolver(AbstractResolver):
    """Stands in for DNS: answers every name with the given addresses."""

    def __init__(self, *addresses: str) -> None:
        self._addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self._addresses
        ]

    async def close(self) -> None:
        pass


async def test_guarded_resolver_drops_blocked_addresses() -> None:
    resolver = GuardedResolver(_FixedResolver("10.0.0.7", "93.184.216.34", "::1", "2606:2800::1"))
    kept = await resolver.resolve("rebind.example", 443)
    assert [r["host"] for r in kept] == ["93.184.216.34", "2606:2800::1"]


@pytest.mark.parametrize(
    "addresses",
    [("127.0.0.1",), ("10.0.0.7", "192.168.0.2"), ("169.254.169.254",), ("::ffff:127.0.0.1",)],
)
async def test_guarded_resolver_refuses_when_nothing_is_left(addresses: tuple[str, ...]) -> None:
    resolver = GuardedResolver(_FixedResolver(*addresses))
    with pytest.raises(BlockedAddressError) as caught:
        await resolver.resolve("rebind.example", 80)
    assert "rebind.example" in str(caught.value)


async def test_guarded_resolver_blocks_metadata_even_when_private_is_allowed() -> None:
    resolver = GuardedResolver(_FixedResolver("169.254.169.254"), allow_private=True)
    with pytest.raises(BlockedAddressError):
        await resolver.resolve("metadata.google.internal", 80)
    allowed = GuardedResolver(_FixedResolver("10.0.0.7"), allow_private=True)
    assert len(await allowed.resolve("nas.lan", 80)) == 1
