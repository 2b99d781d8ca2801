"""The real discord.py client against the local Discord: login, command sync, the gateway
handshake (compression, IDENTIFY, heartbeats, READY), sharding, and the App's lifecycle."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord import DiscordAdapter, build_discord_adapter
from adapters.discord.commands import application_commands
from bot.app import App
from bot.commands.builtin import build_registry
from bot.config import load_settings
from tests.fakediscord import (
    ADMIN_PERMISSIONS,
    APP_ID,
    CHANNEL,
    GUILD,
    OTHER_GUILD,
    FakeDiscord,
)
from tests.harness import local_feed_settings

PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
ORIGINAL_BASE = Route.BASE
ORIGINAL_GATEWAY = DiscordWebSocket.DEFAULT_GATEWAY


@pytest.fixture
async def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    # The feed is never polled here: opening the app is enough to dispatch commands.
    opened = App(local_feed_settings(tmp_path, "http://127.0.0.1:9/feed"), [])
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


async def test_connects_with_one_intent_compressed_and_syncs_every_command(app: App) -> None:
    async with FakeDiscord(heartbeat_interval_ms=100) as fake:
        adapter = DiscordAdapter(token=fake.token, api_url=fake.url)
        assert not adapter.connected
        await adapter.start(app.commands)
        try:
            await fake.wait_until(lambda: adapter.connected)
            await fake.wait_until(lambda: fake.heartbeats >= 3)  # each one ACKed
            assert adapter.connected
        finally:
            await adapter.stop()
        assert not adapter.connected
        await adapter.stop()  # twice is harmless
    (identify,) = fake.identifies
    assert identify["intents"] == 1  # GUILDS only
    assert identify["intents"] & PRIVILEGED_INTENTS == 0
    assert identify["token"] == fake.token and identify["shard"] == [0, 1]
    (query,) = fake.gateway_queries
    assert query == {"v": "10", "encoding": "json", "compress": "zlib-stream"}
    assert fake.commands["global"] == application_commands(build_registry())
    (sync,) = fake.requests_to("PUT", "/commands")
    assert sync.path == f"/api/v10/applications/{APP_ID}/commands"
    assert sync.headers["Authorization"] == f"Bot {fake.token}"
    # the process-wide REST root and gateway are put back
    assert Route.BASE == ORIGINAL_BASE and DiscordWebSocket.DEFAULT_GATEWAY == ORIGINAL_GATEWAY


async def test_a_guild_id_syncs_to_that_guild_only(app: App) -> None:
    async with FakeDiscord() as fake:
        adapter = DiscordAdapter(token=fake.token, api_url=fake.url, guild_id=str(GUILD))
        await adapter.start(app.commands)
        await adapter.stop()
    assert list(fake.commands) == [str(GUILD)]
    assert fake.requests_to("PUT", f"/applications/{APP_ID}/guilds/{GUILD}/commands")


@pytest.mark.parametrize("shards", [None, 2])
async def test_runs_sharded_automatically_or_as_told(app: App, shards: int | None) -> None:
    guilds = {GUILD: [CHANNEL], OTHER_GUILD: [77]}
    async with FakeDiscord(shards=2, guilds=guilds) as fake:
        adapter = DiscordAdapter(token=fake.token, api_url=fake.url, shards=shards)
        await adapter.start(app.commands)
        try:
            await fake.wait_until(lambda: adapter.connected)
            # a command from the guild on shard 1 is answered through shard 1
            answer = await fake.slash("help", guild=OTHER_GUILD, channel=77)
        finally:
            await adapter.stop()
    assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
    assert fake.shard_of(OTHER_GUILD) == 1
    assert answer["type"] == 4
    assert answer["data"]["embeds"][0]["title"] == "filmbot commands"


async def test_a_wrong_token_fails_start_and_leaves_nothing_behind(app: App) -> None:
    async with FakeDiscord() as fake:
        adapter = DiscordAdapter(token="not-the-token", api_url=fake.url)
        with pytest.raises(discord.LoginFailure):
            await adapter.start(app.commands)
    assert not adapter.connected and fake.identifies == []
    assert Route.BASE == ORIGINAL_BASE


async def test_the_app_starts_and_stops_the_adapter(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        config = tmp_path / "feeds.yaml"
        config.write_text("allow_private_addresses: true\nfeeds: []\n")
        env = {
            "DISCORD_TOKEN": fake.token,
            "DISCORD_API_URL": fake.url,
            "DISCORD_GUILD_ID": str(GUILD),
            "DISCORD_SHARDS": "1",
        }
        settings = load_settings(config, db_path=tmp_path / "bot.db", env=env)
        adapter = build_discord_adapter(settings)
        assert fake.token not in repr(adapter)
        app = App(settings, [adapter])
        await app.start()
        try:
            await fake.wait_until(lambda: adapter.connected)
            status = await fake.slash("status", permissions=ADMIN_PERMISSIONS)
        finally:
            await app.stop()
        assert not adapter.connected
    assert status["data"]["embeds"][0]["color"] != 0xDC2626  # an admin may
    assert list(fake.commands) == [str(GUILD)]


def test_build_needs_a_token(tmp_path: Path) -> None:
    settings = local_feed_settings(tmp_path, "http://127.0.0.1:9/feed")
    with pytest.raises(ValueError, match="DISCORD_TOKEN"):
        build_discord_adapter(settings)
