"""The store against a real SQLite file: migrations, ingest, dedupe, atomicity, restart."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.delivery.plan import plan_story_announcements
from bot.models import FeedItem, StoryKind, Target, Understanding
from bot.store import FetchRecord, Store, StoreError
from bot.store.db import load_migrations

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CHANNEL = Target(platform="console", place="local", channel="console")


def item(key: str, url: str = "", minutes: int = 0, title: str = "") -> FeedItem:
    return FeedItem(
        feed="Test",
        key=key,
        url=url,
        title=title or f"{key} {hashlib.sha256(key.encode()).hexdigest()[:16]}",
        summary="text",
        published=NOW - timedelta(minutes=minutes),
    )


def understood(*items: FeedItem, kind: StoryKind = StoryKind.OTHER, films: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return [
        (it, Understanding(kind=kind, films=films, people=(), releases=(), summary=it.title))
        for it in items
    ]


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
    first = await store.ingest(
        fid,
        understood(*items),
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_story_announcements,
    )
    again = await store.ingest(
        fid,
        understood(*items),
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_story_announcements,
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
    result = await store.ingest(
        fid,
        understood(*items),
        fetch=fetch_record(),
        announce_limit=2,
        plan=plan_story_announcements,
    )
    assert len(result.new) == 5
    assert [s.item.key for s in result.announced] == ["guid:1", "guid:0"]
    assert len(await store.outbox.due(["console"], NOW)) == 2


async def test_rotating_guids_with_stable_links_are_not_new(store: Store) -> None:
    fid = await feed_id(store)
    first = [item("guid:1", "https://e.org/a"), item("guid:2", "https://e.org/b")]
    rotated = [item("guid:91", "https://e.org/a"), item("guid:92", "https://e.org/b")]
    await store.ingest(
        fid,
        understood(*first),
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_story_announcements,
    )
    result = await store.ingest(
        fid,
        understood(*rotated),
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_story_announcements,
    )
    assert result.new == []


async def test_shared_links_do_not_hide_distinct_items(store: Store) -> None:
    """A feed whose every entry links to its home page keys on guid alone."""
    fid = await feed_id(store)
    home = "https://e.org/"
    await store.ingest(
        fid,
        understood(*[item("guid:1", home), item("guid:2", home)]),
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_story_announcements,
    )
    result = await store.ingest(
        fid,
        understood(*[item("guid:3", home), item("guid:2", home)]),
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_story_announcements,
    )
    assert [s.item.key for s in result.new] == ["guid:3"]


async def test_a_failure_mid_ingest_leaves_nothing_half_written(store: Store) -> None:
    await store.subscriptions.subscribe_channel(CHANNEL, "test", NOW)
    fid = await feed_id(store)

    def exploding_plan(items, targets):  # type: ignore[no-untyped-def]
        raise RuntimeError("crash while planning")

    with pytest.raises(RuntimeError):
        await store.ingest(
            fid,
            understood(*[item("guid:x", "https://e.org/x")]),
            fetch=fetch_record(),
            announce_limit=None,
            plan=exploding_plan,
        )
    assert await store.items.count() == 0
    feed = await store.feeds.get("Test")
    assert feed is not None and feed.etag is None and feed.polls == 0
    # and the same items go through cleanly afterwards
    result = await store.ingest(
        fid,
        understood(*[item("guid:x", "https://e.org/x")]),
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_story_announcements,
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
        await store.ingest(
            await feed_id(store),
            understood(*items),
            fetch=fetch_record(),
            announce_limit=None,
            plan=plan_story_announcements,
        )
        await store.close()
    store = Store(path)
    await store.open()
    assert await store.items.count() == 1
    assert (await store.outbox.counts()) == {"pending": 1}
    await store.close()


async def test_config_sync_retires_removed_feeds_and_keeps_their_items(store: Store) -> None:
    fid = await feed_id(store)
    await store.ingest(
        fid,
        understood(*[item("guid:a", "https://e.org/a")]),
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_story_announcements,
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


async def stories_count(store: Store) -> dict[str, int]:
    return await store.knowledge.counts()


async def test_the_same_news_from_two_outlets_is_one_story_announced_once(store: Store) -> None:
    await store.subscriptions.subscribe_channel(CHANNEL, "test", NOW)
    await store.feeds.sync_config_feeds(
        [("Test", "https://example.org/feed"), ("Other", "https://other.org/feed")], NOW
    )
    other = await store.feeds.get("Other")
    assert other is not None
    first = item(
        "guid:1", "https://e.org/dune", title="'Dune: Part Three' sets December 18, 2026 release"
    )
    second = replace(
        item(
            "guid:9",
            "https://o.org/dune",
            title="Warner Bros. dates Dune: Part Three for December 2026",
        ),
        feed="Other",
    )
    kind, films = StoryKind.RELEASE_DATE, ("Dune: Part Three",)
    a = await store.ingest(
        await feed_id(store),
        understood(first, kind=kind, films=films),
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_story_announcements,
    )
    b = await store.ingest(
        other.id,
        understood(second, kind=kind, films=films),
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_story_announcements,
    )
    assert len(a.stories) == 1 and a.planned == 1
    assert b.stories == [] and b.merged == 1 and b.planned == 0
    (story,) = await store.knowledge.stories()
    assert [s.outlet for s in story.sources] == ["Test", "Other"]
    assert story.main_film == "Dune: Part Three"
    counts = await stories_count(store)
    assert counts["stories"] == 1 and counts["story_sources"] == 2 and counts["films"] == 1


async def test_different_kinds_about_one_film_stay_separate_and_tv_is_not_announced(
    store: Store,
) -> None:
    await store.subscriptions.subscribe_channel(CHANNEL, "test", NOW)
    fid = await feed_id(store)
    trailer = understood(
        item("guid:t", "https://e.org/t", title="Dune: Part Three trailer"),
        kind=StoryKind.TRAILER,
        films=("Dune: Part Three",),
    )
    casting = understood(
        item("guid:c", "https://e.org/c", title="Dune: Part Three adds a star"),
        kind=StoryKind.CASTING,
        films=("Dune: Part Three",),
    )
    tv = understood(
        item("guid:v", "https://e.org/v", title="The Last of Us renewed"), kind=StoryKind.NOT_FILM
    )
    result = await store.ingest(
        fid,
        trailer + casting + tv,
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_story_announcements,
    )
    assert len(result.stories) == 3
    assert {s.understanding.kind for s in result.announced} == {
        StoryKind.TRAILER,
        StoryKind.CASTING,
    }
    assert result.planned == 2


async def test_film_titles_are_found_by_any_spelling(store: Store) -> None:
    fid = await feed_id(store)
    await store.ingest(
        fid,
        understood(
            item("guid:h", "https://e.org/h"),
            kind=StoryKind.SEQUEL_ANNOUNCED,
            films=("Heat 2", "Heat"),
        ),
        fetch=fetch_record(),
        announce_limit=None,
        plan=plan_story_announcements,
    )
    for spelling in ("heat2", "HEAT II", "Heat 2", "heat 2"):
        film = await store.knowledge.film_by_title(spelling)
        assert film is not None and film.title == "Heat 2", spelling
    heat = await store.knowledge.film_by_title("heat")
    assert heat is not None and heat.title == "Heat"
    assert await store.knowledge.film_by_title("Heat 3") is None
