"""Backing up the database while something keeps writing to it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.store import Store, StoreError
from bot.store.backup import backup_database

REPO = Path(__file__).resolve().parents[1]


async def make_database(path: Path) -> None:
    store = Store(path)
    await store.open()  # every migration: the real schema
    await store.close()


async def test_a_backup_taken_during_writes_is_whole_and_self_contained(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    await make_database(live)
    writer = sqlite3.connect(live, check_same_thread=False)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE IF NOT EXISTS scratch (n INTEGER NOT NULL, pad TEXT NOT NULL)")
    writer.commit()
    stop = threading.Event()
    written = [0]

    def keep_writing() -> None:
        while not stop.is_set():
            writer.execute("INSERT INTO scratch VALUES (?, ?)", (written[0], "x" * 2000))
            writer.commit()
            written[0] += 1

    for n in range(2000):  # enough pages that the copy takes several steps
        writer.execute("INSERT INTO scratch VALUES (?, ?)", (-n - 1, "y" * 2000))
    writer.commit()
    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        result = backup_database(live, tmp_path / "copy.db")
    finally:
        stop.set()
        thread.join()
        writer.close()

    assert written[0] > 0  # the writer really ran during the copy
    assert result.path == tmp_path / "copy.db" and result.size_bytes > 2000 * 2000
    assert result.schema_version >= 8
    assert not (tmp_path / "copy.db-wal").exists()
    assert not (tmp_path / "copy.db.partial").exists()
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        rows = [n for (n,) in copy.execute("SELECT n FROM scratch WHERE n >= 0 ORDER BY n")]
        # one moment of the database: the writes before it, none missing in between
        assert rows == list(range(len(rows)))
        assert copy.execute("SELECT count(*) FROM scratch WHERE n < 0").fetchone() == (2000,)


async def test_backup_refuses_to_overwrite_or_to_copy_nothing(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="there is no database at .*FILMBOT_DB"):
        backup_database(tmp_path / "missing.db", tmp_path / "copy.db")
    live = tmp_path / "live.db"
    await make_database(live)
    (tmp_path / "copy.db").write_text("an older backup")
    with pytest.raises(StoreError, match="already exists: choose a new file name"):
        backup_database(live, tmp_path / "copy.db")
    assert (tmp_path / "copy.db").read_text() == "an older backup"
    with pytest.raises(StoreError, match="does not exist: create it first"):
        backup_database(live, tmp_path / "no" / "such" / "copy.db")


def test_filmbot_backup_copies_the_database_it_polled_into(tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text(
        f"feeds:\n  - name: Reel Report\n    url: {REPO / 'examples/feeds/reel-report.xml'}\n"
    )
    db = tmp_path / "bot.db"

    def filmbot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "adapters.cli", *args, "--config", str(config), "--db", str(db)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
        )

    assert filmbot("poll", "--once").returncode == 0
    done = filmbot("backup", str(tmp_path / "b.db"))
    assert done.returncode == 0, done.stderr
    assert f"to {tmp_path / 'b.db'}" in done.stdout and "5 stories" in done.stdout
    again = filmbot("backup", str(tmp_path / "b.db"))
    assert again.returncode == 1 and "already exists" in again.stderr
