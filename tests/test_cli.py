"""The filmbot command line and the console adapter, run as real subprocesses."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot import __version__

REPO = Path(__file__).resolve().parents[1]
DEMO_CONFIG = REPO / "examples" / "demo.yaml"


def filmbot_env() -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "FILMBOT_"))
    }
    env["PYTHONUNBUFFERED"] = "1"
    return env


def filmbot(
    *args: str, cwd: Path, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        cwd=cwd,
        env=filmbot_env() | (env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def test_version(tmp_path: Path) -> None:
    result = filmbot("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"filmbot {__version__}"


def test_check_config_accepts_the_shipped_files(tmp_path: Path) -> None:
    for config in (REPO / "feeds.yaml", DEMO_CONFIG):
        result = filmbot("check-config", "--config", str(config), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "OK" in result.stdout and "Console: starts" in result.stdout
        assert "Discord: off: DISCORD_TOKEN is not set" in result.stdout
        assert "Slack: off: SLACK_BOT_TOKEN is not set" in result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"SLACK_BOT_TOKEN": "xoxb-1-secret"},
            "Slack: off: SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) "
            "nor SLACK_SIGNING_SECRET (HTTP mode) is",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1-secret", "SLACK_SIGNING_SECRET": "s3cret-signing"},
            "Slack: starts: HTTP mode on port 3000 at /slack/events "
            "(SLACK_APP_TOKEN missing, Socket Mode off)",
        ),
        (
            {"SLACK_APP_TOKEN": "xapp-1-secret"},
            "Slack: off: SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN (xoxb-...) is missing",
        ),
        (
            {"DISCORD_TOKEN": "discord-secret-token", "DISCORD_GUILD_ID": "42"},
            "Discord: starts: gateway with auto shard(s), commands synced to guild 42 only",
        ),
    ],
)
def test_check_config_says_which_adapters_start_and_why_not(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    result = filmbot("check-config", "--config", str(REPO / "feeds.yaml"), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    for secret in env.values():
        if "secret" in secret:
            assert secret not in result.stdout + result.stderr


def test_check_config_reports_every_environment_problem_at_once(tmp_path: Path) -> None:
    env = {"HEALTH_PORT": "eighty", "LOG_FORMAT": "xml", "DISCORD_SHARDS": "-1"}
    result = filmbot("check-config", "--config", str(REPO / "feeds.yaml"), cwd=tmp_path, env=env)
    assert result.returncode == 2
    for key in env:
        assert f"environment: {key}:" in result.stderr


def test_check_config_rejects_a_bad_file_with_file_line_and_fix(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("feeds:\n  - name: X\n    url: https://x.example/feed\n    intervall: 5m\n")
    result = filmbot("check-config", "--config", str(bad), cwd=tmp_path)
    assert result.returncode == 2
    assert "bad.yaml:4" in result.stderr and "interval" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_config_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    result = filmbot("run", "--headless", cwd=tmp_path)
    assert result.returncode == 2
    assert "--config" in result.stderr and "Traceback" not in result.stderr


def test_poll_once_prints_a_line_per_feed_then_ask_reads_the_database(tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    junk = tmp_path / "junk.xml"
    junk.write_text("<html><body>This page moved.</body></html>")
    config.write_text(
        "feeds:\n"
        f"  - name: Reel Report\n    url: {REPO / 'examples/feeds/reel-report.xml'}\n"
        f"  - name: Junk\n    url: {junk}\n"
    )
    db = tmp_path / "bot.db"
    result = filmbot("poll", "--once", "--config", str(config), "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Junk ") and "error:" in lines[0]
    assert lines[1].startswith("Reel Report ") and "5 new item(s), 0 announced" in lines[1]
    # not a terminal: progress as plain lines on stderr, the last one complete
    progress = [line for line in result.stderr.splitlines() if line.startswith("polling feeds")]
    assert progress and progress[-1].startswith("polling feeds: 2/2 ")
    assert "\r" not in result.stderr

    again = filmbot("poll", "--once", "--config", str(config), "--db", str(db), cwd=tmp_path)
    assert "Reel Report  not modified" in again.stdout  # file mtime works as Last-Modified

    feeds = filmbot("ask", "/feeds", "--config", str(config), "--db", str(db), cwd=tmp_path)
    assert feeds.returncode == 0, feeds.stderr
    assert "== Feeds (2) ==" in feeds.stdout
    assert "Reel Report [ok]" in feeds.stdout and "Junk [failing (2x)" in feeds.stdout

    news = filmbot("ask", "/news", "--config", str(config), "--db", str(db), cwd=tmp_path)
    assert "== Latest film news ==" in news.stdout and "Spider-Verse" in news.stdout

    when = filmbot("ask", "/when heat2", "--config", str(config), "--db", str(db), cwd=tmp_path)
    assert when.returncode == 0
    assert "No release date announced yet for Heat 2." in when.stdout
    assert "Reel Report" in when.stdout

    bad = filmbot("ask", "/upcoming many", "--config", str(config), "--db", str(db), cwd=tmp_path)
    assert bad.returncode == 1 and "whole number" in bad.stdout


class Console:
    """filmbot run with a pipe for stdin, read line by line on a thread."""

    def __init__(self, *args: str, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "run", *args],
            cwd=cwd,
            env=filmbot_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def type(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        stderr = (
            self.proc.stderr.read() if self.proc.poll() is not None and self.proc.stderr else ""
        )
        pytest.fail(f"never saw {text!r}; output so far:\n" + "\n".join(self.lines) + "\n" + stderr)


def test_console_demo_announces_and_answers_commands_from_piped_stdin(tmp_path: Path) -> None:
    console = Console("--config", str(DEMO_CONFIG), "--db", str(tmp_path / "demo.db"), cwd=tmp_path)
    try:
        console.wait_for("filmbot console")
        console.wait_for("Kind: Sequel announced | Film: Heat 2")
        console.wait_for("Kind: Release date | Film: Dune: Part Three | Release: 18 December 2026")
        console.wait_for("(Screen Ledger · ")  # both feeds have been polled
        console.wait_for("(Reel Report · ")
        console.type("/help")
        console.wait_for("/feeds add <url> [name...]")
        console.type("/feeds")
        console.wait_for("Screen Ledger [ok]")
        console.type("/when heat2")
        console.wait_for("No release date announced yet for Heat 2.")
        console.type("/when dune part 3")
        console.wait_for("Dune: Part Three: 18 December 2026 (theaters). Source: Reel Report")
        assert console.proc.stdin is not None
        console.proc.stdin.close()  # end of input ends the session, like a shell
        assert console.proc.wait(timeout=20) == 0
    finally:
        if console.proc.poll() is None:
            console.proc.kill()
    announcements = [
        line for line in console.lines if line.startswith("== ") and "(" not in line[:4]
    ]
    titles = [
        line
        for line in announcements
        if not line.startswith(("== Feeds", "== filmbot commands", "== When is"))
    ]
    # backfill 5 of Reel Report's 5 items and 5 of Screen Ledger's 4 = 9 items; both outlets'
    # Heat 2 items are one story, announced once, and the TV renewal is not film news: 7
    assert len(titles) == 7
    assert len(set(titles)) == 7
    assert not any("Last of Us" in title for title in titles)
    assert sum("Heat 2" in title for title in titles) == 1


def test_headless_run_polls_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "adapters.cli",
            "run",
            "--headless",
            "--config",
            str(DEMO_CONFIG),
            "--db",
            str(db),
        ],
        cwd=tmp_path,
        env=filmbot_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        items = 0
        while time.monotonic() < deadline and items < 9:
            time.sleep(0.2)
            if db.exists():
                try:
                    with sqlite3.connect(db) as conn:
                        items = conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]
                except sqlite3.OperationalError:
                    pass
        assert items == 9
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        pending = conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    # headless has no console; the demo's console channel was never subscribed, so nothing is queued
    assert pending == 0


def test_eval_prints_accuracy_and_a_json_line(tmp_path: Path) -> None:
    result = filmbot("eval", str(REPO / "tests" / "data" / "eval.jsonl"), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["n"] >= 60
    assert {"kind_acc", "film_acc", "date_acc"} <= figures.keys()
    assert figures["kind_acc"] >= 0.8 and figures["film_acc"] >= 0.8 and figures["date_acc"] >= 0.8
    assert "sequel_announced" in result.stdout  # the confusion table names the kinds
    assert f"understanding cases: {figures['n']}/{figures['n']}" in result.stderr


def test_eval_rejects_a_bad_line_with_file_and_line(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"id": "a", "title": "t", "summary": "s", "published": null, "film": null, '
        '"kind": "other", "release_date": null, "extra": 1}\n{"id": "b", "title": \n'
    )
    result = filmbot("eval", str(cases), cwd=tmp_path)
    assert result.returncode == 2
    assert "cases.jsonl:2" in result.stderr and "Traceback" not in result.stderr
