"""A local Discord for tests: the REST routes filmbot uses and a gateway websocket speaking
the real protocol (HELLO, IDENTIFY, heartbeat/ACK, READY, GUILD_CREATE, dispatches), with the
zlib-stream transport compression discord.py asks for. aiohttp on 127.0.0.1, a free port.

    async with FakeDiscord(guilds={GUILD: [CHANNEL]}) as fake:
        adapter = DiscordAdapter(token=fake.token, api_url=fake.url)
        ...
        callback = await fake.slash("when", {"film": "heat2"})
        assert callback["data"]["embeds"][0]["title"] == ...

Everything the bot sends is recorded (requests, commands, messages, callbacks, follow-ups,
identifies, heartbeats) for the tests to read. It answers like Discord where filmbot cares:
error JSON with codes, 429 with retry_after and the Via header discord.py checks, nonces
enforced for a few minutes (here: for the server's life).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

APP_ID = 424242424242424242
TOKEN = base64.b64encode(str(APP_ID).encode()).decode().rstrip("=") + ".GdZ4Tq.fake-secret"
# Guild ids are snowflakes: (id >> 22) % shard_count picks a guild's shard.
GUILD = 1000 << 22  # shard 0 of 2
OTHER_GUILD = (1001 << 22) + 7  # shard 1 of 2
CHANNEL = 5550001
OTHER_CHANNEL = 5550002
ADMIN_PERMISSIONS = (1 << 5) | (1 << 10) | (1 << 11)  # Manage Server, View, Send
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11)

_PUBLIC_ERRORS = {
    50001: (403, "Missing Access"),
    50007: (403, "Cannot send messages to this user"),
    50013: (403, "Missing Permissions"),
    10003: (404, "Unknown Channel"),
}


def _json(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json", no charset: discord.py decodes JSON only then, as Discord sends.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any


@dataclass
class _Connection:
    ws: web.WebSocketResponse
    compressor: Any  # zlib compressobj, one per connection, or None
    shard: tuple[int, int] = (0, 1)
    sequence: int = 0
    identified: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload)
        async with self.lock:
            if self.compressor is None:
                await self.ws.send_str(text)
                return
            data = self.compressor.compress(text.encode()) + self.compressor.flush(
                zlib.Z_SYNC_FLUSH
            )
            # Two frames: the client must buffer until the 00 00 ff ff suffix, as with Discord.
            half = len(data) // 2
            await self.ws.send_bytes(data[:half])
            await self.ws.send_bytes(data[half:])

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.sequence += 1
        await self.send({"op": 0, "t": event, "s": self.sequence, "d": data})


class FakeDiscord:
    def __init__(
        self,
        *,
        guilds: dict[int, list[int]] | None = None,
        shards: int = 1,
        max_concurrency: int = 16,
        heartbeat_interval_ms: int = 41250,
    ) -> None:
        self.token = TOKEN
        self.app_id = APP_ID
        self.guilds = guilds if guilds is not None else {GUILD: [CHANNEL, OTHER_CHANNEL]}
        self.shards = shards
        self.max_concurrency = max_concurrency
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.bot_user = {
            "id": str(APP_ID),
            "username": "filmbot",
            "discriminator": "0",
            "global_name": "filmbot",
            "avatar": None,
            "bot": True,
            "flags": 0,
        }
        self.requests: list[Request] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or a guild id
        self.messages: list[dict[str, Any]] = []  # created, in order
        self.message_posts = 0  # POSTs to /channels/{id}/messages, answered or not
        self.callbacks: dict[str, dict[str, Any]] = {}  # interaction id -> callback body
        self.followups: list[dict[str, Any]] = []
        self.original_edits: list[dict[str, Any]] = []
        self.original_deletes = 0
        self.identifies: list[dict[str, Any]] = []
        self.gateway_queries: list[dict[str, str]] = []
        self.heartbeats = 0
        self.dm_channels: dict[str, str] = {}  # user id -> DM channel id
        self.closed_dms: set[str] = set()  # users who do not accept DMs from the bot
        self.channel_errors: dict[str, int] = {}  # channel id -> JSON error code
        self.rate_limits: list[float] = []  # the next message posts answer 429 with these
        self._nonces: dict[str, dict[str, Any]] = {}
        self._connections: dict[int, _Connection] = {}
        self._ids = itertools.count(900_000_000_000_000_000)
        self._callback_events: dict[str, asyncio.Event] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # lifecycle

    async def start(self) -> None:
        app = web.Application()
        api = "/api/v10"
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get(f"{api}/users/@me", self._me)
        app.router.add_get(f"{api}/oauth2/applications/@me", self._application)
        app.router.add_get(f"{api}/gateway/bot", self._gateway_bot)
        app.router.add_put(f"{api}/applications/{{app}}/commands", self._bulk_global)
        app.router.add_put(
            f"{api}/applications/{{app}}/guilds/{{guild}}/commands", self._bulk_guild
        )
        app.router.add_post(f"{api}/interactions/{{id}}/{{token}}/callback", self._callback)
        app.router.add_post(f"{api}/webhooks/{{app}}/{{token}}", self._followup)
        original = f"{api}/webhooks/{{app}}/{{token}}/messages/@original"
        app.router.add_patch(original, self._edit_original)
        app.router.add_delete(original, self._delete_original)
        app.router.add_post(f"{api}/channels/{{channel}}/messages", self._post_message)
        app.router.add_post(f"{api}/users/@me/channels", self._open_dm)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        for connection in list(self._connections.values()):
            await connection.ws.close()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        assert self._port is not None, "FakeDiscord.start() was not called"
        return f"http://127.0.0.1:{self._port}"

    def requests_to(self, method: str, suffix: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path.endswith(suffix)]

    # what a test does as Discord or as its users

    def shard_of(self, guild_id: int) -> int:
        return (guild_id >> 22) % self.shards

    async def slash(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        subcommand: str | None = None,
        user: int = 7001,
        user_name: str = "ana",
        guild: int = GUILD,
        channel: int = CHANNEL,
        permissions: int = MEMBER_PERMISSIONS,
        focused: str | None = None,
        within: float = 10.0,
    ) -> dict[str, Any]:
        """A user runs /command (or types into an autocomplete option when focused is set);
        returns the body of the bot's interaction callback."""
        wire_options: list[dict[str, Any]] = [
            {
                "name": name,
                "type": 4 if isinstance(value, int) else 3,
                "value": value,
                **({"focused": True} if name == focused else {}),
            }
            for name, value in (options or {}).items()
        ]
        if subcommand is not None:
            wire_options = [{"name": subcommand, "type": 1, "options": wire_options}]
        interaction_id = str(next(self._ids))
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": str(self.app_id),
            "type": 4 if focused else 2,
            "data": {"id": "1", "name": command, "type": 1, "options": wire_options},
            "guild_id": str(guild),
            "guild_locale": "en-US",
            "channel_id": str(channel),
            "channel": self._channel(guild, channel),
            "member": {
                "user": {
                    "id": str(user),
                    "username": user_name,
                    "discriminator": "0",
                    "global_name": user_name.title(),
                    "avatar": None,
                },
                "roles": [],
                "joined_at": "2024-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": str(permissions),
            },
            "token": f"itoken-{interaction_id}",
            "version": 1,
            "app_permissions": str(MEMBER_PERMISSIONS),
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild)},
            "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
        }
        event = self._callback_events[interaction_id] = asyncio.Event()
        await self._connections[self.shard_of(guild)].dispatch("INTERACTION_CREATE", payload)
        await asyncio.wait_for(event.wait(), within)
        return self.callbacks[interaction_id]

    async def wait_until(self, condition: Callable[[], bool], within: float = 10.0) -> None:
        async with asyncio.timeout(within):
            while not condition():
                await asyncio.sleep(0.02)

    # REST

    async def _record(self, request: web.Request) -> Any:
        body = await request.read()
        data = json.loads(body) if body else None
        self.requests.append(
            Request(request.method, request.path, dict(request.query), dict(request.headers), data)
        )
        return data

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.token}"

    @staticmethod
    def _error(code: int, status: int | None = None, message: str | None = None) -> web.Response:
        default_status, default_message = _PUBLIC_ERRORS.get(code, (400, "Bad Request"))
        return _json(
            {"message": message or default_message, "code": code},
            status=status or default_status,
        )

    async def _me(self, request: web.Request) -> web.Response:
        await self._record(request)
        if not self._authorised(request):
            return self._error(0, 401, "401: Unauthorized")
        return _json(self.bot_user)

    async def _application(self, request: web.Request) -> web.Response:
        await self._record(request)
        if not self._authorised(request):
            return self._error(0, 401, "401: Unauthorized")
        return _json(
            {
                "id": str(self.app_id),
                "name": "filmbot",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.bot_user,
                "verify_key": "00",
                "flags": 0,
            }
        )

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        await self._record(request)
        return _json(
            {
                "url": f"ws://127.0.0.1:{self._port}/gateway",
                "shards": self.shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": self.max_concurrency,
                },
            }
        )

    async def _bulk_global(self, request: web.Request) -> web.Response:
        data = await self._record(request)
        self.commands["global"] = data
        return _json(self._registered(data))

    async def _bulk_guild(self, request: web.Request) -> web.Response:
        data = await self._record(request)
        self.commands[request.match_info["guild"]] = data
        return _json(self._registered(data))

    def _registered(self, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**command, "id": str(next(self._ids)), "application_id": str(self.app_id)}
            for command in commands
        ]

    async def _callback(self, request: web.Request) -> web.Response:
        data = await self._record(request)
        interaction_id = request.match_info["id"]
        if interaction_id in self.callbacks:
            return self._error(40060, 400, "Interaction has already been acknowledged.")
        self.callbacks[interaction_id] = data
        flags = (data.get("data") or {}).get("flags", 0)
        event = self._callback_events.get(interaction_id)
        if event is not None:
            event.set()
        return _json(
            {
                "interaction": {
                    "id": interaction_id,
                    "type": 2,
                    "response_message_loading": data["type"] == 5,
                    "response_message_ephemeral": bool(flags & 64),
                },
                "resource": {"type": data["type"]},
            }
        )

    async def _followup(self, request: web.Request) -> web.Response:
        data = await self._record(request)
        self.followups.append(data)
        return _json(self._message(str(CHANNEL), data))

    async def _edit_original(self, request: web.Request) -> web.Response:
        data = await self._record(request)
        self.original_edits.append(data)
        return _json(self._message(str(CHANNEL), data))

    async def _delete_original(self, request: web.Request) -> web.Response:
        await self._record(request)
        self.original_deletes += 1
        return web.Response(status=204)

    async def _open_dm(self, request: web.Request) -> web.Response:
        data = await self._record(request)
        if not self._authorised(request):
            return self._error(0, 401, "401: Unauthorized")
        user = str(data["recipient_id"])
        channel = self.dm_channels.setdefault(user, str(next(self._ids)))
        recipient = {"id": user, "username": f"user{user}", "discriminator": "0", "avatar": None}
        return _json({"id": channel, "type": 1, "recipients": [recipient], "last_message_id": None})

    async def _post_message(self, request: web.Request) -> web.Response:
        data = await self._record(request)
        self.message_posts += 1
        if not self._authorised(request):
            return self._error(0, 401, "401: Unauthorized")
        if self.rate_limits:
            retry_after = self.rate_limits.pop(0)
            return _json(
                {
                    "message": "You are being rate limited.",
                    "retry_after": retry_after,
                    "global": False,
                },
                status=429,
                headers={"Retry-After": str(int(retry_after) + 1), "Via": "1.1 google"},
            )
        channel = request.match_info["channel"]
        if channel in self.channel_errors:
            return self._error(self.channel_errors[channel])
        dm_users = {dm: user for user, dm in self.dm_channels.items()}
        guild_channels = {str(c) for channels in self.guilds.values() for c in channels}
        if channel in dm_users:
            if dm_users[channel] in self.closed_dms:
                return self._error(50007)
        elif channel not in guild_channels:
            return self._error(10003)
        nonce = data.get("nonce")
        if data.get("enforce_nonce") and nonce in self._nonces:
            return _json(self._nonces[nonce])  # the message already made
        message = self._message(channel, data)
        self.messages.append(message)
        if nonce is not None:
            self._nonces[nonce] = message
        return _json(message)

    def _message(self, channel: str, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(next(self._ids)),
            "channel_id": channel,
            "type": 0,
            "content": data.get("content", ""),
            "author": self.bot_user,
            "embeds": data.get("embeds", []),
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": _now(),
            "edited_timestamp": None,
            "flags": data.get("flags", 0),
            "components": [],
            "nonce": data.get("nonce"),
            "allowed_mentions": data.get("allowed_mentions"),
            "enforce_nonce": data.get("enforce_nonce"),
        }

    # gateway

    def _channel(self, guild: int, channel: int) -> dict[str, Any]:
        return {
            "id": str(channel),
            "type": 0,
            "guild_id": str(guild),
            "name": f"news-{channel}",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        }

    def _guild(self, guild: int) -> dict[str, Any]:
        return {
            "id": str(guild),
            "name": f"Guild {guild}",
            "unavailable": False,
            "owner_id": "1",
            "member_count": 3,
            "large": False,
            "features": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "roles": [
                {
                    "id": str(guild),
                    "name": "@everyone",
                    "permissions": str(MEMBER_PERMISSIONS),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": [self._channel(guild, c) for c in self.guilds[guild]],
            "threads": [],
            "members": [],
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        query = dict(request.query)
        self.gateway_queries.append(query)
        compress = query.get("compress")
        if compress not in (None, "zlib-stream"):
            await ws.close(code=4000, message=b"unknown compression")
            return ws
        connection = _Connection(ws, zlib.compressobj() if compress else None)
        await connection.send(
            {
                "op": 10,
                "s": None,
                "t": None,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms},
            }
        )
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            op, data = message.get("op"), message.get("d")
            if op == 1:
                self.heartbeats += 1
                await connection.send({"op": 11, "s": None, "t": None, "d": None})
            elif op == 2:
                await self._identify(connection, data)
            elif op == 6:
                await connection.dispatch("RESUMED", {})
        for shard, known in list(self._connections.items()):
            if known is connection:
                del self._connections[shard]
        return ws

    async def _identify(self, connection: _Connection, data: dict[str, Any]) -> None:
        self.identifies.append(data)
        if data.get("token") != self.token:
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard_id, shard_count = data.get("shard", [0, 1])
        if shard_count != self.shards:
            await connection.ws.close(code=4010, message=b"Invalid shard.")
            return
        connection.shard = (shard_id, shard_count)
        connection.identified = True
        self._connections[shard_id] = connection
        mine = [guild for guild in self.guilds if self.shard_of(guild) == shard_id]
        await connection.dispatch(
            "READY",
            {
                "v": 10,
                "user": self.bot_user,
                "guilds": [{"id": str(guild), "unavailable": True} for guild in mine],
                "session_id": f"session-{shard_id}",
                "resume_gateway_url": f"ws://127.0.0.1:{self._port}/gateway",
                "shard": [shard_id, shard_count],
                "application": {"id": str(self.app_id), "flags": 0},
            },
        )
        for guild in mine:
            await connection.dispatch("GUILD_CREATE", self._guild(guild))
