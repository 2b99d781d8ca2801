"""A local Slack for tests, speaking Slack's wire format on 127.0.0.1 and a free port.

- The Web API at `fake.url` (POST /api/<method>): auth.test, apps.connections.open,
  chat.postMessage, conversations.open and users.info answer with Slack-shaped JSON, check the
  bearer token (bot token; the app token for apps.connections.open) and, for chat.postMessage,
  Block Kit's limits. Every call is recorded in `fake.calls`. `fake.fail(...)` makes the next
  call(s) of a method answer 429 with Retry-After or an error code.
- response_url endpoints (`fake.response_url(name)`) record what the bot answers a command.
- A Socket Mode websocket (the URL apps.connections.open hands out): it sends `hello`, then
  whatever envelopes a test pushes with `send_envelope`, and records the acks in `fake.acks`.

Signing helpers build the headers Slack puts on HTTP-mode requests.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from adapters.slack import SlackAdapter
from bot.app import App
from tests.harness import local_feed_settings

BOT_TOKEN = "xoxb-1111-2222-fakebottoken"
APP_TOKEN = "xapp-1-A0FILM-3333-fakeapptoken"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T0FILM"
BOT_USER = "U0BOT"
APP_ID = "A0FILM"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str
    content_type: str
    answer: dict[str, Any] = field(default_factory=dict)  # the JSON the fake answered


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: float | None
    times: int


@dataclass
class FakeSlack:
    admins: set[str] = field(default_factory=set)  # users.info says is_admin
    owners: set[str] = field(default_factory=set)  # users.info says is_owner
    calls: list[Call] = field(default_factory=list)
    responses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    socket_connections: int = 0

    def __post_init__(self) -> None:
        self._failures: dict[str, list[_Failure]] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._ts = itertools.count(1)

    # lifecycle

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for socket in self._sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def url(self) -> str:
        """The Web API base URL (SLACK_API_URL)."""
        return f"{self.base}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base}/respond/{name}"

    # what tests arrange and read

    def fail(
        self,
        method: str,
        error: str = "",
        *,
        status: int = 200,
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls of `method` fail: 429 with Retry-After, or ok=false `error`."""
        if status == 429 and not error:
            error = "ratelimited"
        self._failures.setdefault(method, []).append(_Failure(status, error, retry_after, times))

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def posts(self) -> list[dict[str, Any]]:
        """What chat.postMessage accepted (failed calls excluded)."""
        return [call.params for call in self.calls_to("chat.postMessage") if call.answer.get("ok")]

    def responses_to(self, name: str) -> list[dict[str, Any]]:
        return [payload for to, payload in self.responses if to == name]

    async def wait_for(self, condition: Callable[[], object], within: float = 5.0) -> None:
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("the fake Slack did not see what the test waited for")
            await asyncio.sleep(0.01)

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Push a Socket Mode envelope down the newest websocket."""
        await self.wait_for(lambda: self._sockets)
        await self._sockets[-1].send_str(json.dumps(envelope))

    # the wire

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST":
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(await request.post())
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        call = Call(method, params, token, request.content_type)
        self.calls.append(call)
        if token != expected:
            call.answer = {"ok": False, "error": "invalid_auth"}
            return web.json_response(call.answer)
        queued = self._failures.get(method)
        if queued:
            failure = queued[0]
            failure.times -= 1
            if failure.times <= 0:
                queued.pop(0)
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = f"{failure.retry_after:g}"
            call.answer = {"ok": False, "error": failure.error}
            if failure.status >= 500 and not failure.error:
                return web.Response(status=failure.status, text="<html>upstream error</html>")
            return web.json_response(call.answer, status=failure.status, headers=headers)
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            call.answer = {"ok": False, "error": "unknown_method"}
            return web.json_response(call.answer)
        call.answer = handler(params)
        return web.json_response(call.answer)

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://filmclub.slack.com/",
            "team": "Film Club",
            "user": "filmbot",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": "B0BOT",
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self._port}/link?ticket=t-{next(self._ts)}"}

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = str(params.get("users", ""))
        if not users or "," in users:
            return {"ok": False, "error": "user_not_found" if not users else "not_implemented"}
        return {"ok": True, "channel": {"id": "D" + users}}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("user", ""))
        return {
            "ok": True,
            "user": {
                "id": user,
                "team_id": TEAM,
                "name": user.lower(),
                "is_admin": user in self.admins or user in self.owners,
                "is_owner": user in self.owners,
                "is_bot": False,
            },
        }

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        blocks = params.get("blocks")
        if isinstance(blocks, str):  # form-encoded callers send blocks as a JSON string
            blocks = json.loads(blocks)
        if not params.get("text") and not blocks:
            return {"ok": False, "error": "no_text"}
        problem = block_kit_problem(blocks or [])
        if problem:
            return {"ok": False, "error": "invalid_blocks", "errors": [problem]}
        ts = f"{1765000000 + next(self._ts)}.000100"
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "message": {"type": "message", "text": params.get("text"), "ts": ts},
        }

    async def _respond(self, request: web.Request) -> web.Response:
        payload = await request.json()
        self.responses.append((request.match_info["name"], payload))
        problem = block_kit_problem(payload.get("blocks") or [])
        if problem:
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        self.socket_connections += 1
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
                "connection_info": {"app_id": APP_ID},
            }
        )
        async for message in socket:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.acks.append(json.loads(message.data))
        return socket


def block_kit_problem(blocks: list[dict[str, Any]]) -> str | None:
    """What Slack would call invalid_blocks in our kinds of blocks, or None."""
    if len(blocks) > 50:
        return f"{len(blocks)} blocks; at most 50"
    for index, block in enumerate(blocks):
        kind = block.get("type")
        text = block.get("text") or {}
        if kind == "header":
            if text.get("type") != "plain_text" or not 1 <= len(text.get("text", "")) <= 150:
                return f"blocks[{index}]: header text must be plain_text of 1-150 characters"
        elif kind == "section":
            if text and not 1 <= len(text.get("text", "")) <= 3000:
                return f"blocks[{index}]: section text must be 1-3000 characters"
            fields = block.get("fields") or []
            if len(fields) > 10 or any(len(f.get("text", "")) > 2000 for f in fields):
                return f"blocks[{index}]: at most 10 fields of 2000 characters"
            if not text and not fields:
                return f"blocks[{index}]: a section needs text or fields"
        elif kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 10:
                return f"blocks[{index}]: context takes 1-10 elements"
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 25:
                return f"blocks[{index}]: actions take 1-25 elements"
            for element in elements:
                if len(element.get("text", {}).get("text", "")) > 75:
                    return f"blocks[{index}]: button text over 75 characters"
                if len(element.get("url", "")) > 3000:
                    return f"blocks[{index}]: button url over 3000 characters"
        else:
            return f"blocks[{index}]: unexpected block type {kind!r}"
    return None


# HTTP mode: requests signed as Slack signs them


def sign(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """The headers Slack sends: v0=HMAC-SHA256(secret, 'v0:{timestamp}:{body}')."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def slash_command(
    fake: FakeSlack,
    command: str,
    text: str = "",
    *,
    user: str = "U0ANA",
    channel: str = "C0NEWS",
    respond_to: str = "r1",
) -> dict[str, str]:
    """The fields of a slash-command payload, as Slack sends them."""
    return {
        "token": "verification-token-unused",
        "team_id": TEAM,
        "team_domain": "filmclub",
        "channel_id": channel,
        "channel_name": "news",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": fake.response_url(respond_to),
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }


async def post_signed(
    adapter: SlackAdapter,
    body: str,
    headers: dict[str, str],
    *,
    content_type: str = "application/x-www-form-urlencoded",
) -> tuple[int, str, float]:
    """POST to the adapter's /slack/events; (status, body, seconds it took)."""
    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"http://127.0.0.1:{adapter.port}/slack/events",
            data=body.encode(),
            headers={**headers, "Content-Type": content_type},
        ) as response:
            return response.status, await response.text(), time.monotonic() - started


async def run_command(
    adapter: SlackAdapter,
    fake: FakeSlack,
    command: str,
    text: str = "",
    **who: str,
) -> dict[str, Any]:
    """Type a slash command in Slack (HTTP mode): signed POST, then the reply at response_url."""
    name = f"{command.strip('/')}-{len(fake.responses)}-{time.monotonic_ns()}"
    body = urlencode(slash_command(fake, command, text, respond_to=name, **who))
    status, _, _ = await post_signed(adapter, body, sign(body))
    assert status == 200
    await fake.wait_for(lambda: fake.responses_to(name))
    return fake.responses_to(name)[0]


@asynccontextmanager
async def slack_bot(
    tmp_path: Path,
    feed_url: str,
    fake: FakeSlack,
    *,
    mode: str = "http",
    admin_users: Iterable[str] = (),
    clock: Callable[[], Any] | None = None,
) -> AsyncIterator[tuple[App, SlackAdapter]]:
    """The whole bot (App over a local feed and a real SQLite file) with the Slack adapter
    pointed at the fake; commands answered, delivery driven by the test."""
    adapter = SlackAdapter(
        bot_token=BOT_TOKEN,
        app_token=APP_TOKEN if mode == "socket" else None,
        signing_secret=SIGNING_SECRET if mode == "http" else None,
        api_url=fake.url,
        http_port=0,
        http_host="127.0.0.1",
        admin_users=admin_users,
    )
    settings = local_feed_settings(tmp_path, feed_url)
    app = App(settings, [adapter], clock=clock) if clock else App(settings, [adapter])
    await app.open()
    await adapter.start(app.commands)
    try:
        yield app, adapter
    finally:
        await adapter.stop()
        await app.close()
