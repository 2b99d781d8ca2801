"""/status: what is waiting to be sent, what was given up on and why, and what is failing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.commands.dispatch import CommandContext
from bot.feeds.text import truncate
from bot.models import Message, Reply
from bot.store import FeedRecord
from bot.store.outbox import DeadLetter, TargetHealth

DEAD_LETTERS_SHOWN = 5
REASON_CHARS = 200


async def status_command(ctx: CommandContext, args: dict[str, Any]) -> Reply:
    store = ctx.services.store
    now = ctx.services.clock()
    depth = await store.outbox.depth(now)
    dead = await store.outbox.dead_letters(DEAD_LETTERS_SHOWN)
    targets = [health for health in await store.outbox.target_health() if health.last_error]
    feeds = [
        feed
        for feed in await store.feeds.active()
        if feed.last_error or feed.last_error_kind or feed.disabled_reason
    ]
    disabled = await store.subscriptions.disabled_channels()

    lines = [f"Queue: {depth.pending} pending, {depth.due} due now"]
    lines.append(f"Dead letters: {depth.dead}" + (" (latest first)" if dead else ""))
    lines.extend(f"  {_dead_line(letter)}" for letter in dead)
    lines.append("Targets: no delivery errors" if not targets else "Targets, last error:")
    lines.extend(f"  {_target_line(health, now)}" for health in targets)
    lines.append("Feeds: no errors" if not feeds else "Feeds, last error:")
    lines.extend(f"  {_feed_line(feed)}" for feed in feeds)
    lines.append("Disabled channels: none" if not disabled else "Disabled channels:")
    lines.extend(
        f"  {channel.target.key}: {_reason(channel.reason)} ({_when(channel.disabled_at)})"
        for channel in disabled
    )
    return Reply(
        Message(
            title="filmbot status",
            lines=tuple(lines),
            footer="Times are UTC. /announce here in a disabled channel turns it back on.",
        )
    )


def _dead_line(letter: DeadLetter) -> str:
    when = _when(letter.dead_at) if letter.dead_at else "time unknown"
    return f"{letter.target.key} · {when} · {_reason(letter.reason)}"


def _target_line(health: TargetHealth, now: datetime) -> str:
    assert health.last_error_at is not None
    parts = [
        f"{health.target.key}: {_reason(health.last_error or '')} ({_when(health.last_error_at)})"
    ]
    if health.blocked_until and health.blocked_until > now:
        parts.append(f"rate limited until {_when(health.blocked_until)}")
    if health.consecutive_permanent:
        parts.append(f"{health.consecutive_permanent} permanent failures in a row")
    if health.last_sent_at and health.last_sent_at > health.last_error_at:
        parts.append(f"sent fine since, last {_when(health.last_sent_at)}")
    return " · ".join(parts)


def _feed_line(feed: FeedRecord) -> str:
    error = feed.last_error or feed.last_error_kind
    parts = []
    if error:
        when = f" ({_when(feed.last_error_at)})" if feed.last_error_at else ""
        parts.append(_reason(error) + when)
    if feed.disabled_reason:
        parts.append(f"DISABLED: {_reason(feed.disabled_reason)}")
    elif feed.consecutive_failures:
        parts.append(f"failing, {feed.consecutive_failures}x in a row")
    else:
        parts.append("ok since")
    return f"{feed.name}: " + " · ".join(parts)


def _reason(text: str) -> str:
    return truncate(text, REASON_CHARS) if text else "no reason recorded"


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"
