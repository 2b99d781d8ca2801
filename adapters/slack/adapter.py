"""The Slack adapter: slash commands in, Block Kit out, on slack-bolt's AsyncApp.

Two ways to connect, chosen by the tokens given:

- Socket Mode (SLACK_APP_TOKEN): the bot dials out to Slack over a websocket; no public URL.
- HTTP mode (SLACK_SIGNING_SECRET): Slack POSTs commands and interactivity to
  http://host:SLACK_HTTP_PORT/slack/events; Bolt checks every request's signature and its
  5-minute timestamp window and answers 401 to anything forged or replayed.

Every registry command is a slash command. The adapter acknowledges at once (Slack allows
3 s), runs the command through the core's dispatcher and posts the reply to the command's
response_url: ephemeral for one person, in the channel for everyone. Announcements and
follower DMs go out through chat.postMessage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Coroutine, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import message_payload, reply_payload
from bot.commands.dispatch import Commands
from bot.commands.registry import Registry
from bot.delivery import Adapter, PermanentFailure, RateLimited, TransientFailure
from bot.models import Invocation, Message, Target

if TYPE_CHECKING:
    from bot.config import Settings

_LOGGER = logging.getLogger(__name__)

PLATFORM = "slack"
EVENTS_PATH = "/slack/events"  # commands, events and interactivity alike, as Bolt does
API_TIMEOUT_SECONDS = 10
CONNECT_WAIT_SECONDS = 10.0  # how long start() waits for the first Socket Mode session
ADMIN_CACHE_SECONDS = 300.0  # how long a users.info answer about admin rights is trusted
SEND_INTERVAL_SECONDS = 1.0  # Slack allows about one message a second per channel
STOP_WAIT_SECONDS = 5.0  # replies still being written get this long at shutdown
DEFAULT_RETRY_AFTER = 1.0

# Errors after which sending the same message to the same place can never succeed.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "account_inactive",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "team_access_not_granted",
        "ekm_access_denied",
        "messages_tab_disabled",
    }
)
# Errors that mean the bot's own token or scopes are wrong: the operator must fix the app,
# not the channel. Such sends stay transient (retried with backoff) so that one bad token
# does not disable every announcing channel.
AUTH_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "missing_scope"}
)
_HINTS = {
    "not_in_channel": ": invite the bot to the channel (/invite @filmbot)",
    "channel_not_found": ": the channel was deleted, or the bot cannot see it",
    "is_archived": ": the channel is archived",
    "account_inactive": ": the account was deactivated",
}


class SlackSetupError(RuntimeError):
    """Slack refused the configuration (a wrong token, a port in use): the message says the fix."""


class _RedactTokens(logging.Filter):
    """Keeps Slack tokens out of log lines, whatever a library puts in them."""

    _TOKEN = re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+")

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report
            return True
        redacted = self._TOKEN.sub("[redacted token]", text)
        if redacted != text:
            record.msg, record.args = redacted, None
        return True


def _library_logger() -> logging.Logger:
    """The base logger handed to Bolt and slack_sdk; Bolt copies its filters to its own."""
    logger = logging.getLogger(f"{__name__}.bolt")
    if not any(isinstance(f, _RedactTokens) for f in logger.filters):
        logger.addFilter(_RedactTokens())
    return logger


def _retry_after(headers: Mapping[str, Any] | None) -> float:
    for key, value in (headers or {}).items():
        if str(key).lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                break
    return DEFAULT_RETRY_AFTER


def _error_of(exc: SlackApiError) -> tuple[int, str, Mapping[str, Any] | None]:
    """(HTTP status, Slack's error code, headers) of a failed call, whatever shape it came in."""
    response = exc.response
    status = getattr(response, "status_code", None) or getattr(response, "status", 0) or 0
    data = getattr(response, "data", None)
    error = str(data.get("error") or "") if isinstance(data, dict) else ""
    return int(status), error, getattr(response, "headers", None)


class SlackAdapter(Adapter):
    platform = PLATFORM

    def __init__(
        self,
        *,
        bot_token: str,
        app_token: str | None = None,
        signing_secret: str | None = None,
        api_url: str = "https://slack.com/api/",
        http_port: int = 3000,
        http_host: str = "0.0.0.0",
        admin_users: Iterable[str] = (),
    ) -> None:
        if not bot_token:
            raise ValueError(
                "Slack needs SLACK_BOT_TOKEN: the Bot User OAuth Token (xoxb-...) from your "
                "Slack app's OAuth & Permissions page. See docs/slack.md."
            )
        if app_token:
            self.mode = "socket"
        elif signing_secret:
            self.mode = "http"
        else:
            raise ValueError(
                "Slack needs SLACK_APP_TOKEN (xapp-..., for Socket Mode: no public URL) or "
                "SLACK_SIGNING_SECRET (for HTTP mode behind a public URL) besides "
                "SLACK_BOT_TOKEN. See docs/slack.md."
            )
        # Tokens live in private attributes only; nothing here prints them.
        self._bot_token = bot_token
        self._app_token = app_token
        self._signing_secret = signing_secret
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self.http_port = http_port
        self.http_host = http_host
        self.admin_users = frozenset(admin_users)
        self.team_id = ""  # from auth.test at start
        self.bot_user_id = ""
        self._commands: Commands | None = None
        self._client: AsyncWebClient | None = None
        self._bolt: AsyncApp | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._connect_task: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._admin_cache: dict[str, tuple[bool, float]] = {}
        self._dm_channels: dict[str, str] = {}  # user id -> the bot's DM channel with them
        # (method, channel or "") -> loop time until which Slack asked us to wait
        self._blocked: dict[tuple[str, str], float] = {}

    def __repr__(self) -> str:
        return f"SlackAdapter(mode={self.mode!r}, api_url={self.api_url!r})"

    # lifecycle

    @property
    def connected(self) -> bool:
        if self.mode == "socket":
            client = self._socket.client if self._socket is not None else None
            if client is None or client.closed or client.stale:
                return False
            session = client.current_session
            return session is not None and not session.closed
        return self._runner is not None and self._bound_port is not None

    @property
    def port(self) -> int | None:
        """The port HTTP mode listens on (the real one when http_port was 0); None otherwise."""
        return self._bound_port

    async def start(self, commands: Commands) -> None:
        self._commands = commands
        logger = _library_logger()
        # No automatic retries: a retried chat.postMessage after a dropped connection could
        # post twice; the deliverer retries with backoff instead.
        self._client = AsyncWebClient(
            token=self._bot_token,
            base_url=self.api_url,
            timeout=API_TIMEOUT_SECONDS,
            logger=logger,
            retry_handlers=[],
        )
        await self._identify()
        self._bolt = AsyncApp(
            name="filmbot",
            client=self._client,
            signing_secret=self._signing_secret if self.mode == "http" else None,
            # Socket Mode envelopes come over our own authenticated websocket: nothing to sign.
            request_verification_enabled=self.mode == "http",
            logger=logger,
        )
        register_listeners(self._bolt, commands.registry, self)
        if self.mode == "socket":
            await self._start_socket_mode(self._bolt, logger)
        else:
            await self._start_http(self._bolt)

    async def _identify(self) -> None:
        """auth.test: fail at start on a wrong bot token, learn the workspace and bot user."""
        assert self._client is not None
        try:
            data = await self._client.auth_test()
        except SlackApiError as exc:
            _, error, _ = _error_of(exc)
            if error in AUTH_ERRORS or error == "account_inactive":
                raise SlackSetupError(
                    f"Slack refused SLACK_BOT_TOKEN ({error}). Copy the Bot User OAuth Token "
                    "(xoxb-...) from your app's OAuth & Permissions page into .env."
                ) from exc
            _LOGGER.warning("Slack auth.test failed (%s); going on", error or exc)
            return
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            _LOGGER.warning("cannot reach Slack at %s (%s); going on", self.api_url, exc)
            return
        self.team_id = str(data.get("team_id") or "")
        self.bot_user_id = str(data.get("user_id") or "")
        _LOGGER.info("Slack: connected as %s in workspace %s", self.bot_user_id, self.team_id)

    async def _start_socket_mode(self, app: AsyncApp, logger: logging.Logger) -> None:
        assert self._client is not None and self._app_token
        handler = AsyncSocketModeHandler(
            app, self._app_token, logger=logger, web_client=self._client
        )
        self._socket = handler
        # The first websocket URL is fetched here rather than by the SDK, which would retry
        # a wrong app token forever: a wrong token fails start with the fix in the message.
        try:
            opened = await self._client.apps_connections_open(app_token=self._app_token)
            handler.client.wss_uri = str(opened["url"])
        except SlackApiError as exc:
            _, error, _ = _error_of(exc)
            if error in AUTH_ERRORS or error in ("not_allowed_token_type", "account_inactive"):
                await self.stop()
                raise SlackSetupError(
                    f"Slack refused SLACK_APP_TOKEN ({error}). Create an app-level token with "
                    "the connections:write scope (Basic Information > App-Level Tokens) and "
                    "make sure Socket Mode is on."
                ) from exc
            _LOGGER.warning("Slack apps.connections.open failed (%s); retrying", error or exc)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            _LOGGER.warning("cannot reach Slack for Socket Mode (%s); retrying", exc)
        # The SDK's connect() retries until it has a session, then reconnects on its own.
        self._connect_task = asyncio.create_task(
            handler.connect_async(),  # type: ignore[no-untyped-call]
            name="slack-connect",
        )
        await asyncio.wait({self._connect_task}, timeout=CONNECT_WAIT_SECONDS)
        if not self.connected:
            _LOGGER.warning("Slack Socket Mode is not connected yet; still trying")

    async def _start_http(self, app: AsyncApp) -> None:
        async def handle(request: web.Request) -> web.Response:
            # Bolt verifies the signature and timestamp and answers 401 itself.
            response = await app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(response)

        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, handle)
        runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.http_host, self.http_port).start()
        except OSError as exc:
            await runner.cleanup()
            raise SlackSetupError(
                f"cannot listen on {self.http_host}:{self.http_port} for Slack ({exc}); "
                "set SLACK_HTTP_PORT to a free port."
            ) from exc
        self._runner = runner
        self._bound_port = int(runner.addresses[0][1])
        _LOGGER.info("Slack HTTP mode: listening on port %d at %s", self._bound_port, EVENTS_PATH)

    async def stop(self) -> None:
        if self._connect_task is not None:
            self._connect_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._connect_task
            self._connect_task = None
        if self._socket is not None:
            socket, self._socket = self._socket, None
            try:
                await socket.close_async()  # type: ignore[no-untyped-call]
            except Exception:
                _LOGGER.exception("Slack Socket Mode did not close cleanly")
        if self._runner is not None:
            runner, self._runner = self._runner, None
            self._bound_port = None
            await runner.cleanup()
        if self._tasks:
            # Let replies being written finish; a command's response_url lives 30 minutes,
            # but shutdown should not wait that long.
            _, pending = await asyncio.wait(set(self._tasks), timeout=STOP_WAIT_SECONDS)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        self._bolt = None

    # commands

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run a command's slow part after its ack, keeping a reference until it ends."""
        task = asyncio.create_task(work, name="slack-command")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def answer(self, command: Mapping[str, Any], respond: AsyncRespond) -> None:
        """Dispatch one slash command and post its reply to the command's response_url."""
        if self._commands is None:
            return
        invocation = await self.invocation(command)
        reply = await self._commands.dispatch(invocation)
        try:
            response = await respond(**reply_payload(reply))
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            _LOGGER.warning("Slack: could not answer /%s: %s", invocation.command, exc)
            return
        except Exception:  # this runs in its own task: nobody else would see the error
            _LOGGER.exception("Slack: answering /%s failed", invocation.command)
            return
        if response.status_code != 200:
            _LOGGER.warning(
                "Slack refused the answer to /%s: HTTP %s %s",
                invocation.command,
                response.status_code,
                (response.body or "")[:200],
            )

    async def invocation(self, command: Mapping[str, Any]) -> Invocation:
        """A slash-command payload as the core's Invocation."""
        user = str(command.get("user_id") or "")
        return Invocation(
            command=str(command.get("command") or "").lstrip("/"),
            text=str(command.get("text") or "").strip(),
            user=user,
            user_name=str(command.get("user_name") or user),
            target=Target(
                platform=PLATFORM,
                place=str(command.get("team_id") or self.team_id),
                channel=str(command.get("channel_id") or ""),
            ),
            can_manage=await self.can_manage(user),
        )

    async def can_manage(self, user: str) -> bool:
        """Admin commands: a configured admin, or a workspace admin or owner per users.info."""
        if not user:
            return False
        if user in self.admin_users:
            return True
        now = asyncio.get_running_loop().time()
        cached = self._admin_cache.get(user)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            data = await self._call("users.info", "", user=user)
        except (PermanentFailure, RateLimited, TransientFailure) as exc:
            _LOGGER.warning("Slack: cannot tell whether %s is an admin: %s", user, exc)
            return False
        info = data.get("user") or {}
        admin = bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))
        self._admin_cache[user] = (admin, now + ADMIN_CACHE_SECONDS)
        return admin

    # delivery

    def min_send_interval(self, target: Target) -> float:
        return SEND_INTERVAL_SECONDS

    async def send(self, target: Target, message: Message, idempotency_key: str) -> str:
        if target.user:
            channel = await self._dm_channel(target.user)
        elif target.channel:
            channel = target.channel
        else:
            raise PermanentFailure(f"Slack target {target.key} names neither channel nor user")
        # Slack's chat.postMessage takes no idempotency key or nonce (Discord has
        # enforce_nonce): the outbox's unique key already prevents sending a row twice,
        # except after a crash between this POST and the commit that marks the row sent.
        try:
            data = await self._call(
                "chat.postMessage",
                channel,
                channel=channel,
                unfurl_links=False,
                unfurl_media=False,
                **message_payload(message),
            )
        except PermanentFailure:
            if target.user:
                self._dm_channels.pop(target.user, None)  # open a fresh DM next time
            raise
        return f"{data.get('channel') or channel}/{data.get('ts') or ''}"

    async def _dm_channel(self, user: str) -> str:
        channel = self._dm_channels.get(user)
        if channel is None:
            data = await self._call("conversations.open", "", users=user)
            channel = str((data.get("channel") or {}).get("id") or "")
            if not channel:
                raise TransientFailure(f"Slack conversations.open gave no channel for {user}")
            self._dm_channels[user] = channel
        return channel

    async def _call(self, method: str, scope: str, **kwargs: Any) -> Mapping[str, Any]:
        """One Web API call with Slack's failures as delivery errors. `scope` is what a 429
        holds back: the channel for chat.postMessage, "" (the whole method) otherwise."""
        if self._client is None:
            raise TransientFailure("the Slack adapter is not started")
        now = asyncio.get_running_loop().time()
        until = self._blocked.get((method, scope), 0.0)
        if until > now:
            raise RateLimited(
                until - now, f"Slack {method} is rate limited for {until - now:.1f} s"
            )
        call: Awaitable[Any] = getattr(self._client, method.replace(".", "_"))(**kwargs)
        try:
            response = await call
        except SlackApiError as exc:
            raise self._failure(method, scope, exc) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TransientFailure(f"Slack {method}: {type(exc).__name__}: {exc}") from exc
        data = response.data
        return data if isinstance(data, dict) else {}

    def _failure(
        self, method: str, scope: str, exc: SlackApiError
    ) -> RateLimited | PermanentFailure | TransientFailure:
        status, error, headers = _error_of(exc)
        if status == 429 or error == "ratelimited":
            retry_after = _retry_after(headers)
            self._blocked[(method, scope)] = asyncio.get_running_loop().time() + retry_after
            where = f" in {scope}" if scope else ""
            return RateLimited(retry_after, f"Slack {method} rate limited{where}")
        if error in PERMANENT_ERRORS:
            return PermanentFailure(f"Slack {method}: {error}{_HINTS.get(error, '')}")
        if error in AUTH_ERRORS:
            _LOGGER.error("Slack refused the bot's token for %s: %s", method, error)
        return TransientFailure(f"Slack {method}: {error or f'HTTP {status}'}")


def register_listeners(app: AsyncApp, registry: Registry, adapter: SlackAdapter) -> None:
    """Every registry command as a slash command, and a no-op ack for our link buttons."""

    async def on_command(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()  # at once: Slack gives up after 3 s; the reply follows via response_url
        adapter.spawn(adapter.answer(command, respond))

    async def on_link(ack: AsyncAck) -> None:
        await ack()  # the browser opens the link; Slack only wants to hear we saw the click

    for spec in registry:
        app.command(f"/{spec.name}")(on_command)
    app.action(re.compile(r"^filmbot_link_"))(on_link)


def build_slack_adapter(settings: Settings) -> SlackAdapter:
    """The adapter from settings (SLACK_BOT_TOKEN and SLACK_APP_TOKEN or SLACK_SIGNING_SECRET)."""
    return SlackAdapter(
        bot_token=settings.slack_bot_token or "",
        app_token=settings.slack_app_token,
        signing_secret=settings.slack_signing_secret,
        api_url=settings.slack_api_url,
        http_port=settings.slack_http_port,
        http_host=settings.slack_http_host,
        admin_users=settings.slack_admin_users,
    )
