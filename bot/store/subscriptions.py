"""Channels that asked for announcements, with what they asked for."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.delivery.filters import ChannelFilter, ChannelSubscription
from bot.models import StoryKind, Target
from bot.store.db import Database
from bot.store.timefmt import from_db, to_db

_COLUMNS = "target, kinds, keywords"
_DISABLED_COLUMNS = f"{_COLUMNS}, disabled_reason, disabled_at, created_by_user"


@dataclass(frozen=True, slots=True)
class DisabledChannel:
    """A channel whose announcements were turned off for it, and why."""

    target: Target
    reason: str
    disabled_at: datetime
    filter: ChannelFilter = ChannelFilter()  # what it asked for, kept for /announce here again
    subscriber: str = ""  # the platform user id of who turned it on; "" when nobody is known


def _subscription(row: aiosqlite.Row | tuple) -> ChannelSubscription:  # type: ignore[type-arg]
    kinds = frozenset(StoryKind(value) for value in row[1].split(",") if value)
    return ChannelSubscription(
        Target.from_key(row[0]), ChannelFilter(kinds, tuple(json.loads(row[2])))
    )


async def subscribed_channels(conn: aiosqlite.Connection) -> list[ChannelSubscription]:
    """Inside a transaction the caller holds (ingest plans with it)."""
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM channel_subscriptions WHERE disabled_at IS NULL ORDER BY id"
    ) as cursor:
        return [_subscription(row) for row in await cursor.fetchall()]


def _disabled(row: aiosqlite.Row | tuple) -> DisabledChannel:  # type: ignore[type-arg]
    subscription = _subscription(row)
    return DisabledChannel(
        subscription.target, row[3] or "", _when(row[4]), subscription.filter, row[5]
    )


async def disable_channel(
    conn: aiosqlite.Connection, target: Target, reason: str, now: datetime
) -> DisabledChannel | None:
    """Inside a transaction the caller holds; the channel as it now is when an enabled
    subscription was disabled, None when there was none to disable."""
    cursor = await conn.execute(
        "UPDATE channel_subscriptions SET disabled_at = ?, disabled_reason = ? "
        "WHERE target = ? AND disabled_at IS NULL",
        (to_db(now), reason, target.key),
    )
    if cursor.rowcount != 1:
        return None
    async with conn.execute(
        f"SELECT {_DISABLED_COLUMNS} FROM channel_subscriptions WHERE target = ?", (target.key,)
    ) as found:
        row = await found.fetchone()
    assert row is not None  # updated just now, in this transaction
    return _disabled(row)


class SubscriptionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def subscribe_channel(
        self,
        target: Target,
        created_by: str,
        now: datetime,
        channel_filter: ChannelFilter | None = None,
        *,
        created_by_user: str = "",
    ) -> bool:
        """Subscribe, or replace the channel's filter and enable it again; True when it was not
        subscribed (or was disabled) before. `created_by_user` is the platform user id of the
        person asking ("" for configuration): the last one to ask is the one told if the
        channel is ever disabled."""
        wanted = channel_filter or ChannelFilter()
        kinds = ",".join(sorted(kind.value for kind in wanted.kinds))
        keywords = json.dumps(list(wanted.keywords))
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT 1 FROM channel_subscriptions WHERE target = ? AND disabled_at IS NULL",
                (target.key,),
            ) as cursor:
                existed = await cursor.fetchone() is not None
            await conn.execute(
                "INSERT INTO channel_subscriptions (target, created_at, created_by, "
                "created_by_user, kinds, keywords) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (target) DO UPDATE SET kinds = excluded.kinds, "
                "keywords = excluded.keywords, created_by = excluded.created_by, "
                "created_by_user = excluded.created_by_user, disabled_at = NULL, "
                "disabled_reason = NULL",
                (target.key, to_db(now), created_by, created_by_user, kinds, keywords),
            )
        return not existed

    async def unsubscribe_channel(self, target: Target) -> bool:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM channel_subscriptions WHERE target = ?", (target.key,)
            )
            return cursor.rowcount == 1

    async def channels(self) -> list[ChannelSubscription]:
        async with self._db.reading() as conn:
            return await subscribed_channels(conn)

    async def disable_channel(self, target: Target, reason: str, now: datetime) -> bool:
        async with self._db.transaction() as conn:
            return await disable_channel(conn, target, reason, now) is not None

    async def disabled_channels(self) -> list[DisabledChannel]:
        async with self._db.reading() as conn:
            async with conn.execute(
                f"SELECT {_DISABLED_COLUMNS} FROM channel_subscriptions "
                "WHERE disabled_at IS NOT NULL ORDER BY disabled_at DESC, id"
            ) as cursor:
                rows = await cursor.fetchall()
        return [_disabled(row) for row in rows]


def _when(text: str) -> datetime:
    moment = from_db(text)
    assert moment is not None
    return moment
