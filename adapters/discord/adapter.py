"""The Discord adapter: slash commands in, embeds and direct messages out.

discord.py's AutoShardedClient holds the gateway (only the guilds intent, no privileged
one) and its HTTP client does the REST calls, rate-limit buckets included. The commands are
built from the registry (adapters/discord/commands.py), synced with one bulk overwrite in
setup_hook, and every interaction is handled in on_interaction: nothing here decides what a
command does; Commands.dispatch does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.commands import (
    PLATFORM,
    CommandCall,
    application_commands,
    film_choices,
    invocation,
    option_spec,
    read_call,
)
from adapters.discord.render import embed, message_payload
from bot.commands.registry import OptionType
from bot.delivery import Adapter, PermanentFailure, RateLimited, TransientFailure
from bot.models import Message, Reply, Target, Visibility

if TYPE_CHECKING:
    from bot.commands.dispatch import Commands
    from bot.config import Settings

_LOGGER = logging.getLogger(__name__)

DEFER_AFTER_SECONDS = 2.0  # Discord wants an answer within 3 s; past 2 s we defer first
MAX_RATELIMIT_WAIT = 30.0  # discord.py waits out shorter 429s itself; longer ones come back to us
SEND_INTERVAL_SECONDS = 1.0  # Discord allows about 5 messages per 5 s in one channel
IDENTIFY_WINDOW_SECONDS = 5.0  # one IDENTIFY per 5 s per max_concurrency bucket
API_VERSION = 10

# JSON error codes after which sending to the same target again cannot succeed.
# https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
UNKNOWN_CHANNEL = 10003
PERMANENT_CODES = {
    10003: "Unknown Channel",
    10004: "Unknown Guild",
    10013: "Unknown User",
    50001: "Missing Access",
    50007: "Cannot send messages to this user",
    50013: "Missing Permissions",
}

_VERSIONED = re.compile(r"/api/v\d+$")
# discord.py waits out short 429s inside its HTTP client and says so only in this log line.
_WAITED_OUT = "We are being rate limited. %s %s responded with 429. Retrying in %.2f seconds."


class _CountRateLimitWaits(logging.Filter):
    """Reports the 429s discord.py waits out itself to the metrics; lets every record pass."""

    def __init__(self, commands: Commands) -> None:
        super().__init__()
        self._commands = commands

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == _WAITED_OUT and isinstance(record.args, tuple) and len(record.args) == 3:
            seconds = record.args[2]
            if isinstance(seconds, int | float):
                self._commands.metrics.rate_limit_wait(PLATFORM, float(seconds))
        return True


def rest_base(api_url: str) -> str:
    """'http://host:port' or 'http://host:port/api/v10' -> the versioned REST root."""
    root = api_url.rstrip("/")
    if _VERSIONED.search(root):
        return root
    if root.endswith("/api"):
        return f"{root}/v{API_VERSION}"
    return f"{root}/api/v{API_VERSION}"


class _Client(discord.AutoShardedClient):
    """discord.py's sharded client, its events handed to the adapter."""

    def __init__(self, adapter: DiscordAdapter, *, shard_count: int | None) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # interactions need no intent; guilds keeps the channel cache
        super().__init__(
            intents=intents,
            shard_count=shard_count,
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
            allowed_mentions=discord.AllowedMentions.none(),
            chunk_guilds_at_startup=False,
        )
        self._adapter = adapter
        self.max_concurrency = 1  # from /gateway/bot in setup_hook
        self._identified: dict[int, float] = {}
        self._identify_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def setup_hook(self) -> None:
        await self._adapter._setup(self)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py's default sleeps 5 s before every shard but the first; Discord allows
        # max_concurrency shards (those with different shard_id % max_concurrency) at once.
        bucket = (shard_id or 0) % max(1, self.max_concurrency)
        async with self._identify_locks[bucket]:
            loop = asyncio.get_running_loop()
            last = self._identified.get(bucket)
            if last is not None:
                wait = IDENTIFY_WINDOW_SECONDS - (loop.time() - last)
                if wait > 0:
                    await asyncio.sleep(wait)
            self._identified[bucket] = loop.time()

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        await self._adapter._on_interaction(interaction)

    async def on_shard_connect(self, shard_id: int) -> None:
        self._adapter._ready_shards.add(shard_id)

    async def on_shard_resumed(self, shard_id: int) -> None:
        self._adapter._ready_shards.add(shard_id)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        self._adapter._ready_shards.discard(shard_id)


class DiscordAdapter(Adapter):
    platform = PLATFORM

    def __init__(
        self,
        *,
        token: str,
        guild_id: str | None = None,
        shards: int | None = None,
        api_url: str | None = None,
        application_id: str | None = None,
    ) -> None:
        if not token.strip():
            raise ValueError("a Discord bot token is required")
        self._token = token.strip()
        self._guild_id = guild_id or None
        self._shards = shards
        self._api_url = api_url
        self._application_id = application_id
        self.defer_after = DEFER_AFTER_SECONDS
        self._client: _Client | None = None
        self._commands: Commands | None = None
        self._gateway_task: asyncio.Task[None] | None = None
        self._ready_shards: set[int] = set()
        self._dm_channels: dict[str, str] = {}  # user id -> DM channel id
        self._saved_base: str | None = None
        self._saved_gateway: yarl.URL | None = None
        self._rate_limit_counter: _CountRateLimitWaits | None = None

    def __repr__(self) -> str:  # never the token
        return f"DiscordAdapter(guild_id={self._guild_id!r}, shards={self._shards!r})"

    # lifecycle

    @property
    def connected(self) -> bool:
        client = self._client
        if client is None or client.is_closed() or client.shard_count is None:
            return False
        return len(self._ready_shards) >= client.shard_count

    @property
    def application_id(self) -> str | None:
        if self._application_id:
            return self._application_id
        client = self._client
        return str(client.application_id) if client and client.application_id else None

    def min_send_interval(self, target: Target) -> float:
        return SEND_INTERVAL_SECONDS

    async def start(self, commands: Commands) -> None:
        """Log in (checks the token), sync the commands, then hold the gateway in a task."""
        if self._client is not None:
            return
        self._commands = commands
        self._rate_limit_counter = _CountRateLimitWaits(commands)
        logging.getLogger("discord.http").addFilter(self._rate_limit_counter)
        if self._api_url:
            # Route.BASE is a class attribute: process-wide. One Discord per process is what
            # a bot runs; tests point it at their local fake and stop() puts it back.
            self._saved_base = Route.BASE
            Route.BASE = rest_base(self._api_url)
        # The bot has no voice: spare the log the two warnings about voice libraries.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        client = _Client(self, shard_count=self._shards)
        self._client = client
        try:
            await client.login(self._token)
        except BaseException:
            await self.stop()
            raise
        self._gateway_task = asyncio.create_task(self._hold_gateway(client), name="discord")

    async def _hold_gateway(self, client: _Client) -> None:
        try:
            await client.connect(reconnect=True)
        except asyncio.CancelledError:
            raise
        except Exception:
            _LOGGER.exception("the Discord gateway connection ended; the bot is offline")

    async def _setup(self, client: _Client) -> None:
        """After login, before the gateway: the commands, and what /gateway/bot says."""
        assert self._commands is not None
        application_id = self._application_id or str(client.application_id)
        payload = application_commands(self._commands.registry)
        if self._guild_id:
            await client.http.bulk_upsert_guild_commands(application_id, self._guild_id, payload)
            where = f"guild {self._guild_id}"
        else:
            await client.http.bulk_upsert_global_commands(application_id, payload)
            where = "all guilds (Discord may take up to an hour to show changes)"
        _LOGGER.info("synced %d Discord commands to %s", len(payload), where)
        _, url, limits = await client.http.get_bot_gateway()
        client.max_concurrency = int(limits.get("max_concurrency", 1) or 1)
        if self._api_url:
            # With a fixed shard count discord.py connects to its built-in gateway address;
            # a non-default API must bring its own gateway, the one /gateway/bot names.
            self._saved_gateway = DiscordWebSocket.DEFAULT_GATEWAY
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    async def stop(self) -> None:
        if self._rate_limit_counter is not None:
            logging.getLogger("discord.http").removeFilter(self._rate_limit_counter)
            self._rate_limit_counter = None
        client, self._client = self._client, None
        if client is not None:
            await client.close()
        task, self._gateway_task = self._gateway_task, None
        if task is not None:
            try:
                await asyncio.wait_for(task, timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
        self._ready_shards.clear()
        if self._saved_base is not None:
            Route.BASE, self._saved_base = self._saved_base, None
        if self._saved_gateway is not None:
            DiscordWebSocket.DEFAULT_GATEWAY, self._saved_gateway = self._saved_gateway, None

    # interactions

    async def _on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        commands = self._commands
        if commands is None:
            return
        data = cast(Mapping[str, Any], interaction.data or {})
        try:
            if interaction.type is discord.InteractionType.autocomplete:
                await self._autocomplete(interaction, commands, read_call(data))
            elif interaction.type is discord.InteractionType.application_command:
                await self._command(interaction, commands, read_call(data))
        except discord.HTTPException as exc:
            # Usually the 3 s passed (10062 Unknown interaction): nothing left to answer.
            _LOGGER.warning(
                "could not answer Discord interaction %s (/%s): %s",
                interaction.id,
                data.get("name"),
                exc,
            )

    async def _autocomplete(
        self, interaction: discord.Interaction[Any], commands: Commands, call: CommandCall
    ) -> None:
        option = option_spec(commands.registry, call)
        choices = []
        if option is not None and option.type is OptionType.FILM:
            titles = commands.services.films.titles
            choices = [
                app_commands.Choice(name=choice["name"], value=choice["value"])
                for choice in film_choices(titles, call.focused_value)
            ]
        await interaction.response.autocomplete(choices)

    async def _command(
        self, interaction: discord.Interaction[Any], commands: Commands, call: CommandCall
    ) -> None:
        guild_id = interaction.guild_id
        asked = invocation(
            call,
            guild_id=guild_id,
            channel_id=interaction.channel_id,
            user_id=interaction.user.id,
            user_name=interaction.user.name,
            permissions=interaction.permissions.value if guild_id is not None else 0,
        )
        running = asyncio.ensure_future(commands.dispatch(asked))
        try:
            reply = await asyncio.wait_for(asyncio.shield(running), self.defer_after)
        except TimeoutError:
            # Too slow for the 3 s deadline: acknowledge now, answer within 15 minutes. The
            # deferral must pick its visibility before the reply exists: private, the default.
            await interaction.response.defer(ephemeral=True, thinking=True)
            await self._follow_up(interaction, await running)
            return
        await interaction.response.send_message(
            embed=_embed(reply),
            ephemeral=reply.visibility is Visibility.PRIVATE,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def _follow_up(self, interaction: discord.Interaction[Any], reply: Reply) -> None:
        none = discord.AllowedMentions.none()
        if reply.visibility is Visibility.PRIVATE:
            # The first follow-up replaces the (private) "thinking" message.
            await interaction.followup.send(
                embed=_embed(reply), ephemeral=True, allowed_mentions=none
            )
            return
        # A public answer after a private deferral: end the thinking, post, tidy up.
        await interaction.edit_original_response(content="Posted in the channel.")
        await interaction.followup.send(embed=_embed(reply), allowed_mentions=none)
        with contextlib.suppress(discord.HTTPException):
            await interaction.delete_original_response()

    # delivery

    async def send(self, target: Target, message: Message, idempotency_key: str) -> str:
        client = self._client
        if client is None or client.is_closed():
            raise TransientFailure("the Discord adapter is not running")
        try:
            if target.channel:
                channel_id = target.channel
            elif target.user:
                channel_id = await self._dm_channel(client, target.user)
            else:
                raise PermanentFailure(f"{target.key} names neither a channel nor a user")
            data = await client.http.request(
                Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id),
                json=message_payload(message, idempotency_key),
            )
        except discord.RateLimited as exc:
            raise RateLimited(exc.retry_after, f"Discord rate limit for {target.key}") from exc
        except discord.HTTPException as exc:
            raise self._failure(target, exc) from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise TransientFailure(f"Discord unreachable: {type(exc).__name__}: {exc}") from exc
        return str(data["id"])

    async def _dm_channel(self, client: _Client, user_id: str) -> str:
        if not user_id.isdigit():
            raise PermanentFailure(f"{user_id!r} is not a Discord user id")
        channel_id = self._dm_channels.get(user_id)
        if channel_id is None:
            data = await client.http.start_private_message(int(user_id))
            channel_id = self._dm_channels[user_id] = str(data["id"])
        return channel_id

    def _failure(self, target: Target, exc: discord.HTTPException) -> Exception:
        said = f"Discord answered {exc.status} (code {exc.code}) for {target.key}: {exc.text[:200]}"
        if exc.status == 429:
            # A 429 discord.py did not handle itself (no Via header: Cloudflare's).
            return RateLimited(_retry_after(exc), said)
        if target.user and exc.code == UNKNOWN_CHANNEL:
            self._dm_channels.pop(target.user, None)  # a stale DM channel: open a new one
            return TransientFailure(said)
        if exc.code in PERMANENT_CODES or exc.status in (400, 403, 404):
            return PermanentFailure(said)
        return TransientFailure(said)


def _embed(reply: Reply) -> discord.Embed:
    return discord.Embed.from_dict(cast(Any, embed(reply.message, ok=reply.ok)))


def _retry_after(exc: discord.HTTPException) -> float:
    header = exc.response.headers.get("Retry-After") if exc.response is not None else None
    try:
        return max(0.0, float(header)) if header is not None else 5.0
    except ValueError:
        return 5.0


def build_discord_adapter(settings: Settings) -> DiscordAdapter:
    """The adapter from settings; DISCORD_TOKEN must be set."""
    if not settings.discord_token:
        raise ValueError("DISCORD_TOKEN is not set")
    return DiscordAdapter(
        token=settings.discord_token,
        guild_id=settings.discord_guild_id,
        shards=settings.discord_shards,
        api_url=settings.discord_api_url,
        application_id=settings.discord_application_id,
    )
