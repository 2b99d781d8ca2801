"""Follows: who wants a direct message about which film, person or keyword."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.delivery.follows import Follow, FollowKind
from bot.models import Target
from bot.store.db import Database
from bot.store.planned import PlannedDelivery, write_outbox
from bot.store.timefmt import to_db

_COLUMNS = "user_target, kind, value, norm, film_id, reminders, id"


@dataclass(frozen=True, slots=True)
class DueReminder:
    fact_id: int
    film_title: str
    url: str
    outlet: str
    follow: Follow


def _follow(row: aiosqlite.Row | tuple) -> Follow:  # type: ignore[type-arg]
    return Follow(
        Target.from_key(row[0]), FollowKind(row[1]), row[2], row[3], row[4], bool(row[5]), row[6]
    )


async def followers_of(
    conn: aiosqlite.Connection,
    film_ids: Iterable[int],
    people: Iterable[str],
    *,
    after_id: int = 0,
    limit: int | None = None,
) -> list[Follow]:
    """Film and person follows that a story with these films and people concerns, and every
    keyword follow (the caller checks those against the text), by id, after `after_id`."""
    films, names = list(film_ids), [name.casefold() for name in people]
    wanted = "kind = 'keyword'"
    params: list[object] = [after_id]
    if films:
        wanted += f" OR (kind = 'film' AND film_id IN ({', '.join('?' for _ in films)}))"
        params.extend(films)
    if names:
        wanted += f" OR (kind = 'person' AND norm IN ({', '.join('?' for _ in names)}))"
        params.extend(names)
    query = f"SELECT {_COLUMNS} FROM follows WHERE id > ? AND ({wanted}) ORDER BY id"
    if limit is not None:
        query += " LIMIT ?"
        params.append(limit)
    async with conn.execute(query, params) as cursor:
        return [_follow(row) for row in await cursor.fetchall()]


class FollowStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, follow: Follow, now: datetime) -> bool:
        """True when new; following again updates the reminders choice."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT 1 FROM follows WHERE user_target = ? AND kind = ? AND norm = ?",
                (follow.user.key, follow.kind.value, follow.norm),
            ) as cursor:
                existed = await cursor.fetchone() is not None
            await conn.execute(
                "INSERT INTO follows (user_target, platform, kind, value, norm, film_id, reminders, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_target, kind, norm) "
                "DO UPDATE SET reminders = excluded.reminders",
                (
                    follow.user.key,
                    follow.user.platform,
                    follow.kind.value,
                    follow.value,
                    follow.norm,
                    follow.film_id,
                    int(follow.reminders),
                    to_db(now),
                ),
            )
        return not existed

    async def remove(self, user: Target, norms: Iterable[str]) -> list[Follow]:
        wanted = list(dict.fromkeys(norms))
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        async with self._db.transaction() as conn:
            async with conn.execute(
                f"SELECT {_COLUMNS} FROM follows WHERE user_target = ? AND norm IN ({marks})",
                (user.key, *wanted),
            ) as cursor:
                found = [_follow(row) for row in await cursor.fetchall()]
            await conn.execute(
                f"DELETE FROM follows WHERE user_target = ? AND norm IN ({marks})",
                (user.key, *wanted),
            )
        return found

    async def of_user(self, user: Target) -> list[Follow]:
        async with self._db.reading() as conn:
            async with conn.execute(
                f"SELECT {_COLUMNS} FROM follows WHERE user_target = ? ORDER BY kind, value",
                (user.key,),
            ) as cursor:
                return [_follow(row) for row in await cursor.fetchall()]

    async def due_reminders(self, release_day: date) -> list[DueReminder]:
        """Current day-precise releases on release_day, one per follower who wants reminders
        and has not been reminded of that fact yet."""
        async with self._db.reading() as conn:
            async with conn.execute(
                "SELECT r.id, f.title, r.url, r.outlet, "
                + ", ".join(f"w.{column.strip()}" for column in _COLUMNS.split(","))
                + " FROM release_facts r JOIN films f ON f.id = r.film_id "
                "JOIN follows w ON w.film_id = r.film_id AND w.kind = 'film' AND w.reminders = 1 "
                "WHERE r.superseded_at IS NULL AND r.precision = 'day' AND r.release_date = ? "
                "AND NOT EXISTS (SELECT 1 FROM reminders_sent s WHERE s.fact_id = r.id "
                "AND s.user_target = w.user_target)",
                (release_day.isoformat(),),
            ) as cursor:
                rows = await cursor.fetchall()
        return [DueReminder(row[0], row[1], row[2], row[3], _follow(row[4:])) for row in rows]

    async def plan_reminders(
        self, reminders: list[tuple[int, PlannedDelivery]], now: datetime
    ) -> int:
        """Write (fact id, delivery) reminders to the outbox and remember them, in one
        transaction: a reminder is planned once per fact and person, whatever restarts."""
        async with self._db.transaction() as conn:
            fresh = []
            for fact_id, delivery in reminders:
                cursor = await conn.execute(
                    "INSERT OR IGNORE INTO reminders_sent (fact_id, user_target, planned_at) "
                    "VALUES (?, ?, ?)",
                    (fact_id, delivery.target.key, to_db(now)),
                )
                if cursor.rowcount == 1:
                    fresh.append(delivery)
            return await write_outbox(conn, fresh, now)
