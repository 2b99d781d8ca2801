"""Webhook targets from feeds.yaml: announcements for people who run no bot.

Each target is a channel (Target platform "webhook", channel = its name) that
goes through the same outbox, filters, retries and rate limits as every other.
Formats: a Discord channel webhook (an embed, nothing can ping), a Slack
incoming webhook (Block Kit, mrkdwn escaped) and plain JSON for anything else.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp

from bot.commands.dispatch import Commands
from bot.config import WebhookTarget
from bot.delivery import Adapter, PermanentFailure, RateLimited, TransientFailure
from bot.delivery.filters import ChannelFilter
from bot.feeds.netguard import BlockedAddressError, GuardedResolver, check_url_host
from bot.models import Message, StoryKind, Target

_LOGGER = logging.getLogger(__name__)

PLATFORM = "webhook"
TIMEOUT_SECONDS = 10.0
ZERO_WIDTH_SPACE = "\u200b"


def target_of(webhook: WebhookTarget) -> Target:
    return Target(platform=PLATFORM, channel=webhook.name)


def filter_of(webhook: WebhookTarget) -> ChannelFilter:
    return ChannelFilter(
        frozenset(StoryKind(kind) for kind in webhook.kinds), webhook.films + webhook.keywords
    )


def _defuse_mentions(text: str) -> str:
    """'@everyone' and '@here' stay readable but can never ping, even outside an embed."""
    return text.replace("@", "@" + ZERO_WIDTH_SPACE)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def discord_payload(message: Message) -> dict[str, Any]:
    embed: dict[str, Any] = {
        "title": _cut(_defuse_mentions(message.title), 256),
        "description": _cut(_defuse_mentions("\n".join((message.body, *message.lines))), 4000),
        "fields": [
            {
                "name": _cut(_defuse_mentions(f.name), 256),
                "value": _cut(_defuse_mentions(f.value), 1024),
                "inline": f.inline,
            }
            for f in message.fields[:25]
        ],
    }
    if message.url.startswith(("https://", "http://")):
        embed["url"] = message.url
    if message.footer:
        embed["footer"] = {"text": _cut(_defuse_mentions(message.footer), 2048)}
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


def _mrkdwn(text: str) -> str:
    """Slack's escaping: with &, < and > escaped, '<!channel>' and '<@U1>' are plain text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: Message) -> dict[str, Any]:
    title = _mrkdwn(message.title)
    if message.url.startswith(("https://", "http://")):
        title = f"<{message.url}|{title}>"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": _cut(f"*{title}*", 3000)}}
    ]
    if message.body or message.lines:
        body = _mrkdwn("\n".join((message.body, *message.lines)))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(body, 3000)}})
    context = [f"{_mrkdwn(f.name)}: {_mrkdwn(f.value)}" for f in message.fields]
    if message.footer:
        context.append(_mrkdwn(message.footer))
    if context:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": _cut(c, 300)} for c in context[:10]],
            }
        )
    return {"text": _cut(_mrkdwn(message.title), 3000), "blocks": blocks}


def json_payload(message: Message) -> dict[str, Any]:
    story = message.story
    return {
        "story_id": story.id if story else None,
        "kind": story.kind if story else None,
        "films": list(story.films) if story else [],
        "title": message.title,
        "summary": message.body,
        "release_date": story.release_date if story else None,
        "sources": list(story.sources) if story else ([message.url] if message.url else []),
        "url": message.url,
    }


_PAYLOADS = {"discord": discord_payload, "slack": slack_payload, "json": json_payload}
# The platforms' published limits: a Discord webhook takes 5 requests per 2 seconds, a Slack
# incoming webhook one message per second.
SEND_INTERVALS = {"discord": 0.4, "slack": 1.0, "json": 0.0}


class WebhookAdapter(Adapter):
    platform = PLATFORM

    def __init__(self, webhooks: Sequence[WebhookTarget], *, allow_private: bool = False) -> None:
        self._webhooks = {webhook.name: webhook for webhook in webhooks}
        self._allow_private = allow_private
        self._session: aiohttp.ClientSession | None = None

    owns_channels = True  # every webhook channel comes from feeds.yaml

    def configured_channels(self) -> list[tuple[Target, ChannelFilter]]:
        return [(target_of(w), filter_of(w)) for w in self._webhooks.values()]

    def min_send_interval(self, target: Target) -> float:
        webhook = self._webhooks.get(target.channel)
        return SEND_INTERVALS[webhook.format] if webhook else 0.0

    async def start(self, commands: Commands) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                resolver=GuardedResolver(allow_private=self._allow_private)
            ),
            timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
            trust_env=False,
        )

    async def stop(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def send(self, target: Target, message: Message, idempotency_key: str) -> str:
        webhook = self._webhooks.get(target.channel)
        if webhook is None:
            raise PermanentFailure(f"no webhook named {target.channel!r} in feeds.yaml any more")
        if self._session is None:
            raise TransientFailure("the webhook adapter is not started")
        try:
            check_url_host(webhook.url, allow_private=self._allow_private)
            async with asyncio.timeout(TIMEOUT_SECONDS):
                async with self._session.post(
                    webhook.url,
                    json=_PAYLOADS[webhook.format](message),
                    headers={"Idempotency-Key": idempotency_key},
                    allow_redirects=False,
                ) as response:
                    text = await response.text()
                    return self._receipt(webhook, response.status, response.headers, text)
        except BlockedAddressError as exc:
            raise PermanentFailure(f"webhook {webhook.name}: {exc}") from exc
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, BlockedAddressError):
                raise PermanentFailure(f"webhook {webhook.name}: {exc.os_error}") from exc
            raise TransientFailure(f"webhook {webhook.name}: cannot connect: {exc}") from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise TransientFailure(f"webhook {webhook.name}: {type(exc).__name__}") from exc

    @staticmethod
    def _receipt(webhook: WebhookTarget, status: int, headers: Any, text: str) -> str:
        if 200 <= status < 300:
            return f"{webhook.name}:{status}"
        if status == 429:
            retry_after = _retry_after(headers.get("Retry-After"), text)
            raise RateLimited(retry_after, f"webhook {webhook.name} is rate limited")
        said = f"webhook {webhook.name} answered HTTP {status}"
        if status >= 500:
            raise TransientFailure(said)
        # 4xx: the webhook was deleted (404), its token is wrong (401/403) or it refuses
        # what we send (400): sending again will not help.
        raise PermanentFailure(f"{said}: {text[:200]}")


def _retry_after(header: str | None, body: str) -> float:
    """Seconds from Retry-After, or Discord's JSON retry_after; 5 s when neither says."""
    for value in (header, _json_retry_after(body)):
        try:
            if value is not None:
                return max(0.0, float(value))
        except ValueError:
            continue
    return 5.0


def _json_retry_after(body: str) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    value = data.get("retry_after") if isinstance(data, dict) else None
    return None if value is None else str(value)
