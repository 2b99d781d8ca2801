"""Feed bytes to normalised FeedItems.

Synchronous and CPU-bound: callers run :func:`parse_feed` in a worker thread
(``asyncio.to_thread``). feedparser only ever sees bytes wrapped in a stream,
never a URL or a path, so it cannot fetch or open anything; and the DOCTYPE is
removed before feedparser sees the document, so no entity is expanded and no
external DTD is loaded whatever its XML parser would do.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import logging
import re
import xml.sax
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import feedparser

from bot.feeds.text import clean_text, html_to_text, truncate
from bot.models import FeedItem

__all__ = ["FeedParseError", "ParsedFeed", "canonical_url", "parse_feed"]

_LOGGER = logging.getLogger(__name__)

MAX_TITLE_CHARS = 300
MAX_SUMMARY_CHARS = 2000
MAX_FALLBACK_TITLE_CHARS = 100  # a title made from the summary's first words
MAX_URL_CHARS = 2048  # longer links are dropped: no platform accepts them
MAX_KEY_CHARS = 1000  # longer guids are hashed
MAX_AUTHORS = 20
MAX_CATEGORIES = 20
MAX_NAME_CHARS = 200  # one author or category
# HTML beyond this is never needed for a 2000-character summary; parsing it only costs time.
MAX_RAW_HTML_CHARS = 100_000

EARLIEST_PUBLISHED = datetime(1995, 1, 1, tzinfo=UTC)
MAX_FUTURE_SKEW = timedelta(days=2)

TRACKING_PARAMS = frozenset({"fbclid", "gclid"})
TRACKING_PARAM_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}

_SNIFF_BYTES = 4096


class FeedParseError(Exception):
    """The document is not a feed at all; the message says what it looked like."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    items: tuple[FeedItem, ...]
    problem: str | None = None  # feedparser's complaint when the feed was malformed but parsed


def parse_feed(
    body: bytes,
    *,
    feed_name: str,
    fetched_at: datetime,
    base_url: str = "",
    content_type: str | None = None,
) -> ParsedFeed:
    """Parse one fetched document into items; raise FeedParseError when it is not a feed."""
    if fetched_at.utcoffset() is None:
        raise ValueError("fetched_at must be timezone-aware")
    fetched_at = fetched_at.astimezone(UTC)
    if not body.strip():
        raise FeedParseError("empty body")

    body, charset = _ascii_compatible(body, _charset(content_type))
    original = body
    body = _strip_doctype(body)
    # The media type is judged by looking at the body; only the charset is passed on, so that a
    # feed served as text/html or without a charset is not mis-decoded by RFC 3023's defaults.
    headers = {
        "content-type": f"application/xml; charset={charset}" if charset else "application/xml",
        "content-location": base_url,
    }
    result = feedparser.parse(
        io.BytesIO(body),
        response_headers=headers,
        # Every text is flattened by html_to_text, which drops scripts and styles, so links
        # inside HTML are never used and feedparser's sanitizer would only add a second pass
        # (one that takes quadratic time on "&lt;!--" repeated).
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    problem = _describe_problem(result.get("bozo_exception"), body) if result.get("bozo") else None
    entries: Sequence[Mapping[str, Any]] = result.get("entries") or []
    if not result.get("version") and not entries:
        raise FeedParseError(_describe_non_feed(original, body, problem))

    feed_info: Mapping[str, Any] = result.get("feed") or {}
    # Only Atom says whether a text is plain or HTML; in RSS, feedparser's "text/plain" is a
    # guess that a title full of <b> or <script> tags still gets, so RSS text is read as HTML.
    typed = str(result.get("version") or "").startswith("atom")
    title = truncate(_text_of(dict(feed_info), "title", typed), MAX_TITLE_CHARS)
    items = _normalise_entries(entries, feed_name, fetched_at, base_url, typed)
    if problem:
        _LOGGER.debug("feed %s is malformed but parsed: %s", feed_name, problem)
    return ParsedFeed(title=title, items=items, problem=problem)


# --- getting the bytes ready ---------------------------------------------------------------


def _charset(content_type: str | None) -> str:
    if not content_type:
        return ""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'").strip()
    return ""


_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
# How "<?" (or "<" for UTF-32) starts a document in encodings a byte scan cannot read.
_WIDE_MARKERS = (
    (b"\x00\x00\x00\x3c", "utf-32-be"),
    (b"\x3c\x00\x00\x00", "utf-32-le"),
    (b"\x00\x3c\x00\x3f", "utf-16-be"),
    (b"\x3c\x00\x3f\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),  # EBCDIC
)
_XML_DECL_ENCODING = re.compile(
    rb"""^<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})"""
)
_XML_DECL = re.compile(r"^<\?xml[^>]{0,300}?\?>")


def _is_ascii_compatible(encoding: str) -> bool:
    """Whether markup reads the same in this encoding as in ASCII, both ways.

    Decoding matters too: in UTF-7, the ASCII bytes "+ADw-" decode to "<".
    """
    probe = b'<!DOCTYPE x [<!ENTITY y SYSTEM "z">]>+ADw-'
    try:
        return (
            probe.decode(encoding) == probe.decode("ascii")
            and probe.decode("ascii").encode(encoding) == probe
        )
    except LookupError:
        return True  # unknown to Python, so feedparser cannot decode with it either
    except (UnicodeError, ValueError):
        return False


def _ascii_compatible(body: bytes, http_charset: str) -> tuple[bytes, str]:
    """Transcode documents in UTF-16/32, EBCDIC, UTF-7... to UTF-8 so a byte scan can read them.

    Returns the body and the charset to declare to feedparser.
    """
    encoding = ""
    bom = b""
    for mark, name in _BOMS:
        # A UTF-16 LE BOM is also the start of a UTF-32 LE one; the UTF-32 pairs are checked first.
        if body.startswith(mark):
            encoding, bom = name, mark
            break
    if not encoding:
        for marker, name in _WIDE_MARKERS:
            if body.startswith(marker):
                encoding = name
                break
    if not encoding:
        declared = _XML_DECL_ENCODING.match(body.lstrip().removeprefix(codecs.BOM_UTF8))
        for candidate in (http_charset, declared.group(1).decode("ascii") if declared else ""):
            if candidate and not _is_ascii_compatible(candidate):
                encoding = candidate
                break
    if not encoding:
        return body, http_charset
    text = body[len(bom) :].decode(encoding, errors="replace")
    text = _XML_DECL.sub("<?xml version='1.0' encoding='utf-8'?>", text.lstrip("\ufeff"), count=1)
    return text.encode("utf-8"), "utf-8"


def _strip_doctype(body: bytes) -> bytes:
    """Remove every DOCTYPE (with its internal subset) and other declarations from the prologue.

    Walks the prologue (XML declaration, processing instructions, comments, stray text) up to
    the first element; each step jumps with bytes.find, so the scan is linear in the body size.
    """
    out: list[bytes] = []
    pos = 0
    while True:
        lt = body.find(b"<", pos)
        if lt < 0:
            break
        if body.startswith(b"<?", lt):
            end = _find_end(body, b"?>", lt + 2)
        elif body.startswith(b"<!--", lt):
            end = _find_end(body, b"-->", lt + 4)
        elif body.startswith(b"<!", lt):
            # DOCTYPE, or a stray ENTITY/ELEMENT declaration: none of them may reach a parser
            out.append(body[pos:lt])
            pos = _doctype_end(body, lt + 2)
            out.append(b"\n" * body.count(b"\n", lt, pos))  # keep error line numbers right
            continue
        else:
            break  # the first element (or markup that cannot be a DOCTYPE): the prologue is over
        if end < 0:
            break
        out.append(body[pos:end])
        pos = end
    if not out:
        return body
    out.append(body[pos:])
    return b"".join(out)


def _find_end(body: bytes, terminator: bytes, start: int) -> int:
    found = body.find(terminator, start)
    return found + len(terminator) if found >= 0 else -1


def _doctype_end(body: bytes, pos: int) -> int:
    """The index just past the DOCTYPE declaration whose body starts at ``pos``."""
    in_subset = False
    while pos < len(body):
        char = body[pos : pos + 1]
        if char in (b'"', b"'"):
            end = _find_end(body, char, pos + 1)
        elif in_subset and body.startswith(b"<!--", pos):
            end = _find_end(body, b"-->", pos + 4)
        elif in_subset and body.startswith(b"<?", pos):
            end = _find_end(body, b"?>", pos + 2)
        elif char == b"[" and not in_subset:
            in_subset, end = True, pos + 1
        elif char == b"]" and in_subset:
            in_subset, end = False, pos + 1
        elif char == b">" and not in_subset:
            return pos + 1
        else:
            end = pos + 1
        if end < 0:
            break
        pos = end
    raise FeedParseError("XML error: unterminated <!DOCTYPE> or other declaration before the root")


# --- telling what went wrong ---------------------------------------------------------------


def _describe_problem(exc: object, body: bytes) -> str:
    if isinstance(exc, xml.sax.SAXParseException):
        line = exc.getLineNumber() or 1
        if not body.removeprefix(codecs.BOM_UTF8).startswith(b"<?xml"):
            line -= 1  # feedparser put an XML declaration line in front
        return f"XML error at line {max(line, 1)}: {exc.getMessage()}"
    if isinstance(exc, BaseException):
        return clean_text(str(exc)) or type(exc).__name__
    return "malformed feed"


_ROOT_ELEMENT = re.compile(rb"<([A-Za-z_][\w.:-]{0,60})")


def _describe_non_feed(original: bytes, body: bytes, problem: str | None) -> str:
    head = original[:_SNIFF_BYTES]
    stripped = head.lstrip().removeprefix(codecs.BOM_UTF8).lstrip()
    lowered = head.lower()
    if head.startswith(b"\x1f\x8b"):
        return "gzip-compressed data, not a feed"
    if stripped[:1] in (b"{", b"["):
        return "JSON document, not an RSS/Atom feed"
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<body" in lowered:
        return "HTML page, not a feed"
    printable = sum(1 for byte in head if byte >= 0x20 or byte in b"\t\n\r")
    if b"\x00" in head or printable < 0.9 * len(head):
        return "binary data, not a feed"
    if not stripped.startswith(b"<"):
        return "plain text, not a feed"
    if problem and problem.startswith("XML error"):
        return problem
    root = _ROOT_ELEMENT.search(body, 0, _SNIFF_BYTES * 4)
    name = root.group(1).decode("ascii", errors="replace") if root else "?"
    return f"XML document with root <{name}>, not an RSS/Atom feed"


# --- entries to items ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    guid: str
    date_text: str  # the date as the feed wrote it: part of the hash key, stable across fetches
    item: FeedItem  # key not yet set


def _normalise_entries(
    entries: Sequence[Mapping[str, Any]],
    feed_name: str,
    fetched_at: datetime,
    base_url: str,
    typed: bool,
) -> tuple[FeedItem, ...]:
    normalised: list[_Entry] = []
    seen: set[_Entry] = set()
    for entry in entries:
        # A plain dict: FeedParserDict maps missing keys to others (updated -> published), with
        # a DeprecationWarning.
        candidate = _normalise_entry(dict(entry), feed_name, fetched_at, base_url, typed)
        if candidate is None:
            continue
        if candidate in seen:  # an exact duplicate within this fetch
            continue
        seen.add(candidate)
        normalised.append(candidate)

    guid_counts = Counter(e.guid for e in normalised if e.guid)
    repeated = {guid for guid, count in guid_counts.items() if count > 1}
    if repeated:
        _LOGGER.info(
            "feed %s repeats %d guid(s) on different entries; keying those by link",
            feed_name,
            len(repeated),
        )
    link_counts = Counter(
        e.item.url for e in normalised if e.item.url and not (e.guid and e.guid not in repeated)
    )

    items: list[FeedItem] = []
    used: set[str] = set()
    for e in normalised:
        if e.guid and e.guid not in repeated:
            key = _guid_key(e.guid)
        elif e.item.url and link_counts[e.item.url] == 1:
            key = "link:" + e.item.url
        else:
            key = _hash_key(e.item.title, e.date_text, e.item.url)
        if key in used:
            # Same title, date and link but different text: the same story edited; keep the first.
            _LOGGER.debug("feed %s: dropping a second entry with key %s", feed_name, key)
            continue
        used.add(key)
        items.append(replace(e.item, key=key))
    return tuple(items)


def _guid_key(guid: str) -> str:
    if len(guid) > MAX_KEY_CHARS:
        return "guid:sha256:" + hashlib.sha256(guid.encode("utf-8")).hexdigest()
    return "guid:" + guid


def _hash_key(title: str, date_text: str, url: str) -> str:
    material = json.dumps([title, date_text, url], ensure_ascii=False)
    return "sha256:" + hashlib.sha256(material.encode("utf-8")).hexdigest()


def _normalise_entry(
    entry: Mapping[str, Any], feed_name: str, fetched_at: datetime, base_url: str, typed: bool
) -> _Entry | None:
    url = canonical_url(_str(entry.get("link")), base_url)
    summary = _text_of(entry, "summary", typed)
    if not summary:
        content = entry.get("content")
        if isinstance(content, list) and content and isinstance(content[0], Mapping):
            summary = _detail_text(content[0], typed)
    summary = truncate(summary, MAX_SUMMARY_CHARS)
    title = truncate(_text_of(entry, "title", typed), MAX_TITLE_CHARS)
    if not title:
        title = truncate(summary, MAX_FALLBACK_TITLE_CHARS)
    if not title and not url:
        _LOGGER.debug("feed %s: dropping an entry with neither title nor link", feed_name)
        return None
    published, date_text = _published(entry, fetched_at)
    item = FeedItem(
        feed=feed_name,
        key="",
        url=url,
        title=title,
        summary=summary,
        published=published,
        authors=_authors(entry),
        categories=_categories(entry),
    )
    return _Entry(guid=clean_text(_str(entry.get("id"))), date_text=date_text, item=item)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _text_of(container: Mapping[str, Any], name: str, typed: bool) -> str:
    """A text construct as plain text; ``typed``: trust the feed's own plain/HTML marking."""
    detail = container.get(f"{name}_detail")
    if isinstance(detail, Mapping):
        return _detail_text(detail, typed)
    return html_to_text(_str(container.get(name))[:MAX_RAW_HTML_CHARS])


def _detail_text(detail: Mapping[str, Any], typed: bool) -> str:
    value = _str(detail.get("value"))[:MAX_RAW_HTML_CHARS]
    # Plain text is already decoded; running it through the HTML step would decode it twice
    # and eat "<Sequel>" as a tag.
    if typed and _str(detail.get("type")) == "text/plain":
        return clean_text(value)
    return html_to_text(value)


def _published(entry: Mapping[str, Any], fetched_at: datetime) -> tuple[datetime, str]:
    date_text = ""
    for name in ("published", "updated", "created"):
        if not date_text:
            date_text = clean_text(_str(entry.get(name)))
        parsed = entry.get(f"{name}_parsed")
        if parsed is None:
            continue
        try:
            # feedparser has already converted to UTC
            year, month, day, hour, minute, second = tuple(parsed)[:6]
            moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
            continue
        if EARLIEST_PUBLISHED <= moment <= fetched_at + MAX_FUTURE_SKEW:
            return moment, date_text or moment.isoformat()
        return fetched_at, date_text
    return fetched_at, date_text


def _authors(entry: Mapping[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    authors = entry.get("authors")
    if isinstance(authors, list):
        names.extend(_str(a.get("name")) for a in authors if isinstance(a, Mapping))
    if not any(names):
        names.append(_str(entry.get("author")))
    return _unique_clean(names, MAX_AUTHORS)


def _categories(entry: Mapping[str, Any]) -> tuple[str, ...]:
    tags = entry.get("tags")
    if not isinstance(tags, list):
        return ()
    terms = [_str(t.get("term")) or _str(t.get("label")) for t in tags if isinstance(t, Mapping)]
    return _unique_clean(terms, MAX_CATEGORIES)


def _unique_clean(values: Sequence[str], limit: int) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for value in values:
        cleaned = truncate(clean_text(value), MAX_NAME_CHARS)
        if cleaned:
            out.setdefault(cleaned, None)
        if len(out) >= limit:
            break
    return tuple(out)


# --- links -------------------------------------------------------------------------------------

_URL_JUNK = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def canonical_url(link: str, base_url: str = "") -> str:
    """The canonical absolute http(s) form of a link; "" when there is none.

    Fragment, credentials and tracking parameters go; scheme and host are lowercased and a
    default port dropped, so the same page linked two ways yields one string (the store
    compares links to catch guids that change on every fetch).
    """
    link = _URL_JUNK.sub("", link).strip().replace(" ", "%20")
    if not link:
        return ""
    try:
        absolute = urljoin(base_url, link) if base_url else link
        parts = urlsplit(absolute)
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return ""
    # Credentials never belong in a shared link, and "https://trusted.example@evil.example/"
    # is a classic disguise.
    hostport = parts.netloc.rpartition("@")[2].lower().removesuffix(_DEFAULT_PORTS[scheme])
    query = "&".join(
        param
        for param in parts.query.split("&")
        if param and not _is_tracking(param.partition("=")[0])
    )
    url = urlunsplit((scheme, hostport, parts.path or "/", query, ""))
    return url if len(url) <= MAX_URL_CHARS else ""


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PARAM_PREFIXES)
