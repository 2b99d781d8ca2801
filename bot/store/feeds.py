"""Feeds and their fetch state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.store.db import Database
from bot.store.timefmt import from_db, to_db


@dataclass(frozen=True, slots=True)
class FeedRecord:
    id: int
    name: str
    url: str
    source: str  # "config" or "chat"
    added_by: str
    created_at: datetime
    retired: bool
    etag: str | None
    last_modified: str | None
    body_sha256: str | None
    polls: int
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error_kind: str | None
    last_error: str | None
    last_outcome: str | None
    consecutive_failures: int
    consecutive_404s: int
    disabled_reason: str | None
    next_poll_at: datetime | None


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """What one poll of a feed found, to be written onto the feed row."""

    polled_at: datetime
    outcome: str  # "new", "no_new", "not_modified", "unchanged", "error"
    succeeded: bool
    next_poll_at: datetime
    consecutive_failures: int
    consecutive_404s: int
    disabled_reason: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None
    error_kind: str | None = None
    error: str | None = None


_COLUMNS = (
    "id, name, url, source, added_by, created_at, retired_at, etag, last_modified, body_sha256, "
    "polls, last_polled_at, last_success_at, last_error_at, last_error_kind, last_error, "
    "last_outcome, consecutive_failures, consecutive_404s, disabled_reason, next_poll_at"
)


def _record(row: aiosqlite.Row | tuple) -> FeedRecord:  # type: ignore[type-arg]
    created = from_db(row[5])
    assert created is not None
    return FeedRecord(
        id=row[0],
        name=row[1],
        url=row[2],
        source=row[3],
        added_by=row[4],
        created_at=created,
        retired=row[6] is not None,
        etag=row[7],
        last_modified=row[8],
        body_sha256=row[9],
        polls=row[10],
        last_polled_at=from_db(row[11]),
        last_success_at=from_db(row[12]),
        last_error_at=from_db(row[13]),
        last_error_kind=row[14],
        last_error=row[15],
        last_outcome=row[16],
        consecutive_failures=row[17],
        consecutive_404s=row[18],
        disabled_reason=row[19],
        next_poll_at=from_db(row[20]),
    )


class FeedAlreadyExists(Exception):
    def __init__(self, existing: FeedRecord) -> None:
        super().__init__(f"a feed named {existing.name!r} already exists ({existing.url})")
        self.existing = existing


class FeedStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def sync_config_feeds(self, feeds: list[tuple[str, str]], now: datetime) -> None:
        """Make the config feeds match feeds.yaml: add new ones, update URLs, retire removed ones.

        A retired feed keeps its items, so putting it back in feeds.yaml does not re-announce them.
        """
        async with self._db.transaction() as conn:
            wanted = {name.casefold(): (name, url) for name, url in feeds}
            async with conn.execute("SELECT id, name, url, source FROM feeds") as cursor:
                existing = {row[1].casefold(): row for row in await cursor.fetchall()}
            for folded, (name, url) in wanted.items():
                row = existing.get(folded)
                if row is None:
                    await conn.execute(
                        "INSERT INTO feeds (name, url, source, created_at) VALUES (?, ?, 'config', ?)",
                        (name, url, to_db(now)),
                    )
                elif row[3] == "config" or row[2] == url:
                    # A chat feed with the same name and URL is adopted by the config.
                    changed_url = row[2] != url
                    await conn.execute(
                        "UPDATE feeds SET name = ?, url = ?, source = 'config', retired_at = NULL"
                        + (
                            ", etag = NULL, last_modified = NULL, body_sha256 = NULL, disabled_reason = NULL,"
                            " consecutive_failures = 0, consecutive_404s = 0, next_poll_at = NULL"
                            if changed_url
                            else ""
                        )
                        + " WHERE id = ?",
                        (name, url, row[0]),
                    )
            for folded, row in existing.items():
                if row[3] == "config" and folded not in wanted:
                    await conn.execute(
                        "UPDATE feeds SET retired_at = ? WHERE id = ? AND retired_at IS NULL",
                        (to_db(now), row[0]),
                    )

    async def add_chat_feed(self, name: str, url: str, added_by: str, now: datetime) -> FeedRecord:
        async with self._db.transaction() as conn:
            async with conn.execute(
                f"SELECT {_COLUMNS} FROM feeds WHERE name = ? OR (url = ? AND retired_at IS NULL)",
                (name, url),
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                found = _record(row)
                if not found.retired:
                    raise FeedAlreadyExists(found)
                await conn.execute("DELETE FROM feeds WHERE id = ?", (found.id,))
            await conn.execute(
                "INSERT INTO feeds (name, url, source, added_by, created_at) VALUES (?, ?, 'chat', ?, ?)",
                (name, url, added_by, to_db(now)),
            )
            async with conn.execute(
                f"SELECT {_COLUMNS} FROM feeds WHERE name = ?", (name,)
            ) as cursor:
                added = await cursor.fetchone()
        assert added is not None
        return _record(added)

    async def remove_chat_feed(self, name: str) -> FeedRecord | None:
        """Remove a chat-added feed and its items; config feeds are removed by editing feeds.yaml."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                f"SELECT {_COLUMNS} FROM feeds WHERE name = ? AND retired_at IS NULL", (name,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            record = _record(row)
            if record.source == "chat":
                await conn.execute("DELETE FROM feeds WHERE id = ?", (record.id,))
            return record

    async def get(self, name: str) -> FeedRecord | None:
        async with self._db.reading() as conn:
            async with conn.execute(
                f"SELECT {_COLUMNS} FROM feeds WHERE name = ?", (name,)
            ) as cursor:
                row = await cursor.fetchone()
        return _record(row) if row else None

    async def active(self) -> list[FeedRecord]:
        async with self._db.reading() as conn:
            async with conn.execute(
                f"SELECT {_COLUMNS} FROM feeds WHERE retired_at IS NULL ORDER BY name"
            ) as cursor:
                rows = await cursor.fetchall()
        return [_record(row) for row in rows]

    async def record_fetch(self, feed_id: int, fetch: FetchRecord) -> None:
        async with self._db.transaction() as conn:
            await self.write_fetch(conn, feed_id, fetch)

    @staticmethod
    async def write_fetch(conn: aiosqlite.Connection, feed_id: int, fetch: FetchRecord) -> None:
        """Write a poll's outcome inside a transaction the caller holds."""
        polled = to_db(fetch.polled_at)
        if fetch.succeeded:
            await conn.execute(
                "UPDATE feeds SET polls = polls + 1, last_polled_at = ?, last_success_at = ?, "
                "last_outcome = ?, consecutive_failures = ?, consecutive_404s = ?, disabled_reason = ?, "
                "next_poll_at = ?, etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), "
                "body_sha256 = COALESCE(?, body_sha256) WHERE id = ?",
                (
                    polled,
                    polled,
                    fetch.outcome,
                    fetch.consecutive_failures,
                    fetch.consecutive_404s,
                    fetch.disabled_reason,
                    to_db(fetch.next_poll_at),
                    fetch.etag,
                    fetch.last_modified,
                    fetch.body_sha256,
                    feed_id,
                ),
            )
        else:
            await conn.execute(
                "UPDATE feeds SET polls = polls + 1, last_polled_at = ?, last_error_at = ?, "
                "last_outcome = ?, last_error_kind = ?, last_error = ?, consecutive_failures = ?, "
                "consecutive_404s = ?, disabled_reason = ?, next_poll_at = ? WHERE id = ?",
                (
                    polled,
                    polled,
                    fetch.outcome,
                    fetch.error_kind,
                    fetch.error,
                    fetch.consecutive_failures,
                    fetch.consecutive_404s,
                    fetch.disabled_reason,
                    to_db(fetch.next_poll_at),
                    feed_id,
                ),
            )
