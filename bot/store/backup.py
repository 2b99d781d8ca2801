"""A consistent copy of the database, taken while the bot keeps running.

SQLite's online backup API, in one step: it reads the whole database inside one read
transaction, which in WAL mode is a snapshot of one moment that the bot's writers do not
wait for. (Copying in small steps would restart whenever the bot wrote in between, and a
busy bot could keep it restarting forever.) Copying the file with cp while the bot writes
can give a torn mix of two moments, and misses whatever still sits in the -wal file.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bot.store.db import StoreError


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size_bytes: int
    schema_version: int
    films: int
    stories: int


def backup_database(source: Path, destination: Path) -> BackupResult:
    """Copies the live database at source into a new file at destination and checks it."""
    if not source.is_file():
        raise StoreError(f"there is no database at {source}: check --db or FILMBOT_DB")
    if destination.exists():
        raise StoreError(
            f"{destination} already exists: choose a new file name, or delete the old backup first"
        )
    if not destination.parent.is_dir():
        raise StoreError(f"the folder {destination.parent} does not exist: create it first")
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            closing(sqlite3.connect(source, timeout=30)) as live,
            closing(sqlite3.connect(partial)) as copy,
        ):
            live.backup(copy)  # pages=-1: all in one step, one snapshot
            problems = copy.execute("PRAGMA integrity_check").fetchall()
            if problems != [("ok",)]:
                raise StoreError(f"the copy failed its integrity check: {problems[:3]}")
            # a backup is one self-contained file: no -wal beside it to forget
            copy.execute("PRAGMA journal_mode=DELETE")
            version = copy.execute("PRAGMA user_version").fetchone()[0]
            films = _count(copy, "films")
            stories = _count(copy, "stories")
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"could not back up {source}: {exc}") from exc
    except StoreError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, destination)
    return BackupResult(destination, destination.stat().st_size, version, films, stories)


def _count(conn: sqlite3.Connection, table: str) -> int:
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:  # a database from before that table existed
        return 0
