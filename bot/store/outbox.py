"""The outbox: deliveries waiting to be sent, what became of them, and how each target is doing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.models import Target
from bot.store.db import Database
from bot.store.planned import PlannedDelivery, write_outbox
from bot.store.subscriptions import DisabledChannel, disable_channel
from bot.store.timefmt import from_db, to_db


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    idempotency_key: str
    target: Target
    payload: str
    attempts: int


@dataclass(frozen=True, slots=True)
class QueueDepth:
    pending: int
    due: int  # pending rows whose time has come
    dead: int


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: int
    target: Target
    dead_at: datetime | None  # None for rows that died before this was recorded
    reason: str


@dataclass(frozen=True, slots=True)
class TargetHealth:
    target: Target
    consecutive_permanent: int
    last_error: str | None
    last_error_at: datetime | None
    last_sent_at: datetime | None
    blocked_until: datetime | None


@dataclass(frozen=True, slots=True)
class PermanentOutcome:
    consecutive: int  # permanent failures in a row for the target, this one included
    disabled_reason: str | None  # set when this failure disabled the channel's announcements
    abandoned: int  # the target's other pending rows, marked dead because it was disabled
    noticed: Target | None = None  # who was told of the disabling (a direct message row)


# The message telling someone their channel was disabled: given the channel as disabled, the
# permanent failures in a row and the last error, a delivery, or None when nobody can be told.
DisableNotice = Callable[[DisabledChannel, int, str], PlannedDelivery | None]


class OutboxStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def due(
        self, platforms: Iterable[str], now: datetime, limit: int = 50
    ) -> list[OutboxRow]:
        """Pending rows whose time has come, oldest first."""
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
            await conn.execute(
                "UPDATE delivery_targets SET consecutive_permanent = 0, last_sent_at = ? "
                "WHERE target = (SELECT target FROM outbox WHERE id = ?)",
                (to_db(now), row_id),
            )

    async def mark_retry(
        self, row_id: int, error: str, next_attempt_at: datetime, now: datetime | None = None
    ) -> None:
        """One more failed attempt; the row waits until next_attempt_at."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
                "WHERE id = ?",
                (error, to_db(next_attempt_at), row_id),
            )
            if now is not None:
                await _note_error(conn, await _target_of(conn, row_id), error, now)

    async def mark_dead(self, row_id: int, error: str, now: datetime | None = None) -> None:
        """Given up on, for a reason that is not the target's fault (attempts exhausted)."""
        async with self._db.transaction() as conn:
            await _kill(conn, row_id, error, now)
            if now is not None:
                await _note_error(conn, await _target_of(conn, row_id), error, now)

    async def mark_permanent(
        self,
        row_id: int,
        error: str,
        now: datetime,
        *,
        disable_after: int,
        notice: DisableNotice | None = None,
    ) -> PermanentOutcome:
        """The target refused the row for good. After `disable_after` such refusals in a row,
        a channel's announcements are disabled, its other pending rows marked dead and the
        `notice` row (if it plans one) written, all in one transaction: a disabling is never
        committed without its notice, nor a notice without its disabling."""
        async with self._db.transaction() as conn:
            await _kill(conn, row_id, error, now)
            key = await _target_of(conn, row_id)
            await _note_error(conn, key, error, now, permanent=True)
            async with conn.execute(
                "SELECT consecutive_permanent FROM delivery_targets WHERE target = ?", (key,)
            ) as cursor:
                found = await cursor.fetchone()
            consecutive = int(found[0]) if found else 1
            target = Target.from_key(key)
            if target.user or consecutive < disable_after:
                return PermanentOutcome(consecutive, None, 0)
            reason = f"disabled after {consecutive} permanent failures: {error}"
            disabled = await disable_channel(conn, target, reason, now)
            if disabled is None:
                return PermanentOutcome(consecutive, None, 0)
            # A re-enabled channel starts a fresh count.
            await conn.execute(
                "UPDATE delivery_targets SET consecutive_permanent = 0 WHERE target = ?", (key,)
            )
            cursor = await conn.execute(
                "UPDATE outbox SET status = 'dead', last_error = ?, dead_at = ? "
                "WHERE target = ? AND status = 'pending'",
                (f"channel {reason}", to_db(now), key),
            )
            abandoned = cursor.rowcount
            planned = notice(disabled, consecutive, error) if notice is not None else None
            # Written after the channel's rows were marked dead (it goes to a person, not the
            # channel, so it would survive that anyway); its key makes a replay write nothing.
            if planned is not None and await write_outbox(conn, [planned], now):
                return PermanentOutcome(consecutive, reason, abandoned, planned.target)
            return PermanentOutcome(consecutive, reason, abandoned)

    async def defer_target(
        self, target: Target, until: datetime, now: datetime, *, error: str | None = None
    ) -> int:
        """Rate limited: every pending row for the target waits until `until` (with `error`,
        the target's block and last error are recorded too). Not an attempt, so a busy target
        never exhausts a row's attempts. Returns how many rows now wait."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE outbox SET next_attempt_at = ?, last_error = COALESCE(?, last_error) "
                "WHERE target = ? AND status = 'pending' AND next_attempt_at < ?",
                (to_db(until), error, target.key, to_db(until)),
            )
            if error is not None:
                await _note_error(conn, target.key, error, now, blocked_until=until)
            return cursor.rowcount

    async def counts(self) -> dict[str, int]:
        async with self._db.reading() as conn:
            async with conn.execute(
                "SELECT status, COUNT(*) FROM outbox GROUP BY status"
            ) as cursor:
                return {row[0]: int(row[1]) for row in await cursor.fetchall()}

    async def depth(self, now: datetime) -> QueueDepth:
        async with self._db.reading() as conn:
            async with conn.execute(
                "SELECT COALESCE(SUM(status = 'pending'), 0), "
                "COALESCE(SUM(status = 'pending' AND next_attempt_at <= ?), 0), "
                "COALESCE(SUM(status = 'dead'), 0) FROM outbox",
                (to_db(now),),
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return QueueDepth(pending=int(row[0]), due=int(row[1]), dead=int(row[2]))

    async def dead_letters(self, limit: int = 5) -> list[DeadLetter]:
        """The most recent dead rows first."""
        async with self._db.reading() as conn:
            async with conn.execute(
                "SELECT id, target, dead_at, last_error FROM outbox WHERE status = 'dead' "
                "ORDER BY dead_at IS NULL, dead_at DESC, id DESC LIMIT ?",
                (limit,),
            ) as cursor:
                rows = await cursor.fetchall()
        return [DeadLetter(r[0], Target.from_key(r[1]), from_db(r[2]), r[3] or "") for r in rows]

    async def target_health(self) -> list[TargetHealth]:
        """Targets that have failed at least once, the most recent failure first."""
        async with self._db.reading() as conn:
            async with conn.execute(
                "SELECT target, consecutive_permanent, last_error, last_error_at, last_sent_at, "
                "blocked_until FROM delivery_targets ORDER BY last_error_at DESC, target"
            ) as cursor:
                rows = await cursor.fetchall()
        return [
            TargetHealth(
                target=Target.from_key(r[0]),
                consecutive_permanent=int(r[1]),
                last_error=r[2],
                last_error_at=from_db(r[3]),
                last_sent_at=from_db(r[4]),
                blocked_until=from_db(r[5]),
            )
            for r in rows
        ]


async def _target_of(conn: aiosqlite.Connection, row_id: int) -> str:
    async with conn.execute("SELECT target FROM outbox WHERE id = ?", (row_id,)) as cursor:
        row = await cursor.fetchone()
    if row is None:
        raise LookupError(f"no outbox row {row_id}")
    return str(row[0])


async def _kill(conn: aiosqlite.Connection, row_id: int, error: str, now: datetime | None) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ?, dead_at = ? "
        "WHERE id = ?",
        (error, to_db(now) if now is not None else None, row_id),
    )


async def _note_error(
    conn: aiosqlite.Connection,
    key: str,
    error: str,
    now: datetime,
    *,
    permanent: bool = False,
    blocked_until: datetime | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO delivery_targets (target, consecutive_permanent, last_error, last_error_at, "
        "blocked_until) VALUES (?, ?, ?, ?, ?) ON CONFLICT (target) DO UPDATE SET "
        "consecutive_permanent = consecutive_permanent + excluded.consecutive_permanent, "
        "last_error = excluded.last_error, last_error_at = excluded.last_error_at, "
        "blocked_until = COALESCE(excluded.blocked_until, blocked_until)",
        (
            key,
            1 if permanent else 0,
            error,
            to_db(now),
            to_db(blocked_until) if blocked_until is not None else None,
        ),
    )
