"""The only part of filmbot that speaks SQL. Everything above it sees dataclasses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.models import FeedItem, Understanding
from bot.store import ingest as _ingest
from bot.store.db import Database, StoreError
from bot.store.digests import DigestStore
from bot.store.feeds import FeedAlreadyExists, FeedRecord, FeedStore, FetchRecord
from bot.store.follows import FollowStore
from bot.store.ingest import (
    FollowerPlanner,
    IngestResult,
    NewStory,
    Planner,
    StoredItem,
    StoryPlan,
)
from bot.store.items import ItemStore
from bot.store.knowledge import FactRecord, FilmRecord, KnowledgeStore, SourceRecord, StoryRecord
from bot.store.outbox import DisableNotice, OutboxRow, OutboxStore
from bot.store.planned import PlannedDelivery
from bot.store.subscriptions import DisabledChannel, SubscriptionStore


class Store:
    """The database and its repositories, opened and closed together."""

    def __init__(self, path: Path) -> None:
        self.db = Database(path)
        self.feeds = FeedStore(self.db)
        self.items = ItemStore(self.db)
        self.outbox = OutboxStore(self.db)
        self.subscriptions = SubscriptionStore(self.db)
        self.knowledge = KnowledgeStore(self.db)
        self.follows = FollowStore(self.db)
        self.digests = DigestStore(self.db)

    async def open(self) -> None:
        await self.db.open()

    async def close(self) -> None:
        await self.db.close()

    async def ping(self) -> None:
        """Raise StoreError or the driver's error unless the database answers."""
        await self.db.ping()

    async def unseen(self, feed_id: int, items: Sequence[FeedItem]) -> list[FeedItem]:
        return await _ingest.unseen(self.db, feed_id, items)

    async def expand_fanout(
        self, plan: FollowerPlanner, now: datetime, *, batch: int = 5000
    ) -> int:
        return await _ingest.expand_fanout(self.db, plan, now, batch=batch)

    async def ingest(
        self,
        feed_id: int,
        understood: Sequence[tuple[FeedItem, Understanding]],
        *,
        fetch: FetchRecord,
        announce_limit: int | None,
        plan: Planner,
    ) -> IngestResult:
        return await _ingest.ingest(
            self.db, feed_id, understood, fetch=fetch, announce_limit=announce_limit, plan=plan
        )


__all__ = [
    "Database",
    "DisabledChannel",
    "DisableNotice",
    "FactRecord",
    "FilmRecord",
    "FollowStore",
    "KnowledgeStore",
    "NewStory",
    "Planner",
    "SourceRecord",
    "StoryRecord",
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
    "StoryPlan",
    "FollowerPlanner",
    "SubscriptionStore",
]
