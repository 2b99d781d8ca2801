"""Items: every feed entry ever seen, stored once per feed (written by bot/store/ingest.py)."""

from __future__ import annotations

import json

from bot.models import FeedItem
from bot.store.db import Database
from bot.store.timefmt import from_db


class ItemStore:
    def __init__(self, db: Database) -> None:
        self._db = db

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
