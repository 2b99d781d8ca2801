"""Channels that asked for announcements."""

from __future__ import annotations

from datetime import datetime

from bot.models import Target
from bot.store.db import Database
from bot.store.timefmt import to_db


class SubscriptionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def subscribe_channel(self, target: Target, created_by: str, now: datetime) -> bool:
        """True when the channel was not subscribed before."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO channel_subscriptions (target, created_at, created_by) VALUES (?, ?, ?) "
                "ON CONFLICT (target) DO NOTHING",
                (target.key, to_db(now), created_by),
            )
            return cursor.rowcount == 1

    async def unsubscribe_channel(self, target: Target) -> bool:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM channel_subscriptions WHERE target = ?", (target.key,)
            )
            return cursor.rowcount == 1

    async def channels(self) -> list[Target]:
        async with self._db.reading() as conn:
            async with conn.execute(
                "SELECT target FROM channel_subscriptions ORDER BY id"
            ) as cursor:
                return [Target.from_key(row[0]) for row in await cursor.fetchall()]
