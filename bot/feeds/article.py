"""An article page's main text, for feeds whose items say too little.

The page is fetched with the project's :class:`Fetcher` (its limits and SSRF guard: the
URL comes from an untrusted feed), and trafilatura only ever sees the bytes. Its own
fetching and timeouts are never used: extraction runs in a worker thread that the event
loop stops waiting for after ``extract_timeout``.
"""

from __future__ import annotations

import asyncio
import logging
from configparser import ConfigParser

import trafilatura
from trafilatura.settings import use_config

from bot.feeds.fetch import Fetcher, FetchOutcome
from bot.feeds.text import clean_text, truncate

__all__ = ["MAX_ARTICLE_CHARS", "extract_main_text", "fetch_article_text"]

_LOGGER = logging.getLogger(__name__)

MAX_ARTICLE_CHARS = 20_000
MIN_ARTICLE_CHARS = 200  # less than this says no more than the feed item did
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_UNLABELLED_TYPES = frozenset({"", "application/octet-stream"})  # worth sniffing
_SNIFF_BYTES = 1024
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--")


def _trafilatura_config() -> ConfigParser:
    config = use_config()  # a fresh copy of trafilatura's defaults, not the shared one
    # Its signal-based timeout works only in the main thread; ours is asyncio.timeout.
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


_CONFIG = _trafilatura_config()


def _looks_like_html(content_type: str | None, body: bytes) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type in _HTML_TYPES:
        return True
    if media_type not in _UNLABELLED_TYPES:
        return False
    head = body[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(_HTML_STARTS)


def extract_main_text(html: bytes | str, url: str = "") -> str | None:
    """The page's main text as plain paragraphs (one per line); None when nothing useful.

    Synchronous and CPU-bound: call it in a worker thread. Never touches the network.
    """
    try:
        extracted = trafilatura.extract(
            html,
            url=url or None,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            include_formatting=False,
            with_metadata=False,
            output_format="txt",
            config=_CONFIG,
        )
    except Exception as exc:  # lxml and trafilatura raise many kinds on hostile pages
        _LOGGER.info("no article text from %s: extraction failed (%r)", url or "a page", exc)
        return None
    if not extracted:
        return None
    # clean_text folds all whitespace; keeping one paragraph a line keeps the lede apart.
    paragraphs = (clean_text(line) for line in extracted.splitlines())
    text = truncate("\n".join(p for p in paragraphs if p), MAX_ARTICLE_CHARS)
    return text if len(text) >= MIN_ARTICLE_CHARS else None


async def fetch_article_text(
    fetcher: Fetcher,
    url: str,
    *,
    timeout: float | None = None,  # noqa: ASYNC109 - passed to the Fetcher, which bounds it
    max_body_bytes: int | None = None,
    extract_timeout: float = 5.0,
) -> str | None:
    """The main text of the article at ``url``, or None (the reason is logged at info)."""
    result = await fetcher.fetch(
        url, timeout=timeout, max_body_bytes=max_body_bytes, allow_files=False
    )
    if result.outcome is not FetchOutcome.OK:
        _LOGGER.info("no article text from %s: %s", url, result.error or result.outcome.value)
        return None
    if not _looks_like_html(result.content_type, result.body):
        _LOGGER.info("no article text from %s: not an HTML page (%s)", url, result.content_type)
        return None
    try:
        async with asyncio.timeout(extract_timeout):
            # On timeout the thread runs on to its end, but nothing waits for it.
            text = await asyncio.to_thread(extract_main_text, result.body, result.url)
    except TimeoutError:
        _LOGGER.info("no article text from %s: extraction took over %g s", url, extract_timeout)
        return None
    if text is None:
        _LOGGER.info("no article text from %s: no main text found", url)
    return text
