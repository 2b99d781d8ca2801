"""Daily digests: which targets take them, and turning the queue into one message each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.models import Target
from bot.store.db import Database
from bot.store.planned import PlannedDelivery, write_outbox
from bot.store.timefmt import to_db

# (target, queued message payloads, oldest first) -> the digest to send
Composer = Callable[[Target, list[str]], PlannedDelivery]


class DigestStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_daily(self, target: Target, daily: bool, now: datetime) -> bool:
        """True when this changed something. Turning digests off sends nothing that waits:
        the queue is flushed into the outbox as ordinary messages."""
        async with self._db.transaction() as conn:
            if daily:
                cursor = await conn.execute(
                    "INSERT OR IGNORE INTO digest_settings (target, mode, created_at) "
                    "VALUES (?, 'daily', ?)",
                    (target.key, to_db(now)),
                )
                return cursor.rowcount == 1
            cursor = await conn.execute(
                "DELETE FROM digest_settings WHERE target = ?", (target.key,)
            )
            changed = cursor.rowcount == 1
            async with conn.execute(
                "SELECT story_key, payload FROM digest_queue WHERE target = ? ORDER BY queued_at",
                (target.key,),
            ) as rows:
                waiting = [
                    PlannedDelivery(key, target, payload) for key, payload in await rows.fetchall()
                ]
            await write_outbox(conn, waiting, now)
            await conn.execute("DELETE FROM digest_queue WHERE target = ?", (target.key,))
            return changed

    async def is_daily(self, target: Target) -> bool:
        async with self._db.reading() as conn:
            async with conn.execute(
                "SELECT 1 FROM digest_settings WHERE target = ?", (target.key,)
            ) as cursor:
                return await cursor.fetchone() is not None

    async def send_due(self, compose: Composer, now: datetime) -> int:
        """One digest per target with stories waiting, written to the outbox in the same
        transaction that empties its queue."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT target, payload FROM digest_queue ORDER BY queued_at, story_key"
            ) as cursor:
                rows = await cursor.fetchall()
            waiting: dict[str, list[str]] = {}
            for target, payload in rows:
                waiting.setdefault(target, []).append(payload)
            digests = [compose(Target.from_key(key), payloads) for key, payloads in waiting.items()]
            written = await write_outbox(conn, digests, now)
            await conn.execute("DELETE FROM digest_queue")
        return written
