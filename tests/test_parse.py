"""Feed bytes to FeedItems: real feedparser on inline documents, hostile XML over a real socket."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import astuple
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.feeds.parse import FeedParseError, ParsedFeed, canonical_url, parse_feed
from bot.models import FeedItem

FETCHED_AT = datetime(2025, 6, 12, 12, 0, tzinfo=UTC)
BASE = "https://news.example/feeds/film.xml"


def parse(body: bytes | str, **kwargs: object) -> ParsedFeed:
    data = body.encode("utf-8") if isinstance(body, str) else body
    options: dict[str, object] = {"feed_name": "test", "fetched_at": FETCHED_AT, "base_url": BASE}
    options.update(kwargs)
    return parse_feed(data, **options)  # type: ignore[arg-type]


def rss(*items: str, channel_title: str = "Film News") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{channel_title}</title><link>https://news.example/</link>"
        + "".join(f"<item>{item}</item>" for item in items)
        + "</channel></rss>"
    )


def all_text(parsed: ParsedFeed) -> str:
    parts = [parsed.title, parsed.problem or ""]
    for item in parsed.items:
        parts.extend(str(field) for field in astuple(item))
    return "\n".join(parts)


# --- the happy paths ---------------------------------------------------------------------------


def test_rss2_item_is_normalised() -> None:
    parsed = parse(
        rss(
            "<title>Heat 2 gets a release date</title>"
            "<link>HTTPS://News.Example:443/heat-2?id=7&amp;utm_source=rss&amp;fbclid=x#comments</link>"
            "<guid isPermaLink='false'>heat-2-7</guid>"
            "<description>&lt;p&gt;Michael Mann&amp;#8217;s &lt;b&gt;sequel&lt;/b&gt; "
            "&lt;script&gt;alert(1)&lt;/script&gt;opens in 2026.&lt;/p&gt;</description>"
            "<pubDate>Tue, 10 Jun 2025 10:00:00 +0200</pubDate>"
            "<dc:creator>Ann Critic</dc:creator>"
            "<category>Film</category><category>Sequels</category><category>Film</category>"
        )
    )
    assert parsed.title == "Film News"
    assert parsed.problem is None
    assert parsed.items == (
        FeedItem(
            feed="test",
            key="guid:heat-2-7",
            url="https://news.example/heat-2?id=7",
            title="Heat 2 gets a release date",
            summary="Michael Mann\u2019s sequel opens in 2026.",
            published=datetime(2025, 6, 10, 8, 0, tzinfo=UTC),
            authors=("Ann Critic",),
            categories=("Film", "Sequels"),
        ),
    )


def test_atom_entry_is_normalised() -> None:
    parsed = parse(
        """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example/blog/">
  <title type="html">Trade &amp;lt;Daily&amp;gt;</title>
  <entry>
    <id>tag:atom.example,2025:1</id>
    <title type="text">Fast &amp; Furious &lt;Sequel&gt; dated</title>
    <link rel="alternate" href="posts/1"/>
    <link rel="enclosure" href="https://cdn.example/1.mp4"/>
    <updated>2025-06-11T09:30:00-05:00</updated>
    <author><name>Bo</name></author><author><name>Cy</name></author>
    <category term="news"/><category term="action"/>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Part <em>11</em></p><p>is set.</p></div></content>
  </entry>
</feed>"""
    )
    assert parsed.title == "Trade <Daily>"
    (item,) = parsed.items
    assert item.key == "guid:tag:atom.example,2025:1"
    assert item.url == "https://atom.example/blog/posts/1"
    assert item.title == "Fast & Furious <Sequel> dated"  # plain text keeps its angle brackets
    assert item.summary == "Part 11 is set."
    assert item.published == datetime(2025, 6, 11, 14, 30, tzinfo=UTC)
    assert item.authors == ("Bo", "Cy")
    assert item.categories == ("news", "action")


async def test_runs_in_a_worker_thread() -> None:
    parsed = await asyncio.to_thread(
        parse_feed,
        rss("<title>a</title><link>https://x.example/a</link>").encode(),
        feed_name="t",
        fetched_at=FETCHED_AT,
    )
    assert [item.url for item in parsed.items] == ["https://x.example/a"]


# --- keys ----------------------------------------------------------------------------------------


def test_guid_repeated_on_different_entries_falls_back_to_link_and_hash() -> None:
    parsed = parse(
        rss(
            "<title>One</title><link>https://x.example/1</link><guid isPermaLink='false'>same</guid>",
            "<title>Two</title><link>https://x.example/2</link><guid isPermaLink='false'>same</guid>",
            "<title>Three</title><link>https://x.example/2</link><guid isPermaLink='false'>same</guid>",
            "<title>Four</title><link>https://x.example/4</link><guid isPermaLink='false'>unique</guid>",
        )
    )
    keys = {item.title: item.key for item in parsed.items}
    assert list(keys) == ["One", "Two", "Three", "Four"]
    assert keys["One"] == "link:https://x.example/1"
    assert keys["Two"].startswith("sha256:")  # its link is shared too
    assert keys["Three"].startswith("sha256:")
    assert keys["Two"] != keys["Three"]
    assert keys["Four"] == "guid:unique"


def test_identical_duplicate_entries_yield_once() -> None:
    entry = "<title>Dup</title><link>https://x.example/d</link><guid isPermaLink='false'>d1</guid>"
    parsed = parse(
        rss(entry, entry, "<title>Other</title><guid isPermaLink='false'>o1</guid>", entry)
    )
    assert [(item.key, item.title) for item in parsed.items] == [
        ("guid:d1", "Dup"),
        ("guid:o1", "Other"),
    ]


def test_missing_guid_keys_on_canonical_link() -> None:
    parsed = parse(rss("<title>t</title><link>HTTP://X.Example/a?utm_medium=rss#top</link>"))
    assert [item.key for item in parsed.items] == ["link:http://x.example/a"]
    assert parsed.items[0].url == "http://x.example/a"


def test_missing_guid_and_link_keys_on_a_stable_hash() -> None:
    body = rss("<title>No link</title><pubDate>Garbage date</pubDate><description>d</description>")
    first = parse(body)
    second = parse(body, fetched_at=FETCHED_AT + timedelta(hours=3))
    (a,), (b,) = first.items, second.items
    assert a.key.startswith("sha256:")
    assert a.key == b.key
    assert a.url == ""
    other = parse(rss("<title>Another</title><pubDate>Garbage date</pubDate>"))
    assert other.items[0].key != a.key


def test_key_kinds_never_collide() -> None:
    parsed = parse(
        rss(
            "<title>a</title><guid isPermaLink='false'>link:https://x.example/b</guid>",
            "<title>b</title><link>https://x.example/b</link>",
        )
    )
    assert [item.key for item in parsed.items] == [
        "guid:link:https://x.example/b",
        "link:https://x.example/b",
    ]


def test_very_long_guid_is_hashed() -> None:
    parsed = parse(rss(f"<title>t</title><guid>{'g' * 5000}</guid>"))
    assert parsed.items[0].key.startswith("guid:sha256:")
    assert len(parsed.items[0].key) < 100


# --- links -------------------------------------------------------------------------------------


def test_relative_links_resolve_against_the_feed_url() -> None:
    parsed = parse(
        rss(
            "<title>a</title><link>/news/a</link>",
            "<title>b</title><link>b.html</link>",
            "<title>c</title><link>//cdn.example/c</link>",
        )
    )
    assert [item.url for item in parsed.items] == [
        "https://news.example/news/a",
        "https://news.example/feeds/b.html",
        "https://cdn.example/c",
    ]


def test_relative_link_without_base_url_is_dropped() -> None:
    parsed = parse(rss("<title>a</title><link>/news/a</link>"), base_url="")
    assert parsed.items[0].url == ""
    assert parsed.items[0].key.startswith("sha256:")


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(document.cookie)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
        "ftp://files.example/x",
        "http://",
    ],
)
def test_non_http_links_are_dropped(link: str) -> None:
    parsed = parse(rss(f"<title>Bad link</title><link>{link}</link>"))
    (item,) = parsed.items
    assert item.url == ""
    assert item.title == "Bad link"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://Example.COM", "https://example.com/"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        (
            "https://example.com/a?b=1&utm_source=x&UTM_Campaign=y&gclid=z&c",
            "https://example.com/a?b=1&c",
        ),
        ("https://example.com/a?utm_source=x#frag", "https://example.com/a"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("https://trusted.example@evil.example/x", "https://evil.example/x"),
        ("https://user:pw@Example.com:443/", "https://example.com/"),
        ("https://example.com/\u202ea", "https://example.com/a"),
        ("https://[::1", ""),
        ("mailto:a@example.com", ""),
        ("", ""),
        ("https://example.com/" + "a" * 3000, ""),
    ],
)
def test_canonical_url(link: str, expected: str) -> None:
    assert canonical_url(link) == expected


# --- text fields -------------------------------------------------------------------------------


def test_html_in_titles_is_flattened() -> None:
    parsed = parse(
        rss(
            "<title>&lt;b&gt;Dune&lt;/b&gt;: Part &lt;i&gt;Three&lt;/i&gt; &amp;amp; more</title>"
            "<link>https://x.example/1</link>",
            "<title><![CDATA[Tom <em>and</em> Jerry <script>x()</script>]]></title>"
            "<link>https://x.example/2</link>",
        )
    )
    assert [item.title for item in parsed.items] == ["Dune: Part Three & more", "Tom and Jerry"]


def test_missing_title_uses_the_summary_and_empty_entries_are_dropped() -> None:
    words = " ".join(f"word{i}" for i in range(100))
    parsed = parse(
        rss(
            f"<description>{words}</description>",
            "<description></description>",
            "<guid isPermaLink='false'>only-a-guid</guid>",
        )
    )
    (item,) = parsed.items
    assert item.title.startswith("word0 word1 ")
    assert item.title.endswith("\u2026")
    assert len(item.title) <= 100


def test_long_fields_are_capped() -> None:
    parsed = parse(
        rss(
            f"<title>{'title ' * 200}</title><link>https://x.example/</link>"
            f"<description>{'summary ' * 1000}</description>"
            + "".join(f"<category>c{i}</category>" for i in range(50))
        )
    )
    (item,) = parsed.items
    assert len(item.title) <= 300
    assert len(item.summary) <= 2000
    assert item.summary.endswith("\u2026")
    assert item.categories == tuple(f"c{i}" for i in range(20))


def test_summary_falls_back_to_content() -> None:
    parsed = parse(
        rss(
            "<title>t</title><link>https://x.example/</link>"
            '<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            "&lt;p&gt;Full &lt;b&gt;story&lt;/b&gt;&lt;/p&gt;</content:encoded>"
        )
    )
    assert parsed.items[0].summary == "Full story"


def test_control_characters_and_bidi_are_removed_from_every_field() -> None:
    parsed = parse(
        rss(
            "<title>Evil\u202e title&#x200B;</title><link>https://x.example/</link>"
            "<description>&lt;p&gt;a&#x2066;b&lt;/p&gt;</description>"
            "<dc:creator>Ann\u200f</dc:creator><category>\u2067cat</category>"
        )
    )
    (item,) = parsed.items
    assert (item.title, item.summary, item.authors, item.categories) == (
        "Evil title",
        "ab",
        ("Ann",),
        ("cat",),
    )


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "date_element",
    [
        "<pubDate>not a date at all</pubDate>",
        "<pubDate>Fri, 01 Jan 2999 00:00:00 GMT</pubDate>",
        "<pubDate>Fri, 14 Jun 2025 12:00:01 GMT</pubDate>",  # just over two days ahead
        "<pubDate>Mon, 01 Jan 1990 00:00:00 GMT</pubDate>",
        "",
    ],
)
def test_missing_or_absurd_dates_become_the_fetch_time(date_element: str) -> None:
    parsed = parse(rss(f"<title>t</title><link>https://x.example/</link>{date_element}"))
    assert parsed.items[0].published == FETCHED_AT


@pytest.mark.parametrize(
    ("date_element", "expected"),
    [
        (
            "<pubDate>Wed, 11 Jun 2025 23:30:00 -0700</pubDate>",
            datetime(2025, 6, 12, 6, 30, tzinfo=UTC),
        ),
        (
            "<pubDate>Wed, 11 Jun 2025 08:00:00 +0530</pubDate>",
            datetime(2025, 6, 11, 2, 30, tzinfo=UTC),
        ),
        (
            "<pubDate>Wed, 11 Jun 2025 08:00:00 EST</pubDate>",
            datetime(2025, 6, 11, 13, 0, tzinfo=UTC),
        ),
        ("<dc:date>2025-06-11T08:00:00+09:00</dc:date>", datetime(2025, 6, 10, 23, 0, tzinfo=UTC)),
        (
            "<pubDate>Fri, 13 Jun 2025 12:00:00 GMT</pubDate>",
            datetime(2025, 6, 13, 12, 0, tzinfo=UTC),
        ),
    ],
)
def test_dates_are_converted_to_utc(date_element: str, expected: datetime) -> None:
    parsed = parse(rss(f"<title>t</title><link>https://x.example/</link>{date_element}"))
    published = parsed.items[0].published
    assert published == expected
    assert published.utcoffset() == timedelta(0)


def test_fetch_time_in_another_zone_is_returned_in_utc() -> None:
    fetched = datetime(2025, 6, 12, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    parsed = parse(rss("<title>t</title><link>https://x.example/</link>"), fetched_at=fetched)
    assert parsed.items[0].published == FETCHED_AT
    assert parsed.items[0].published.tzinfo == UTC


def test_naive_fetch_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse(rss("<title>t</title>"), fetched_at=datetime(2025, 6, 12))  # noqa: DTZ001


# --- encodings ---------------------------------------------------------------------------------


def test_http_charset_is_honoured() -> None:
    body = rss("<title>Caf\u00e9 Society</title><link>https://x.example/</link>")
    body = body.replace(' encoding="utf-8"', "").encode("iso-8859-1")
    parsed = parse(body, content_type="text/xml; charset=ISO-8859-1")
    assert parsed.items[0].title == "Caf\u00e9 Society"


def test_feed_served_as_html_without_charset_is_read_as_xml() -> None:
    parsed = parse(rss("<title>Am\u00e9lie</title>"), content_type="text/html")
    assert parsed.items[0].title == "Am\u00e9lie"
    assert parsed.problem is None


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_wide_encodings_parse(encoding: str) -> None:
    body = rss("<title>Am\u00e9lie</title>").replace("utf-8", encoding).encode(encoding)
    assert parse(body).items[0].title == "Am\u00e9lie"


# --- hostile XML -------------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>Laughs &lol9;</title><link>https://x.example/lol</link>
<description>&lol9;&lol9;&lol9;</description></item>
</channel></rss>"""


def test_billion_laughs_is_not_expanded() -> None:
    started = time.perf_counter()
    parsed = parse(BILLION_LAUGHS)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0
    assert "lollol" not in all_text(parsed)
    assert len(all_text(parsed)) < 1000
    assert [item.url for item in parsed.items] == ["https://x.example/lol"]


def test_quadratic_blowup_doctype_is_scanned_in_linear_time() -> None:
    subset = '<!ENTITY a "' + "x" * 100_000 + '">' + "<!-- ] > -->" * 10_000
    body = f'<!DOCTYPE rss [{subset}]><rss version="2.0"><channel><item><title>&a;&a;&a;</title></item></channel></rss>'
    started = time.perf_counter()
    parsed = parse(body * 1)
    assert time.perf_counter() - started < 2.0
    assert "xxx" not in all_text(parsed)


@pytest.mark.parametrize(
    "description",
    [
        "&lt;!--" * 70_000,  # feedparser's own sanitizer is quadratic on this
        "<![CDATA[" + "<a" * 250_000 + "]]>",
        "<![CDATA[" + "<div>" * 100_000 + "]]>",
    ],
)
def test_hostile_html_in_a_large_feed_parses_quickly(description: str) -> None:
    started = time.perf_counter()
    parsed = parse(rss(f"<title>t</title><description>{description}</description>"))
    assert time.perf_counter() - started < 3.0
    assert len(parsed.items[0].summary) <= 2000


XXE_FEEDS = [
    pytest.param(
        """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title>
<item><title>Leak &xxe;</title><link>https://x.example/xxe</link>
<description>&xxe;</description><dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">&xxe;</dc:creator></item>
</channel></rss>""",
        id="general-entity",
    ),
    pytest.param(
        """<?xml version="1.0"?>
<!DOCTYPE feed [
  <!ENTITY % file SYSTEM "file:///etc/passwd">
  <!ENTITY % wrap "<!ENTITY leak '%file;'>">
  %wrap;
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&leak;</title>
<entry><id>x</id><title>&leak;</title><summary>&leak;</summary></entry></feed>""",
        id="parameter-entity",
    ),
    pytest.param(
        """<rss version="2.0"><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<channel><item><title>late &xxe;</title><link>https://x.example/late</link></item></channel></rss>""",
        id="doctype-after-root",
    ),
]


@pytest.mark.parametrize("body", XXE_FEEDS)
def test_external_entity_to_a_local_file_is_not_read(body: str) -> None:
    parsed = parse(body)
    assert "root:" not in all_text(parsed)


def test_external_entity_in_utf16_is_not_read() -> None:
    body = XXE_FEEDS[0].values[0]
    assert isinstance(body, str)
    parsed = parse(body.encode("utf-16"))
    assert "root:" not in all_text(parsed)


def test_external_entity_hidden_in_utf7_is_not_read() -> None:
    body = XXE_FEEDS[0].values[0]
    assert isinstance(body, str)
    # UTF-7 spells "<" as the ASCII bytes "+ADw-", so a byte scan for "<!DOCTYPE" misses it.
    declaration, _, rest = body.partition("?>")
    hidden = rest.replace("<", "+ADw-").replace(">", "+AD4-")
    parsed = parse(
        (declaration.replace('"1.0"', '"1.0" encoding="utf-7"') + "?>" + hidden).encode()
    )
    assert "root:" not in all_text(parsed)
    assert [item.url for item in parsed.items] == ["https://x.example/xxe"]


def test_body_that_is_a_file_path_is_not_opened() -> None:
    with pytest.raises(FeedParseError):
        parse(b"/etc/passwd")


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP listener on loopback that records every connection it receives."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.05)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    seen.append(conn.recv(4096))
                except OSError:
                    seen.append(b"")
                conn.sendall(b'HTTP/1.0 200 OK\r\n\r\n<!ENTITY leak "LISTENER-CONTENT">')

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_external_dtd_is_never_requested(listener: tuple[int, list[bytes]]) -> None:
    port, seen = listener
    url = f"http://127.0.0.1:{port}"
    documents = [
        f"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "{url}/evil.dtd">
<rss version="2.0"><channel><item><title>a &leak;</title><link>https://x.example/a</link></item></channel></rss>""",
        f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % remote SYSTEM "{url}/param.dtd"> %remote;]>
<rss version="2.0"><channel><item><title>b &leak;</title><link>https://x.example/b</link></item></channel></rss>""",
        f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY remote SYSTEM "{url}/entity">]>
<rss version="2.0"><channel><item><title>c &remote;</title><link>https://x.example/c</link></item></channel></rss>""",
        f"""<?xml version="1.0"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "{url}/xhtml1-strict.dtd">
<rss version="2.0"><channel><item><title>d</title><link>https://x.example/d</link></item></channel></rss>""",
    ]
    # Prove the listener works, or "no connections" would prove nothing.
    with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:
        probe.sendall(b"probe")
        probe.recv(100)
    deadline = time.monotonic() + 2
    while not seen and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen == [b"probe"]

    results = [parse(document) for document in documents]
    time.sleep(0.3)  # a request made from a background thread would have arrived by now
    assert seen == [b"probe"]
    assert [item.url for parsed in results for item in parsed.items] == [
        f"https://x.example/{name}" for name in "abcd"
    ]
    assert "LISTENER-CONTENT" not in "".join(all_text(parsed) for parsed in results)


def test_unterminated_doctype_is_rejected() -> None:
    with pytest.raises(FeedParseError, match="unterminated"):
        parse('<!DOCTYPE rss [<!ENTITY a "b">' + "x" * 10_000)


# --- not feeds, and broken feeds ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b"  \n\t ", "empty body"),
        (
            b"<!DOCTYPE html><html><head><title>Hi</title></head><body>page</body></html>",
            "HTML page",
        ),
        (b"<html><body><p>Not found</p></body></html>", "HTML page"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": []}', "JSON"),
        (b"[1, 2, 3]", "JSON"),
        (bytes(range(256)) * 8, "binary data"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(100), "gzip"),
        (b"Service Unavailable", "plain text"),
        (b'<?xml version="1.0"?><config><a>1</a></config>', "root <config>"),
        (b'<?xml version="1.0"?>\n<config>\n<a', "XML error at line 3"),
    ],
)
def test_not_a_feed_raises(body: bytes, message: str) -> None:
    with pytest.raises(FeedParseError, match=message):
        parse(body)


def test_invalid_xml_with_entries_reports_the_problem() -> None:
    body = rss(
        "<title>Broken &nbsp; entity &amp unescaped</title><link>https://x.example/1</link>",
        "<title>Unclosed <b>bold</title><link>https://x.example/2</link>",
    )
    parsed = parse(body)
    assert parsed.problem is not None
    assert parsed.problem.startswith("XML error at line 2:")
    assert [item.url for item in parsed.items] == ["https://x.example/1", "https://x.example/2"]
    assert parsed.items[0].title.startswith("Broken")


def test_truncated_feed_is_a_broken_feed_not_a_non_feed() -> None:
    parsed = parse('<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>Cut')
    assert parsed.items == ()
    assert parsed.problem is not None
    assert parsed.problem.startswith("XML error at line 3:")


def test_empty_but_valid_feed_has_no_items() -> None:
    parsed = parse(rss())
    assert parsed == ParsedFeed(title="Film News", items=())
