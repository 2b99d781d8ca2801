"""Shared set-up for tests that run the whole bot against a feed on a local server."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from bot.config import Settings, load_settings


def rss(*items: tuple[str, str, str, str]) -> bytes:
    """An RSS 2.0 document; items: (guid, title, description, RFC 822 date)."""
    body = "".join(
        f"<item><title>{escape(title)}</title><link>https://news.example/{guid}</link>"
        f"<guid isPermaLink='false'>{guid}</guid><pubDate>{date}</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for guid, title, text, date in items
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{body}</channel></rss>"
    ).encode()


def local_feed_settings(tmp_path: Path, feed_url: str, extra: str = "") -> Settings:
    """Settings from a real feeds.yaml with one feed named Local, private addresses allowed
    (the test server is on 127.0.0.1), a database in tmp_path and no environment."""
    config = tmp_path / "feeds.yaml"
    config.write_text(
        f"allow_private_addresses: true\nfeeds:\n  - name: Local\n    url: {feed_url}\n{extra}"
    )
    return load_settings(config, db_path=tmp_path / "bot.db", env={})
