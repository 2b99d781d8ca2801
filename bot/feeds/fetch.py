"""Fetching feeds: HTTP(S) with conditional GET, hard limits and an SSRF guard, or local files.

:meth:`Fetcher.fetch` never raises for network or HTTP trouble: every outcome is a
:class:`FetchResult`, whose ``error`` sentence can be shown to the operator as is.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
import mimetypes
import os
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import aiohttp
from yarl import URL

from bot import __version__
from bot.feeds.netguard import BlockedAddressError, GuardedResolver, check_host

_LOGGER = logging.getLogger(__name__)

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_HTTP_SCHEMES = frozenset({"http", "https"})
_READ_CHUNK = 64 * 1024
_INFLATE_CHUNK = 256 * 1024  # most bytes one zlib call may produce, so memory stays near the cap
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)


@dataclass(frozen=True)
class FetchLimits:
    timeout: float = 20.0  # total seconds per request, body included
    max_body_bytes: int = 10 * 1024 * 1024  # after decompression
    max_redirects: int = 10
    user_agent: str = f"filmbot/{__version__} (+https://github.com/filmbot/filmbot)"
    allow_private_addresses: bool = False


class FetchOutcome(enum.Enum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    ERROR = "error"


@dataclass(frozen=True)
class FetchResult:
    outcome: FetchOutcome
    url: str  # final URL after redirects
    status: int | None = None  # HTTP status; None for files and network errors
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    body_sha256: str | None = None  # hex digest of body when OK
    # "timeout", "too_large", "too_many_redirects", "blocked_address", "bad_url",
    # "connection", "http_404", "http_410", "http_429", "http_4xx", "http_5xx",
    # "bad_encoding", "file"
    error_kind: str | None = None
    error: str | None = None  # a sentence for humans: what went wrong, and what to do
    retry_after: float | None = None  # seconds, from a Retry-After header


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); ``None`` if unreadable."""
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" dates: RFC 9110 says HTTP-dates are UTC
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class _Failure(Exception):
    """An outcome that ends the fetch; turned into an ERROR result in one place."""

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.retry_after = retry_after


def _too_large(cap: int) -> _Failure:
    return _Failure(
        "too_large",
        f"the feed is larger than the limit of {cap} bytes; "
        "raise max_body_bytes in feeds.yaml if it is genuine",
    )


class _Inflater:
    """Streaming gzip/deflate decoder whose output never grows past what the caller has room for."""

    def __init__(self, encoding: str) -> None:
        # For gzip, 32 + MAX_WBITS also accepts a zlib header, which some servers mislabel.
        self._decoder: zlib._Decompress | None = (
            zlib.decompressobj(32 + zlib.MAX_WBITS) if encoding != "deflate" else None
        )
        self._head = b""

    def _start(self, data: bytes) -> bytes:
        # "deflate" is zlib-wrapped per the RFC, but some servers send raw deflate.
        self._head += data
        if len(self._head) < 2:
            return b""
        cmf, flg = self._head[0], self._head[1]
        wrapped = cmf & 0x0F == 8 and (cmf << 8 | flg) % 31 == 0
        self._decoder = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        data, self._head = self._head, b""
        return data

    def feed(self, data: bytes, out: bytearray, cap: int) -> None:
        """Decode ``data`` into ``out``; raise too_large once ``out`` would pass ``cap``."""
        if self._decoder is None:
            data = self._start(data)
            if self._decoder is None:
                return
        decoder = self._decoder
        while data and not decoder.eof:
            room = cap + 1 - len(out)
            chunk = decoder.decompress(data, min(room, _INFLATE_CHUNK))
            out += chunk
            if len(out) > cap:
                raise _too_large(cap)
            data = decoder.unconsumed_tail
            if not chunk and data:
                break  # defensive: zlib made no progress

    def finish(self, out: bytearray, cap: int) -> None:
        if self._decoder is None:
            if self._head:
                raise zlib.error("the body ends after one byte")
            return
        # Safe to flush without a limit: the input was consumed with room to spare, so
        # little output can be pending.
        out += self._decoder.flush()
        if len(out) > cap:
            raise _too_large(cap)


def _decoder_for(encoding: str) -> _Inflater | None:
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Inflater(encoding)
    raise _Failure(
        "bad_encoding",
        f"the server sent the body in an encoding filmbot cannot read ({encoding!r}); "
        "it asked for gzip or deflate only",
    )


async def _read_body(response: aiohttp.ClientResponse, cap: int) -> bytes:
    encoding = response.headers.get(aiohttp.hdrs.CONTENT_ENCODING, "").strip().lower()
    decoder = _decoder_for(encoding)
    if decoder is None and response.content_length is not None and response.content_length > cap:
        raise _too_large(cap)
    out = bytearray()
    received = 0
    async for chunk in response.content.iter_chunked(_READ_CHUNK):
        received += len(chunk)
        if received > cap:  # also bounds compressed input that inflates to little
            raise _too_large(cap)
        if decoder is None:
            out += chunk
        else:
            try:
                decoder.feed(chunk, out, cap)
            except zlib.error as exc:
                raise _Failure("bad_encoding", f"the {encoding} body is corrupt: {exc}") from exc
    if decoder is not None:
        try:
            decoder.finish(out, cap)
        except zlib.error as exc:
            raise _Failure("bad_encoding", f"the {encoding} body is corrupt: {exc}") from exc
    return bytes(out)


def _status_failure(status: int, reason: str | None, retry_after: float | None) -> _Failure:
    said = f"HTTP {status}" + (f" {reason[:80]}" if reason else "")
    if status == 404:
        kind, advice = "http_404", "check the feed URL"
    elif status == 410:
        kind, advice = (
            "http_410",
            "the server says the feed was removed; remove it or find its new URL",
        )
    elif status == 429:
        kind, advice = "http_429", "the server is rate limiting filmbot; it will poll less often"
    elif 400 <= status < 500:
        kind, advice = "http_4xx", "the server refused the request"
    elif 500 <= status < 600:
        kind, advice = "http_5xx", "the server has a problem; filmbot will retry later"
    else:  # e.g. 300 Multiple Choices: nothing filmbot can follow, so a refusal
        kind, advice = "http_4xx", "filmbot does not understand this status"
    return _Failure(kind, f"{said}: {advice}", status=status, retry_after=retry_after)


def _ok(
    url: str,
    body: bytes,
    *,
    status: int | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    content_type: str | None = None,
    retry_after: float | None = None,
) -> FetchResult:
    return FetchResult(
        outcome=FetchOutcome.OK,
        url=url,
        status=status,
        body=body,
        etag=etag,
        last_modified=last_modified,
        content_type=content_type,
        body_sha256=hashlib.sha256(body).hexdigest(),
        retry_after=retry_after,
    )


def _file_path(url: str) -> Path | None:
    """The local path of a file:// URL or an absolute path; ``None`` when it is neither."""
    if url.startswith("/"):
        return Path(url)
    if not url.lower().startswith("file:"):
        return None
    parsed = URL(url)
    if parsed.host not in (None, "", "localhost") or not parsed.path.startswith("/"):
        raise _Failure(
            "bad_url", f"{url} is not a local file URL; write it as file:///absolute/path"
        )
    return Path(parsed.path)


def _read_file(path: Path, cap: int, etag: str | None) -> tuple[bytes | None, str]:
    with path.open("rb") as handle:
        info = os.fstat(handle.fileno())
        file_etag = f'"{info.st_size:x}-{info.st_mtime_ns:x}"'
        if etag is not None and etag == file_etag:
            return None, file_etag
        if info.st_size > cap:
            raise _too_large(cap)
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise _too_large(cap)
    return data, file_etag


_DEFAULT_LIMITS = FetchLimits()


class Fetcher:
    """Fetches feed URLs over one shared aiohttp session. Call :meth:`start` first."""

    def __init__(self, limits: FetchLimits = _DEFAULT_LIMITS) -> None:
        self._limits = limits
        self._session: aiohttp.ClientSession | None = None

    @property
    def limits(self) -> FetchLimits:
        return self._limits

    async def start(self) -> None:
        if self._session is not None:
            return
        resolver = GuardedResolver(allow_private=self._limits.allow_private_addresses)
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(resolver=resolver),
            auto_decompress=False,
            # No proxies from the environment: a proxy would resolve names where the
            # guard cannot see them.
            trust_env=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            headers={
                "User-Agent": self._limits.user_agent,
                "Accept": _ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
        )

    async def close(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def __aenter__(self) -> Fetcher:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - part of the API; applied with asyncio.timeout
        max_body_bytes: int | None = None,
        allow_files: bool = False,
    ) -> FetchResult:
        """Fetch ``url``; file:// URLs and absolute paths only with ``allow_files``."""
        seconds = self._limits.timeout if timeout is None else timeout
        cap = self._limits.max_body_bytes if max_body_bytes is None else max_body_bytes
        try:
            path = _file_path(url)
            if path is not None and not allow_files:
                raise _Failure(
                    "bad_url", f"{url}: local files can only be read by configured feeds"
                )
        except _Failure as failure:
            return self._failed(url, failure)
        if path is not None:
            return await self._fetch_file(url, path, cap, seconds, etag)
        return await self._fetch_http(url, etag, last_modified, cap, seconds)

    def _failed(self, url: str, failure: _Failure) -> FetchResult:
        _LOGGER.info("fetching %s failed (%s): %s", url, failure.kind, failure.message)
        return FetchResult(
            outcome=FetchOutcome.ERROR,
            url=url,
            status=failure.status,
            error_kind=failure.kind,
            error=failure.message,
            retry_after=failure.retry_after,
        )

    async def _fetch_file(
        self, url: str, path: Path, cap: int, seconds: float, etag: str | None
    ) -> FetchResult:
        try:
            async with asyncio.timeout(seconds):
                body, file_etag = await asyncio.to_thread(_read_file, path, cap, etag)
        except _Failure as failure:
            return self._failed(url, failure)
        except TimeoutError:
            return self._failed(url, _Failure("timeout", f"reading {path} took over {seconds:g} s"))
        except OSError as exc:
            return self._failed(url, _Failure("file", f"cannot read {path}: {exc.strerror or exc}"))
        if body is None:
            return FetchResult(outcome=FetchOutcome.NOT_MODIFIED, url=url, etag=file_etag)
        content_type, _ = mimetypes.guess_type(path.name)
        return _ok(url, body, etag=file_etag, content_type=content_type)

    def _vet(self, url: URL, text: str, *, redirected: bool) -> None:
        what = f"redirected to {text}" if redirected else text
        if url.scheme not in _HTTP_SCHEMES:
            problem = f"the {url.scheme}: scheme" if url.scheme else "a missing scheme"
            raise _Failure(
                "bad_url", f"{what}: {problem} is not supported; feeds must be http(s):// URLs"
            )
        if not url.raw_host:
            raise _Failure("bad_url", f"{what}: the URL has no host name")
        check_host(url.raw_host, allow_private=self._limits.allow_private_addresses)

    async def _fetch_http(
        self, url: str, etag: str | None, last_modified: str | None, cap: int, seconds: float
    ) -> FetchResult:
        if self._session is None:
            raise RuntimeError("Fetcher.start() must be called before fetch()")
        session = self._session
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        seen: set[str] = set()
        try:
            target = URL(url)
            async with asyncio.timeout(seconds):
                while True:
                    self._vet(target, current, redirected=bool(seen))
                    seen.add(str(target))
                    _LOGGER.debug("GET %s", current)
                    async with session.get(
                        target,
                        headers=headers,
                        allow_redirects=False,
                        timeout=aiohttp.ClientTimeout(total=seconds),
                    ) as response:
                        retry_after = self._retry_after(response)
                        if response.status in _REDIRECT_STATUSES:
                            target = self._next_hop(target, response, seen)
                            current = str(target)
                            continue
                        if response.status == 304:
                            return FetchResult(
                                outcome=FetchOutcome.NOT_MODIFIED,
                                url=current,
                                status=304,
                                etag=response.headers.get("ETag", etag),
                                last_modified=response.headers.get("Last-Modified", last_modified),
                                retry_after=retry_after,
                            )
                        if not 200 <= response.status < 300:
                            raise _status_failure(response.status, response.reason, retry_after)
                        body = await _read_body(response, cap)
                        _LOGGER.debug("fetched %s: %d bytes", current, len(body))
                        return _ok(
                            current,
                            body,
                            status=response.status,
                            etag=response.headers.get("ETag"),
                            last_modified=response.headers.get("Last-Modified"),
                            content_type=response.headers.get("Content-Type"),
                            retry_after=retry_after,
                        )
        except _Failure as failure:
            return self._failed(current, failure)
        except BlockedAddressError as exc:
            return self._failed(current, _Failure("blocked_address", str(exc)))
        except TimeoutError:
            message = f"no complete answer within {seconds:g} s; the server is too slow or down"
            return self._failed(current, _Failure("timeout", message))
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, BlockedAddressError):
                return self._failed(current, _Failure("blocked_address", str(exc.os_error)))
            return self._failed(current, _Failure("connection", f"cannot connect: {exc}"))
        except aiohttp.InvalidURL as exc:
            return self._failed(
                current, _Failure("bad_url", f"{current} is not a valid URL: {exc}")
            )
        except (aiohttp.ClientError, OSError) as exc:
            message = f"the connection failed: {str(exc) or type(exc).__name__}"
            return self._failed(current, _Failure("connection", message))
        except ValueError as exc:
            return self._failed(
                current, _Failure("bad_url", f"{current} is not a valid URL: {exc}")
            )

    def _next_hop(self, target: URL, response: aiohttp.ClientResponse, seen: set[str]) -> URL:
        location = response.headers.get("Location")
        if not location:
            raise _Failure(
                "bad_url",
                f"HTTP {response.status} redirect without a Location header; "
                "the feed URL is probably wrong",
            )
        try:
            following = target.join(URL(location))
        except ValueError as exc:
            raise _Failure("bad_url", f"redirected to an invalid URL {location!r}") from exc
        if str(following) in seen:
            raise _Failure(
                "too_many_redirects",
                f"redirect loop back to {following}; the server is misconfigured",
            )
        if len(seen) > self._limits.max_redirects:
            raise _Failure(
                "too_many_redirects",
                f"more than {self._limits.max_redirects} redirects; the server is misconfigured",
            )
        _LOGGER.debug("%s redirects (%d) to %s", target, response.status, following)
        return following

    @staticmethod
    def _retry_after(response: aiohttp.ClientResponse) -> float | None:
        value = response.headers.get("Retry-After")
        return None if value is None else parse_retry_after(value, datetime.now(UTC))
