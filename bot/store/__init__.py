"""The only part of filmbot that speaks SQL. Everything above it sees dataclasses."""

from __future__ import annotations

from pathlib import Path

from bot.store.db import Database, StoreError
from bot.store.feeds import FeedAlreadyExists, FeedRecord, FeedStore, FetchRecord
from bot.store.items import IngestResult, ItemStore, PlannedDelivery, StoredItem
from bot.store.outbox import OutboxRow, OutboxStore
from bot.store.subscriptions import SubscriptionStore


class Store:
    """The database and its repositories, opened and closed together."""

    def __init__(self, path: Path) -> None:
        self.db = Database(path)
        self.feeds = FeedStore(self.db)
        self.items = ItemStore(self.db)
        self.outbox = OutboxStore(self.db)
        self.subscriptions = SubscriptionStore(self.db)

    async def open(self) -> None:
        await self.db.open()

    async def close(self) -> None:
        await self.db.close()


__all__ = [
    "Database",
    "FeedAlreadyExists",
    "FeedRecord",
    "FeedStore",
    "FetchRecord",
    "IngestResult",
    "ItemStore",
    "OutboxRow",
    "OutboxStore",
    "PlannedDelivery",
    "Store",
    "StoreError",
    "StoredItem",
    "SubscriptionStore",
]
