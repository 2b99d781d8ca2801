"""The core end to end: a local HTTP server serves feeds, a real SQLite file stores them,
the recording adapter receives announcements and answers commands."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import App
from bot.config import load_settings
from bot.delivery import PermanentFailure, RateLimited
from bot.store import Store
from tests.feedserver import FeedServer
from tests.recording import RECORDING_CHANNEL, RecordingAdapter


def rss(*entries: tuple[str, str]) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>https://news.example/{guid}</link>"
        f"<guid isPermaLink='false'>{guid}</guid><pubDate>Mon, 10 Nov 2025 1{n}:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;About {title}&lt;/p&gt;</description></item>"
        for n, (guid, title) in enumerate(entries)
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Local</title>"
        f"<link>https://news.example/</link>{items}</channel></rss>"
    ).encode()


class LocalFeed:
    """The feed at /feed on a FeedServer: its body can change, and it honours an ETag."""

    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self.body = rss(("a", "Alpha"), ("b", "Beta"))
        self.etag: str | None = None
        server.route("/feed", self.handle)
        server.reply("/broken", status=500, body=b"boom")

    async def handle(self, request: web.BaseRequest) -> web.Response:
        if self.etag and request.headers.get("If-None-Match") == self.etag:
            return web.Response(status=304)
        headers = {"ETag": self.etag} if self.etag else {}
        return web.Response(body=self.body, content_type="application/rss+xml", headers=headers)

    @property
    def requests(self) -> list[object]:
        return list(self.server.requests_to("/feed"))

    def url(self, path: str) -> str:
        return self.server.url(path)


@pytest.fixture
async def server():
    async with FeedServer() as running:
        yield LocalFeed(running)


def write_config(
    tmp_path: Path,
    server: LocalFeed,
    *,
    extra: str = "",
    backfill: int = 0,
    interval: str = "15m",
    allow_private: bool = True,
) -> Path:
    config = tmp_path / "feeds.yaml"
    config.write_text(
        f"allow_private_addresses: {'true' if allow_private else 'false'}\n"
        f"defaults:\n  interval: {interval}\n  timeout: 5s\n  backfill: {backfill}\n"
        f"feeds:\n  - name: Local\n    url: {server.url('/feed')}\n{extra}"
    )
    return config


def make_app(tmp_path: Path, config: Path, adapter: RecordingAdapter) -> App:
    settings = load_settings(config, db_path=tmp_path / "filmbot.db", env={})
    return App(settings, [adapter])


async def open_with_channel(app: App) -> None:
    await app.open()
    await app.store.subscriptions.subscribe_channel(RECORDING_CHANNEL, "test", datetime.now(UTC))


async def local_feed(app: App):  # type: ignore[no-untyped-def]
    feed = await app.store.feeds.get("Local")
    assert feed is not None
    return feed


async def test_first_poll_is_quiet_then_new_items_are_announced_once(tmp_path, server) -> None:
    adapter = RecordingAdapter()
    app = make_app(tmp_path, write_config(tmp_path, server), adapter)
    await open_with_channel(app)
    try:
        first = await app.poll(await local_feed(app))
        assert (first.outcome, first.new_items, first.announced) == ("new", 2, 0)
        await app.deliver_once()
        assert adapter.sent == []

        server.body = rss(("a", "Alpha"), ("b", "Beta"), ("c", "Gamma &amp; more"))
        second = await app.poll(await local_feed(app))
        assert (second.new_items, second.announced) == (1, 1)
        stats = await app.deliver_once()
        again = await app.deliver_once()
        assert stats.sent == 1 and again.sent == 0
        target, message, key = adapter.sent[0]
        assert target == RECORDING_CHANNEL
        assert message.title == "Gamma & more"
        assert message.url == "https://news.example/c"
        assert "Gamma & more" in message.body
        assert message.fields[0].name == "Kind"
        assert key.startswith("story:") and key.endswith(RECORDING_CHANNEL.key)
    finally:
        await app.close()


async def test_backfill_announces_the_newest_items_of_a_new_feed(tmp_path, server) -> None:
    server.body = rss(("a", "Alpha"), ("b", "Beta"), ("c", "Gamma"))
    adapter = RecordingAdapter()
    app = make_app(tmp_path, write_config(tmp_path, server, backfill=2), adapter)
    await open_with_channel(app)
    try:
        report = await app.poll(await local_feed(app))
        await app.deliver_once()
    finally:
        await app.close()
    assert report.announced == 2
    assert [m.title for _, m, _ in adapter.sent] == ["Beta", "Gamma"]  # oldest of the two first


async def test_etag_gives_not_modified_and_unchanged_body_costs_no_parse(tmp_path, server) -> None:
    app = make_app(tmp_path, write_config(tmp_path, server), RecordingAdapter())
    await app.open()
    try:
        await app.poll(await local_feed(app))
        unchanged = await app.poll(await local_feed(app))
        server.etag = '"v7"'
        await app.poll(await local_feed(app))  # stores the ETag
        not_modified = await app.poll(await local_feed(app))
        feed = await local_feed(app)
    finally:
        await app.close()
    assert unchanged.outcome == "unchanged"
    assert not_modified.outcome == "not_modified"
    assert feed.etag == '"v7"' and feed.last_outcome == "not_modified"
    assert feed.consecutive_failures == 0 and feed.polls == 4


async def test_one_broken_feed_does_not_hold_up_the_others(tmp_path, server) -> None:
    extra = f"  - name: Broken\n    url: {server.url('/broken')}\n"
    app = make_app(tmp_path, write_config(tmp_path, server, extra=extra), RecordingAdapter())
    await app.open()
    try:
        reports = {r.feed: r for r in await app.poll_all_once()}
        await app.poll_all_once()
        broken = await app.store.feeds.get("Broken")
        local = await local_feed(app)
    finally:
        await app.close()
    assert reports["Local"].outcome == "new"
    assert reports["Broken"].outcome == "error" and "500" in (reports["Broken"].error or "")
    assert broken is not None and broken.consecutive_failures == 2
    assert broken.last_error_kind == "http_5xx" and local.consecutive_failures == 0
    assert broken.next_poll_at is not None and local.next_poll_at is not None
    # the second failure in a row waits about twice the interval; the healthy feed keeps its pace
    assert broken.next_poll_at - local.next_poll_at > timedelta(minutes=10)


async def test_gone_feeds_are_disabled_and_retry_after_is_a_floor(tmp_path, server) -> None:
    server.server.reply("/gone", status=410)
    server.server.reply("/busy", status=429, headers={"Retry-After": "7200"})
    extra = (
        f"  - name: Gone\n    url: {server.url('/gone')}\n"
        f"  - name: Busy\n    url: {server.url('/busy')}\n"
    )
    adapter = RecordingAdapter()
    app = make_app(tmp_path, write_config(tmp_path, server, extra=extra), adapter)
    await app.open()
    await adapter.start(app.commands)
    try:
        await app.poll_all_once()
        gone_requests = len(server.server.requests_to("/gone"))
        second = {r.feed: r for r in await app.poll_all_once()}
        gone = await app.store.feeds.get("Gone")
        busy = await app.store.feeds.get("Busy")
        listing = await adapter.push("/feeds")
    finally:
        await app.close()
    assert gone is not None and gone.disabled_reason and "410" in gone.disabled_reason
    assert second["Gone"].outcome == "disabled"
    assert len(server.server.requests_to("/gone")) == gone_requests == 1  # never fetched again
    assert any(line.startswith("Gone [DISABLED") for line in listing.message.lines)
    assert busy is not None and busy.next_poll_at is not None
    assert busy.next_poll_at >= datetime.now(UTC) + timedelta(seconds=7100)


async def test_rotating_guids_are_not_announced_again(tmp_path, server) -> None:
    adapter = RecordingAdapter()
    app = make_app(tmp_path, write_config(tmp_path, server), adapter)
    await open_with_channel(app)
    try:
        await app.poll(await local_feed(app))
        # same stories and links, fresh guids on every fetch
        server.body = (
            rss(("a", "Alpha"), ("b", "Beta")).replace(b">a<", b">a-2<").replace(b">b<", b">b-2<")
        )
        assert b"a-2" in server.body
        report = await app.poll(await local_feed(app))
        await app.deliver_once()
    finally:
        await app.close()
    assert report.new_items == 0 and adapter.sent == []


async def test_not_a_feed_is_recorded_as_an_error_on_the_feed(tmp_path, server) -> None:
    server.body = b"<html><body><h1>Welcome</h1></body></html>"
    app = make_app(tmp_path, write_config(tmp_path, server), RecordingAdapter())
    await app.open()
    try:
        report = await app.poll(await local_feed(app))
        feed = await local_feed(app)
    finally:
        await app.close()
    assert report.outcome == "error"
    assert feed.last_error_kind == "not_a_feed" and feed.body_sha256 is None


async def test_running_app_polls_on_schedule_and_delivers(tmp_path, server) -> None:
    adapter = RecordingAdapter()
    app = make_app(tmp_path, write_config(tmp_path, server, interval="1s"), adapter)
    await app.start()
    try:
        assert adapter.started
        for _ in range(100):  # the first poll lands within the 1 s start spread
            if server.requests:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
        server.body = rss(("a", "Alpha"), ("b", "Beta"), ("z", "Zeta"))
        for _ in range(100):
            if adapter.sent:
                break
            await asyncio.sleep(0.1)
    finally:
        await app.stop()
    assert adapter.stopped
    assert [m.title for _, m, _ in adapter.sent] == ["Zeta"]
    # the adapter's default channel hears news only while it runs
    store = Store(tmp_path / "filmbot.db")
    await store.open()
    try:
        assert await store.subscriptions.channels() == []
    finally:
        await store.close()


async def test_restart_does_not_re_announce(tmp_path, server) -> None:
    config = write_config(tmp_path, server)
    for round_ in range(2):
        adapter = RecordingAdapter()
        app = make_app(tmp_path, config, adapter)
        await open_with_channel(app)
        try:
            if round_ == 0:
                await app.poll(await local_feed(app))
                server.body = rss(("a", "Alpha"), ("b", "Beta"), ("c", "Gamma"))
            await app.poll(await local_feed(app))
            await app.deliver_once()
        finally:
            await app.close()
        sent = [m.title for _, m, _ in adapter.sent]
        assert sent == (["Gamma"] if round_ == 0 else [])


async def test_rate_limits_are_retried_later_and_permanent_failures_stop(tmp_path, server) -> None:
    adapter = RecordingAdapter()
    app = make_app(tmp_path, write_config(tmp_path, server, backfill=2), adapter)
    adapter.failures = [RateLimited(0.0), PermanentFailure("channel deleted")]
    await open_with_channel(app)
    try:
        await app.poll(await local_feed(app))
        first = await app.deliver_once()
        second = await app.deliver_once()
        counts = await app.store.outbox.counts()
    finally:
        await app.close()
    assert (first.retried, first.dead) == (1, 1)
    assert second.sent == 1
    assert counts == {"sent": 1, "dead": 1}


async def test_feeds_commands_through_an_adapter(tmp_path, server) -> None:
    adapter = RecordingAdapter()
    app = make_app(tmp_path, write_config(tmp_path, server), adapter)
    await app.open()
    await adapter.start(app.commands)
    try:
        await app.poll(await local_feed(app))
        listing = await adapter.push("/feeds")
        refused = await adapter.push("/feeds add https://deadline.com/feed/ Deadline")
        added = await adapter.push(
            "/feeds add https://deadline.com/feed/ Deadline", can_manage=True
        )
        duplicate = await adapter.push(
            "/feeds add https://other.example/rss Deadline", can_manage=True
        )
        not_url = await adapter.push("/feeds add ftp://files.example/x", can_manage=True)
        config_remove = await adapter.push("/feeds remove Local", can_manage=True)
        removed = await adapter.push("/feeds remove deadline", can_manage=True)
        missing = await adapter.push("/feeds remove Nope", can_manage=True)
        after = await adapter.push("/feeds list")
    finally:
        await app.close()
    assert listing.ok and "Local [ok]" in listing.message.lines[0]
    # Seconds since the poll just before: 0, or a little more on a loaded machine.
    assert re.search(r"last success \ds ago", listing.message.lines[0])
    assert not refused.ok and "manage" in refused.message.body
    assert added.ok and "Added feed Deadline" in added.message.body
    assert not duplicate.ok and "already a feed Deadline" in duplicate.message.body
    assert not not_url.ok and "not a web address" in not_url.message.body
    assert not config_remove.ok and "feeds.yaml" in config_remove.message.body
    assert removed.ok and "Removed feed Deadline" in removed.message.body
    assert not missing.ok
    assert [line.split(" [")[0] for line in after.message.lines] == ["Local"]


async def test_chat_added_feeds_may_not_reach_internal_addresses(tmp_path, server) -> None:
    adapter = RecordingAdapter()
    app = make_app(tmp_path, write_config(tmp_path, server, allow_private=False), adapter)
    await app.open()
    await adapter.start(app.commands)
    try:
        replies = [
            await adapter.push(f"/feeds add {url}", can_manage=True)
            for url in (
                "http://127.0.0.1:8080/feed",
                "http://2130706433/feed",
                "http://[::ffff:10.0.0.1]/feed",
                "http://169.254.169.254/latest/meta-data/",
                "http://localhost/feed",
            )
        ]
        stored = await app.store.feeds.active()
    finally:
        await app.close()
    assert all(not reply.ok for reply in replies), [r.message.body for r in replies]
    assert all("allow_private_addresses" in reply.message.body for reply in replies)
    assert [feed.name for feed in stored] == ["Local"]


async def test_help_unknown_commands_and_nonsense_arguments(tmp_path, server) -> None:
    adapter = RecordingAdapter()
    app = make_app(tmp_path, write_config(tmp_path, server), adapter)
    await app.open()
    await adapter.start(app.commands)
    try:
        help_reply = await adapter.push("/help")
        unknown = await adapter.push("/feed")
        nonsense = await adapter.push("/upcoming lots")
        too_many = await adapter.push("/upcoming 3 4")
        out_of_range = await adapter.push("/upcoming 500")
        empty_news = await adapter.push("/news")
        bad_sub = await adapter.push("/feeds frobnicate")
    finally:
        await app.close()
    assert any(line.startswith("/feeds add <url> [name...]") for line in help_reply.message.lines)
    assert any(line.startswith("/help") for line in help_reply.message.lines)
    assert not unknown.ok and "Did you mean /feeds?" in unknown.message.body
    assert (
        not nonsense.ok
        and "whole number" in nonsense.message.body
        and "Usage: /upcoming [count]" in nonsense.message.body
    )
    assert not too_many.ok and "did not expect '4'" in too_many.message.body
    assert not out_of_range.ok and "at most 25" in out_of_range.message.body
    assert empty_news.ok and "No stories stored yet" in empty_news.message.body
    assert not bad_sub.ok and "list, add, remove" in bad_sub.message.body


async def test_news_lists_the_latest_items(tmp_path, server) -> None:
    adapter = RecordingAdapter()
    app = make_app(tmp_path, write_config(tmp_path, server), adapter)
    await app.open()
    await adapter.start(app.commands)
    try:
        await app.poll(await local_feed(app))
        reply = await adapter.push("/news")
    finally:
        await app.close()
    assert reply.ok and len(reply.message.lines) == 2
    assert "Beta" in reply.message.lines[0] and "https://news.example/b" in reply.message.lines[0]
    assert "Alpha" in reply.message.lines[1]


async def test_store_file_survives_for_inspection(tmp_path, server) -> None:
    """What a poll writes is in the SQLite file itself, readable by a second connection."""
    app = make_app(tmp_path, write_config(tmp_path, server), RecordingAdapter())
    await app.open()
    try:
        await app.poll(await local_feed(app))
    finally:
        await app.close()
    store = Store(tmp_path / "filmbot.db")
    await store.open()
    try:
        assert await store.items.count() == 2
    finally:
        await store.close()
