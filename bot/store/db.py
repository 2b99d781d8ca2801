"""The SQLite database: one file, WAL mode, numbered migrations applied at start.

One aiosqlite connection is shared by the whole bot; a lock serialises access
so that a transaction opened by one task never sees another task's half-done
writes on the same connection.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import aiosqlite

_LOGGER = logging.getLogger(__name__)
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class StoreError(Exception):
    """The database cannot be used: the message says which file and what to do."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    found = []
    for entry in resources.files("bot.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise StoreError(
                f"migration {migration.name} is out of sequence (expected {expected:03d})"
            )
    return found


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        if str(self.path) != ":memory:":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the folder for the database {self.path}: {exc.strerror}. "
                    "Point --db or FILMBOT_DB at a writable place."
                ) from exc
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves.
            self._conn = await aiosqlite.connect(self.path, isolation_level=None)
            await self._conn.execute("PRAGMA journal_mode=WAL")
            await self._conn.execute("PRAGMA foreign_keys=ON")
            await self._conn.execute("PRAGMA busy_timeout=5000")
            await self._conn.execute("PRAGMA synchronous=NORMAL")
            await self._migrate()
        except StoreError:
            await self.close()
            raise
        except (aiosqlite.Error, OSError) as exc:
            await self.close()
            raise StoreError(
                f"cannot open the database {self.path}: {exc}. "
                "Check the file is a filmbot SQLite database and is writable, or point --db elsewhere."
            ) from exc

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StoreError("the database is not open")
        return self._conn

    async def ping(self) -> None:
        """Raise unless the database answers a query (readiness). No lock: this reads no
        table, so it need not wait behind another task's transaction."""
        async with self.conn.execute("PRAGMA user_version") as cursor:
            await cursor.fetchone()

    async def schema_version(self) -> int:
        async with self.conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        migrations = load_migrations()
        current = await self.schema_version()
        latest = migrations[-1].version if migrations else 0
        if current > latest:
            raise StoreError(
                f"the database {self.path} has schema version {current}, newer than this filmbot "
                f"knows ({latest}). Upgrade filmbot, or restore a backup made by this version."
            )
        for migration in migrations[current:]:
            _LOGGER.info("applying migration %s to %s", migration.name, self.path)
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split_statements(migration.sql):
                    await self.conn.execute(statement)
                await self.conn.execute(f"PRAGMA user_version = {migration.version}")
                await self.conn.execute("COMMIT")
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """All-or-nothing writes: commit on success, roll back on any exception or cancel."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            yield self.conn


def _split_statements(sql: str) -> list[str]:
    """Split a migration into statements (ours never put ';' inside strings)."""
    without_comments = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return [part.strip() for part in without_comments.split(";") if part.strip()]
