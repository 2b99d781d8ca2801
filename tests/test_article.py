"""Article text: the real Fetcher and trafilatura against pages served on 127.0.0.1."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from bot.feeds import article
from bot.feeds.article import MAX_ARTICLE_CHARS, extract_main_text, fetch_article_text
from bot.feeds.fetch import Fetcher, FetchLimits
from tests.feedserver import FeedServer

BODY = [
    "Legendary Pictures has officially dated Heat 2, Michael Mann's long-awaited sequel to "
    "his 1995 crime classic, for a theatrical release on August 13, 2027, the studio said "
    "on Tuesday.",
    "Mann will direct from a script he co-wrote with Meg Gardiner, adapting their 2022 "
    "novel of the same name, which moves between the years before and after the events of "
    "the original film.",
    "Adam Driver is in talks to play the young Neil McCauley, the role Robert De Niro made "
    "famous, while Austin Butler is circling the part of Chris Shiherlis.",
    "Production is expected to begin in Los Angeles next spring, with additional location "
    "shooting planned in Paraguay and Hong Kong over the summer.",
]

PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Heat 2 Sets August 2027 Release Date | Film News Daily</title>
  <script>window.dataLayer = [{{"page": "article"}}];</script>
  <style>.ad {{ display: block; }}</style>
</head>
<body>
  <header class="site-header">
    <nav class="main-nav">
      <ul>
        <li><a href="/">Home</a></li>
        <li><a href="/film">Film</a></li>
        <li><a href="/tv">Television</a></li>
        <li><a href="/box-office">Box Office</a></li>
        <li><a href="/subscribe">Subscribe to our newsletter</a></li>
      </ul>
    </nav>
  </header>
  <div class="ad ad-leaderboard">ADVERTISEMENT: Buy SuperPhone X today and save big</div>
  <main>
    <article class="post">
      <h1>Heat 2 Sets August 2027 Release Date</h1>
      <p class="byline">By Jane Reporter, July 1, 2025</p>
      <div class="entry-content">
        <p>{BODY[0]}</p>
        <p>{BODY[1]}</p>
        <div class="ad ad-inline">Sponsored: The best streaming deals of the week</div>
        <p>{BODY[2]}</p>
        <p>{BODY[3]}</p>
      </div>
    </article>
    <section id="comments" class="comments">
      <h3>12 Comments</h3>
      <div class="comment">
        <p class="comment-author">moviefan99</p>
        <p>Zombie tortoise invasion confirmed, this sequel will flop for sure.</p>
      </div>
      <div class="comment">
        <p class="comment-author">cinephile</p>
        <p>Purple giraffes would have been a better cast than this, honestly.</p>
      </div>
    </section>
  </main>
  <aside class="sidebar">
    <h3>Trending</h3>
    <ul><li><a href="/x">Ten banana facts you will not believe</a></li></ul>
  </aside>
  <footer>Copyright 2025 Film News Daily. All rights reserved. Privacy policy.</footer>
</body>
</html>
"""

HTML = {"Content-Type": "text/html; charset=utf-8"}


def assert_is_the_article(text: str | None) -> None:
    assert text is not None
    for paragraph in BODY:
        assert paragraph in text
    for noise in ("Subscribe", "ADVERTISEMENT", "Zombie tortoise", "Purple giraffes", "banana"):
        assert noise not in text, noise
    assert "Copyright" not in text
    assert "window.dataLayer" not in text


async def test_article_body_comes_out_without_nav_ads_or_comments(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.reply("/news/heat-2", body=PAGE.encode(), headers=HTML)

    text = await fetch_article_text(fetcher, server.url("/news/heat-2"))

    assert_is_the_article(text)
    assert text is not None
    assert len(text) <= MAX_ARTICLE_CHARS
    lines = text.splitlines()
    assert all(paragraph in lines for paragraph in BODY)  # one paragraph a line
    assert all(line == " ".join(line.split()) for line in lines)
    assert "Sponsored" not in text and "Jane Reporter" not in text
    assert server.requests_to("/news/heat-2")


async def test_unlabelled_html_is_sniffed(server: FeedServer, fetcher: Fetcher) -> None:
    server.reply(
        "/a",
        body=b"\xef\xbb\xbf\n" + PAGE.encode(),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert_is_the_article(await fetch_article_text(fetcher, server.url("/a")))


async def test_xhtml_is_html(server: FeedServer, fetcher: Fetcher) -> None:
    server.reply("/a", body=PAGE.encode(), headers={"Content-Type": "application/xhtml+xml"})
    assert_is_the_article(await fetch_article_text(fetcher, server.url("/a")))


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        pytest.param("application/json", b'{"html": "<p>not a page</p>"}', id="json"),
        pytest.param("application/pdf", b"%PDF-1.7\n" + b"x" * 2000, id="pdf"),
        pytest.param("image/png", b"\x89PNG\r\n\x1a\n" + bytes(2000), id="png"),
        pytest.param("application/rss+xml", b"<?xml version='1.0'?><rss/>", id="rss"),
        pytest.param("application/octet-stream", b"GIF89a" + bytes(2000), id="unlabelled-binary"),
    ],
)
async def test_non_html_is_none(
    server: FeedServer, fetcher: Fetcher, content_type: str, body: bytes
) -> None:
    server.reply("/a", body=body, headers={"Content-Type": content_type})
    assert await fetch_article_text(fetcher, server.url("/a")) is None
    assert server.requests_to("/a")


async def test_not_found_is_none(
    server: FeedServer, fetcher: Fetcher, caplog: pytest.LogCaptureFixture
) -> None:
    server.reply("/gone", body=PAGE.encode(), status=404, headers=HTML)
    with caplog.at_level(logging.INFO, logger="bot.feeds.article"):
        assert await fetch_article_text(fetcher, server.url("/gone")) is None
    assert "404" in caplog.text


async def test_internal_address_is_refused_without_a_connection(server: FeedServer) -> None:
    server.reply("/a", body=PAGE.encode(), headers=HTML)
    async with Fetcher(FetchLimits(allow_private_addresses=False)) as guarded:
        assert await fetch_article_text(guarded, server.url("/a")) is None
        assert await fetch_article_text(guarded, f"http://localhost:{server.port}/a") is None
    assert server.requests == []


async def test_files_are_never_read(tmp_path: Path, fetcher: Fetcher) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    assert await fetch_article_text(fetcher, page.as_uri()) is None
    assert await fetch_article_text(fetcher, str(page)) is None


async def test_huge_page_is_capped(server: FeedServer, fetcher: Fetcher) -> None:
    huge = PAGE.replace("</article>", "<p>" + "filler words " * 200_000 + "</p></article>")
    server.reply("/huge", body=huge.encode(), headers=HTML)

    assert await fetch_article_text(fetcher, server.url("/huge"), max_body_bytes=256 * 1024) is None
    # the same page under a cap it fits: long text is cut to the limit
    text = await fetch_article_text(fetcher, server.url("/huge"), max_body_bytes=8 * 1024 * 1024)
    assert text is not None
    assert len(text) <= MAX_ARTICLE_CHARS
    assert text.endswith("…")


async def test_slow_extraction_gives_up_after_extract_timeout(
    server: FeedServer, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stuck(html: bytes | str, url: str = "") -> str | None:
        time.sleep(1.0)  # stands in for a pathological page; the thread cannot be killed
        return "too late"

    monkeypatch.setattr(article, "extract_main_text", stuck)
    server.reply("/a", body=PAGE.encode(), headers=HTML)

    started = time.monotonic()
    text = await fetch_article_text(fetcher, server.url("/a"), extract_timeout=0.2)
    assert text is None
    assert time.monotonic() - started < 0.9


def test_extract_main_text_on_a_string() -> None:
    assert_is_the_article(extract_main_text(PAGE, "https://example.com/news/heat-2"))


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("", id="empty"),
        pytest.param(b"\x00\x01\x02garbage", id="binary"),
        pytest.param("<html><body><nav><a href='/'>Home</a></nav></body></html>", id="nav-only"),
        pytest.param("<html><body><p>Short.</p></body></html>", id="too-short"),
        pytest.param("<<<<>>>><!--<![CDATA[" * 500, id="broken"),
    ],
)
def test_nothing_useful_is_none(html: bytes | str) -> None:
    assert extract_main_text(html) is None


def test_hostile_text_comes_out_plain() -> None:
    nasty = (
        "<html><body><article>"
        + "".join(
            f"<p>Paragraph {n} says \x1b[31mred\x1b[0m things\u202e about a film that opens soon "
            f"in theaters everywhere, with more words to make it long enough.</p>"
            for n in range(5)
        )
        + "</article></body></html>"
    )
    text = extract_main_text(nasty)
    assert text is not None
    assert "\x1b" not in text and "\u202e" not in text
    assert "Paragraph 4 says" in text
