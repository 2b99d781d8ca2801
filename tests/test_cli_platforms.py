"""`filmbot` with platform credentials: the real process starts the real adapter, connects to
a local platform, and stops cleanly; the setup helpers print what a user pastes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

from adapters.discord import REQUIRED_PERMISSIONS
from bot.commands.builtin import build_registry
from tests.fakediscord import APP_ID, FakeDiscord
from tests.fakeslack import APP_TOKEN, BOT_TOKEN, FakeSlack, slash_command

REPO = Path(__file__).resolve().parents[1]


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "SLACK_", "FILMBOT_", "HEALTH_", "LOG_"))
    }
    return env | {"PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO)} | extra


async def _filmbot(*args: str, cwd: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        *args,
        cwd=cwd,
        env=_env(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "feeds.yaml"
    config.write_text(
        f"feeds:\n  - name: Reel Report\n    url: {REPO / 'examples/feeds/reel-report.xml'}\n"
    )
    return config


async def test_run_with_a_discord_token_connects_syncs_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path)
    async with FakeDiscord(heartbeat_interval_ms=200) as fake:
        process = await _filmbot(
            "run", "--config", str(config), "--db", str(tmp_path / "bot.db"),
            cwd=tmp_path,
            env={"DISCORD_TOKEN": fake.token, "DISCORD_API_URL": fake.url},
        )  # fmt: skip
        try:
            await fake.wait_until(lambda: bool(fake.identifies) and bool(fake.commands), 30)
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    # no console when a chat platform runs, even without --headless, and so the log is not
    # held back to warnings for a prompt's sake
    assert b"filmbot console" not in out
    assert b'level=info logger=adapters.discord.adapter msg="synced ' in err
    assert fake.identifies[0]["token"] == fake.token
    names = {command["name"] for command in fake.commands["global"]}
    assert {"when", "follow", "announce", "feeds", "help"} <= names
    assert fake.token.encode() not in out + err


async def test_run_with_a_wrong_discord_token_says_so_and_exits(tmp_path: Path) -> None:
    config = _config(tmp_path)
    async with FakeDiscord() as fake:
        process = await _filmbot(
            "run", "--config", str(config), "--db", str(tmp_path / "bot.db"),
            cwd=tmp_path,
            env={"DISCORD_TOKEN": "MTIz.not-the.token", "DISCORD_API_URL": fake.url},
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 1
    assert b"filmbot could not start: discord did not start:" in err
    assert b"not-the.token" not in out + err


async def test_discord_invite_prints_the_url_with_the_permissions_needed(tmp_path: Path) -> None:
    config = _config(tmp_path)
    process = await _filmbot(
        "discord-invite", "--config", str(config),
        cwd=tmp_path,
        env={"DISCORD_TOKEN": FakeDiscord().token, "DISCORD_GUILD_ID": "42"},
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    url = urlsplit(out.decode().strip())
    query = parse_qs(url.query)
    assert url.netloc == "discord.com" and url.path == "/oauth2/authorize"
    assert query["client_id"] == [str(APP_ID)]  # read from the token
    assert query["permissions"] == [str(REQUIRED_PERMISSIONS)]
    assert query["scope"] == ["bot applications.commands"]
    assert query["guild_id"] == ["42"]

    missing = await _filmbot("discord-invite", "--config", str(config), cwd=tmp_path, env={})
    out, err = await asyncio.wait_for(missing.communicate(), 30)
    assert missing.returncode == 2 and b"DISCORD_APPLICATION_ID" in err


async def test_run_with_slack_tokens_answers_a_command_over_socket_mode(tmp_path: Path) -> None:
    config = _config(tmp_path)
    async with FakeSlack() as fake:
        process = await _filmbot(
            "run", "--config", str(config), "--db", str(tmp_path / "bot.db"),
            cwd=tmp_path,
            env={"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
                 "SLACK_API_URL": fake.url},
        )  # fmt: skip
        try:
            await fake.wait_for(lambda: fake.socket_connections, within=30)
            await fake.send_envelope(
                {
                    "envelope_id": "e-1",
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                    "payload": slash_command(fake, "/help", "", respond_to="help"),
                }
            )
            # the ack travels on the websocket, the answer by HTTP: either may land first
            await fake.wait_for(lambda: fake.acks and fake.responses_to("help"), within=30)
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    assert fake.acks == [{"envelope_id": "e-1"}]
    assert "/when" in json.dumps(fake.responses_to("help")[0]["blocks"])
    assert BOT_TOKEN.encode() not in out + err and APP_TOKEN.encode() not in out + err


async def test_slack_manifest_lists_every_command_of_the_registry(tmp_path: Path) -> None:
    process = await _filmbot("slack-manifest", cwd=tmp_path, env={})
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    manifest = yaml.safe_load(out)
    commands = {entry["command"] for entry in manifest["features"]["slash_commands"]}
    assert commands == {f"/{spec.name}" for spec in build_registry()}
    assert manifest["settings"]["socket_mode_enabled"] is True

    http = await _filmbot(
        "slack-manifest", "--http-url", "https://bot.example.org/slack/events", cwd=tmp_path, env={}
    )
    out, _ = await asyncio.wait_for(http.communicate(), 30)
    manifest = yaml.safe_load(out)
    assert manifest["settings"]["socket_mode_enabled"] is False
    urls = {entry["url"] for entry in manifest["features"]["slash_commands"]}
    assert urls == {"https://bot.example.org/slack/events"}

    plain = await _filmbot("slack-manifest", "--http-url", "http://x/slack", cwd=tmp_path, env={})
    _, err = await asyncio.wait_for(plain.communicate(), 30)
    assert plain.returncode == 2 and b"must be the public https://" in err
