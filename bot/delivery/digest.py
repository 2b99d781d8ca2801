"""The daily digest message: one line per story that waited for it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.delivery import codec
from bot.feeds.text import truncate
from bot.models import Message, Target
from bot.store import PlannedDelivery, Store

MAX_LINES = 50


def digest_composer(today: datetime) -> Callable[[Target, list[str]], PlannedDelivery]:
    def compose(target: Target, payloads: list[str]) -> PlannedDelivery:
        messages = [codec.loads(payload) for payload in payloads]
        lines = [
            truncate(f"{m.title} — {m.body}", 300) + (f" <{m.url}>" if m.url else "")
            for m in messages[:MAX_LINES]
        ]
        if len(messages) > MAX_LINES:
            lines.append(f"… and {len(messages) - MAX_LINES} more; /news lists the latest.")
        digest = Message(
            title=f"Film news of the day: {len(messages)} stor{'y' if len(messages) == 1 else 'ies'}",
            lines=tuple(lines),
            footer="/digest off sends stories as they come.",
        )
        return PlannedDelivery(f"digest:{today:%Y-%m-%d}:{target.key}", target, codec.dumps(digest))

    return compose


async def send_digests(store: Store, now: datetime) -> int:
    return await store.digests.send_due(digest_composer(now), now)
