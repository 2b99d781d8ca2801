"""Who must hear of what: turns newly stored items into outbox rows."""

from __future__ import annotations

from bot.delivery import codec
from bot.feeds.text import truncate
from bot.models import FeedItem, Message, Target
from bot.store import PlannedDelivery, StoredItem

SUMMARY_LIMIT = 500


def item_message(item: FeedItem) -> Message:
    published = item.published.strftime("%d %b %Y %H:%M UTC")
    return Message(
        title=item.title,
        url=item.url,
        body=truncate(item.summary, SUMMARY_LIMIT),
        footer=f"{item.feed} · {published}",
    )


def plan_item_announcements(
    items: list[StoredItem], channels: list[Target]
) -> list[PlannedDelivery]:
    """One delivery per (item, channel); the key makes planning the same pair twice a no-op."""
    return [
        PlannedDelivery(
            idempotency_key=f"item:{stored.id}:{channel.key}",
            target=channel,
            payload=codec.dumps(item_message(stored.item)),
        )
        for stored in items
        for channel in channels
    ]
