"""The store against a real SQLite file: migrations, ingest, dedupe, atomicity, restart."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.delivery.plan import plan_item_announcements
from bot.models import FeedItem, Target
from bot.store import FetchRecord, Store, StoreError
from bot.store.db import load_migrations

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CHANNEL = Target(platform="console", place="local", channel="console")


def item(key: str, url: str = "", minutes: int = 0, title: str = "") -> FeedItem:
    return FeedItem(
        feed="Test",
        key=key,
        url=url,
        title=title or f"Item {key}",
        summary="text",
        published=NOW - timedelta(minutes=minutes),
    )


def fetch_record(now: datetime = NOW) -> FetchRecord:
    return FetchRecord(
        polled_at=now,
        outcome="fetched",
        succeeded=True,
        next_poll_at=now + timedelta(minutes=15),
        consecutive_failures=0,
        consecutive_404s=0,
        etag='"v1"',
        body_sha256="abc",
    )


@pytest.fixture
async def store(tmp_path: Path):
    opened = Store(tmp_path / "filmbot.db")
    await opened.open()
    await opened.feeds.sync_config_feeds([("Test", "https://example.org/feed")], NOW)
    yield opened
    await opened.close()


async def feed_id(store: Store) -> int:
    feed = await store.feeds.get("Test")
    assert feed is not None
    return feed.id


async def test_migrations_apply_from_empty_and_set_the_version(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    store = Store(path)
    await store.open()
    version = await store.db.schema_version()
    await store.close()
    assert version == len(load_migrations()) >= 1
    with sqlite3.connect(path) as conn:
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"feeds", "items", "outbox", "channel_subscriptions"} <= tables


async def test_a_database_from_a_newer_version_is_refused_with_a_clear_message(
    tmp_path: Path,
) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    store = Store(path)
    with pytest.raises(StoreError, match="newer than this filmbot knows"):
        await store.open()


async def test_a_file_that_is_not_a_database_is_refused_with_a_clear_message(
    tmp_path: Path,
) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open the database"):
        await Store(path).open()


async def test_ingest_stores_new_items_once_and_plans_one_delivery_per_channel(
    store: Store,
) -> None:
    await store.subscriptions.subscribe_channel(CHANNEL, "test", NOW)
    fid = await feed_id(store)
    items = [item("guid:a", "https://e.org/a", 2), item("guid:b", "https://e.org/b", 1)]
    first = await store.items.ingest(
        fid, items, fetch=fetch_record(), announce_limit=None, plan=plan_item_announcements
    )
    again = await store.items.ingest(
        fid, items, fetch=fetch_record(), announce_limit=None, plan=plan_item_announcements
    )
    assert [s.item.key for s in first.announced] == ["guid:a", "guid:b"]  # oldest first
    assert first.planned == 2
    assert again.new == [] and again.planned == 0
    assert await store.items.count() == 2
    due = await store.outbox.due(["console"], NOW)
    assert [row.target for row in due] == [CHANNEL, CHANNEL]
    feed = await store.feeds.get("Test")
    assert feed is not None and feed.etag == '"v1"' and feed.last_outcome == "no_new"


async def test_announce_limit_announces_only_the_newest(store: Store) -> None:
    await store.subscriptions.subscribe_channel(CHANNEL, "test", NOW)
    fid = await feed_id(store)
    items = [item(f"guid:{n}", f"https://e.org/{n}", minutes=n) for n in range(5)]
    result = await store.items.ingest(
        fid, items, fetch=fetch_record(), announce_limit=2, plan=plan_item_announcements
    )
    assert len(result.new) == 5
    assert [s.item.key for s in result.announced] == ["guid:1", "guid:0"]
    assert len(await store.outbox.due(["console"], NOW)) == 2


async def test_rotating_guids_with_stable_links_are_not_new(store: Store) -> None:
    fid = await feed_id(store)
    first = [item("guid:1", "https://e.org/a"), item("guid:2", "https://e.org/b")]
    rotated = [item("guid:91", "https://e.org/a"), item("guid:92", "https://e.org/b")]
    await store.items.ingest(
        fid, first, fetch=fetch_record(), announce_limit=None, plan=plan_item_announcements
    )
    result = await store.items.ingest(
        fid, rotated, fetch=fetch_record(), announce_limit=None, plan=plan_item_announcements
    )
    assert result.new == []


async def test_shared_links_do_not_hide_distinct_items(store: Store) -> None:
    """A feed whose every entry links to its home page keys on guid alone."""
    fid = await feed_id(store)
    home = "https://e.org/"
    await store.items.ingest(
        fid,
        [item("guid:1", home), item("guid:2", home)],
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_item_announcements,
    )
    result = await store.items.ingest(
        fid,
        [item("guid:3", home), item("guid:2", home)],
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_item_announcements,
    )
    assert [s.item.key for s in result.new] == ["guid:3"]


async def test_a_failure_mid_ingest_leaves_nothing_half_written(store: Store) -> None:
    await store.subscriptions.subscribe_channel(CHANNEL, "test", NOW)
    fid = await feed_id(store)

    def exploding_plan(items, targets):  # type: ignore[no-untyped-def]
        raise RuntimeError("crash while planning")

    with pytest.raises(RuntimeError):
        await store.items.ingest(
            fid,
            [item("guid:x", "https://e.org/x")],
            fetch=fetch_record(),
            announce_limit=None,
            plan=exploding_plan,
        )
    assert await store.items.count() == 0
    feed = await store.feeds.get("Test")
    assert feed is not None and feed.etag is None and feed.polls == 0
    # and the same items go through cleanly afterwards
    result = await store.items.ingest(
        fid,
        [item("guid:x", "https://e.org/x")],
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_item_announcements,
    )
    assert len(result.new) == 1 and result.planned == 1


async def test_restart_with_the_same_file_does_not_re_announce(tmp_path: Path) -> None:
    path = tmp_path / "filmbot.db"
    items = [item("guid:a", "https://e.org/a")]
    for _ in range(2):
        store = Store(path)
        await store.open()
        await store.feeds.sync_config_feeds([("Test", "https://example.org/feed")], NOW)
        await store.subscriptions.subscribe_channel(CHANNEL, "test", NOW)
        await store.items.ingest(
            await feed_id(store),
            items,
            fetch=fetch_record(),
            announce_limit=None,
            plan=plan_item_announcements,
        )
        await store.close()
    store = Store(path)
    await store.open()
    assert await store.items.count() == 1
    assert (await store.outbox.counts()) == {"pending": 1}
    await store.close()


async def test_config_sync_retires_removed_feeds_and_keeps_their_items(store: Store) -> None:
    fid = await feed_id(store)
    await store.items.ingest(
        fid,
        [item("guid:a", "https://e.org/a")],
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_item_announcements,
    )
    await store.feeds.sync_config_feeds([("Other", "https://other.org/feed")], NOW)
    assert [f.name for f in await store.feeds.active()] == ["Other"]
    await store.feeds.sync_config_feeds([("Test", "https://example.org/feed")], NOW)
    assert [f.name for f in await store.feeds.active()] == ["Test"]
    assert await store.items.count() == 1


async def test_chat_feeds_add_and_remove(store: Store) -> None:
    added = await store.feeds.add_chat_feed("Mine", "https://mine.org/rss", "ana", NOW)
    assert added.source == "chat" and added.added_by == "ana"
    assert {f.name for f in await store.feeds.active()} == {"Test", "Mine"}
    removed = await store.feeds.remove_chat_feed("mine")
    assert removed is not None and removed.name == "Mine"
    assert await store.feeds.remove_chat_feed("mine") is None
    config_feed = await store.feeds.remove_chat_feed("Test")
    assert config_feed is not None and config_feed.source == "config"
    assert {f.name for f in await store.feeds.active()} == {"Test"}
