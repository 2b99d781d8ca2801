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
    conn: aiosqlite.Connection,
    deliveries: list[PlannedDelivery],
    now: datetime,
    *,
    digestible: bool = False,
) -> int:
    """Write the deliveries; with digestible=True, those for targets that take a daily digest
    wait in the digest queue instead. Returns how many rows were written to the outbox."""
    digests: set[str] = set()
    if digestible and deliveries:
        async with conn.execute("SELECT target FROM digest_settings") as cursor:
            digests = {row[0] for row in await cursor.fetchall()}
    moment = to_db(now)
    queued = [d for d in deliveries if d.target.key in digests]
    direct = [d for d in deliveries if d.target.key not in digests]
    if queued:
        await conn.executemany(
            "INSERT OR IGNORE INTO digest_queue (target, story_key, payload, queued_at) "
            "VALUES (?, ?, ?, ?)",
            [(d.target.key, d.idempotency_key, d.payload, moment) for d in queued],
        )
    if not direct:
        return 0
    # One executemany, not a round trip per row: a story followed by 100,000 people is
    # 100,000 rows, and they are written inside the ingest transaction.
    before = conn.total_changes
    await conn.executemany(
        "INSERT INTO outbox (idempotency_key, target, platform, payload, next_attempt_at, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
        [
            (d.idempotency_key, d.target.key, d.target.platform, d.payload, moment, moment)
            for d in direct
        ],
    )
    return conn.total_changes - before
