"""Outbox rows as planned: written in the same transaction as whatever caused them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.models import Target
from bot.store.timefmt import to_db


@dataclass(frozen=True, slots=True)
class PlannedDelivery:
    """One outbox row to write: a message for a target, sent at most once per key."""

    idempotency_key: str
    target: Target
    payload: str  # the neutral Message as JSON (bot.delivery.codec)


async def write_outbox(
    conn: aiosqlite.Connection, deliveries: list[PlannedDelivery], now: datetime
) -> int:
    written = 0
    for delivery in deliveries:
        cursor = await conn.execute(
            "INSERT INTO outbox (idempotency_key, target, platform, payload, next_attempt_at, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
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
