"""Items: every feed entry ever seen, stored once per feed, with the deliveries they cause."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import aiosqlite

from bot.models import FeedItem, Target
from bot.store.db import Database
from bot.store.feeds import FeedStore, FetchRecord
from bot.store.timefmt import from_db, to_db


@dataclass(frozen=True, slots=True)
class StoredItem:
    id: int
    feed_id: int
    item: FeedItem


@dataclass(frozen=True, slots=True)
class PlannedDelivery:
    """One outbox row to write: a message for a target, sent at most once per key."""

    idempotency_key: str
    target: Target
    payload: str  # the neutral Message as JSON (bot.delivery.codec)


@dataclass(frozen=True, slots=True)
class IngestResult:
    new: list[StoredItem]
    announced: list[StoredItem]
    planned: int


Planner = Callable[[list[StoredItem], list[Target]], list[PlannedDelivery]]


class ItemStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def ingest(
        self,
        feed_id: int,
        items: Sequence[FeedItem],
        *,
        fetch: FetchRecord,
        announce_limit: int | None,
        plan: Planner,
    ) -> IngestResult:
        """Store the new items, the feed's fetch state and the deliveries they cause, all at once.

        An item is new when neither its key nor (for feeds whose links identify entries) its link
        was seen before: that is what keeps a feed whose guids change on every fetch from
        re-announcing everything. announce_limit=None announces every new item; N announces only
        the newest N (the first poll of a feed, with its backfill setting).
        """
        link_counts = Counter(item.url for item in items if item.url)
        async with self._db.transaction() as conn:
            new: list[StoredItem] = []
            for item in items:
                if await self._seen(conn, feed_id, item, links_identify=link_counts[item.url] == 1):
                    continue
                cursor = await conn.execute(
                    "INSERT INTO items (feed_id, key, url, title, summary, published, authors, "
                    "categories, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (feed_id, key) DO NOTHING",
                    (
                        feed_id,
                        item.key,
                        item.url,
                        item.title,
                        item.summary,
                        to_db(item.published),
                        json.dumps(item.authors),
                        json.dumps(item.categories),
                        to_db(fetch.polled_at),
                    ),
                )
                if cursor.rowcount == 1 and cursor.lastrowid is not None:
                    new.append(StoredItem(id=cursor.lastrowid, feed_id=feed_id, item=item))
            announced = sorted(new, key=lambda s: s.item.published, reverse=True)
            if announce_limit is not None:
                announced = announced[:announce_limit]
            announced.reverse()  # oldest first, so a channel reads them in order
            planned = 0
            if announced:
                await conn.executemany(
                    "UPDATE items SET announced = 1 WHERE id = ?", [(s.id,) for s in announced]
                )
                targets = await _subscribed_channels(conn)
                planned = await _write_outbox(conn, plan(announced, targets), fetch.polled_at)
            outcome = "new" if new else "no_new"
            await FeedStore.write_fetch(conn, feed_id, replace(fetch, outcome=outcome))
        return IngestResult(new=new, announced=announced, planned=planned)

    @staticmethod
    async def _seen(
        conn: aiosqlite.Connection, feed_id: int, item: FeedItem, *, links_identify: bool
    ) -> bool:
        if links_identify:
            query = "SELECT 1 FROM items WHERE feed_id = ? AND (key = ? OR url = ?) LIMIT 1"
            params: tuple[object, ...] = (feed_id, item.key, item.url)
        else:
            query = "SELECT 1 FROM items WHERE feed_id = ? AND key = ? LIMIT 1"
            params = (feed_id, item.key)
        async with conn.execute(query, params) as cursor:
            return await cursor.fetchone() is not None

    async def latest(
        self, limit: int = 10, feed_id: int | None = None
    ) -> list[tuple[str, FeedItem]]:
        """The newest items with their feed names, newest first."""
        query = (
            "SELECT f.name, i.key, i.url, i.title, i.summary, i.published, i.authors, i.categories "
            "FROM items i JOIN feeds f ON f.id = i.feed_id "
            + ("WHERE i.feed_id = ? " if feed_id is not None else "")
            + "ORDER BY i.published DESC, i.id DESC LIMIT ?"
        )
        params = (feed_id, limit) if feed_id is not None else (limit,)
        async with self._db.reading() as conn:
            async with conn.execute(query, params) as cursor:
                rows = await cursor.fetchall()
        result = []
        for row in rows:
            published = from_db(row[5])
            assert published is not None
            item = FeedItem(
                feed=row[0],
                key=row[1],
                url=row[2],
                title=row[3],
                summary=row[4],
                published=published,
                authors=tuple(json.loads(row[6])),
                categories=tuple(json.loads(row[7])),
            )
            result.append((row[0], item))
        return result

    async def count(self, feed_id: int | None = None) -> int:
        query = "SELECT COUNT(*) FROM items" + (" WHERE feed_id = ?" if feed_id is not None else "")
        async with self._db.reading() as conn:
            async with conn.execute(query, (feed_id,) if feed_id is not None else ()) as cursor:
                row = await cursor.fetchone()
        return int(row[0]) if row else 0


async def _subscribed_channels(conn: aiosqlite.Connection) -> list[Target]:
    async with conn.execute("SELECT target FROM channel_subscriptions ORDER BY id") as cursor:
        return [Target.from_key(row[0]) for row in await cursor.fetchall()]


async def _write_outbox(
    conn: aiosqlite.Connection, deliveries: list[PlannedDelivery], now: datetime
) -> int:
    written = 0
    for delivery in deliveries:
        cursor = await conn.execute(
            "INSERT INTO outbox (idempotency_key, target, platform, payload, next_attempt_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
            (
                delivery.idempotency_key,
                delivery.target.key,
                delivery.target.platform,
                delivery.payload,
                to_db(now),
                to_db(now),
            ),
        )
        written += cursor.rowcount
    return written
