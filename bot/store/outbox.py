"""The outbox: deliveries waiting to be sent, and what became of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.models import Target
from bot.store.db import Database
from bot.store.timefmt import to_db


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    idempotency_key: str
    target: Target
    payload: str
    attempts: int


class OutboxStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def due(
        self, platforms: Iterable[str], now: datetime, limit: int = 50
    ) -> list[OutboxRow]:
        names = sorted(set(platforms))
        if not names:
            return []
        marks = ", ".join("?" for _ in names)
        async with self._db.reading() as conn:
            async with conn.execute(
                "SELECT id, idempotency_key, target, payload, attempts FROM outbox "
                f"WHERE status = 'pending' AND platform IN ({marks}) AND next_attempt_at <= ? "
                "ORDER BY id LIMIT ?",
                (*names, to_db(now), limit),
            ) as cursor:
                rows = await cursor.fetchall()
        return [OutboxRow(r[0], r[1], Target.from_key(r[2]), r[3], r[4]) for r in rows]

    async def mark_sent(self, row_id: int, receipt: str, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, receipt = ? "
                "WHERE id = ?",
                (to_db(now), receipt, row_id),
            )

    async def mark_retry(self, row_id: int, error: str, next_attempt_at: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
                "WHERE id = ?",
                (error, to_db(next_attempt_at), row_id),
            )

    async def mark_dead(self, row_id: int, error: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ? WHERE id = ?",
                (error, row_id),
            )

    async def counts(self) -> dict[str, int]:
        async with self._db.reading() as conn:
            async with conn.execute(
                "SELECT status, COUNT(*) FROM outbox GROUP BY status"
            ) as cursor:
                return {row[0]: int(row[1]) for row in await cursor.fetchall()}
