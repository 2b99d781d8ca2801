"""Ingest: one transaction that stores a poll's new items, what they say, and who must hear of it.

For each new item, oldest first: the item row; its films (created when new);
the story it belongs to (a recent story about the same film and of the same
kind absorbs it as one more source, so one piece of news is announced once);
its release facts (superseding older ones, keeping history); and, for a story
that is new and announced, the outbox rows from the planner. The feed's fetch
state is written in the same transaction, so nothing is ever half-stored.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import aiosqlite

from bot.delivery.filters import ChannelSubscription
from bot.delivery.follows import Follow
from bot.films.cluster import MERGE_WINDOW, is_same_story
from bot.models import FeedItem, Person, StoryKind, Understanding
from bot.store import knowledge
from bot.store.db import Database
from bot.store.feeds import FeedStore, FetchRecord
from bot.store.follows import followers_of
from bot.store.planned import PlannedDelivery, write_outbox
from bot.store.subscriptions import subscribed_channels
from bot.store.timefmt import to_db


@dataclass(frozen=True, slots=True)
class StoredItem:
    id: int
    feed_id: int
    item: FeedItem


@dataclass(frozen=True, slots=True)
class NewStory:
    id: int
    item_id: int
    item: FeedItem  # its first source
    understanding: Understanding
    film_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class IngestResult:
    new: list[StoredItem]
    stories: list[NewStory]  # stories created by this poll
    merged: int  # new items that joined an existing story as another source
    announced: list[NewStory]
    planned: int
    new_films: list[tuple[int, str]]


@dataclass(frozen=True, slots=True)
class StoryPlan:
    deliveries: list[PlannedDelivery]  # channel announcements, written at once
    messages: dict[int, str]  # story id -> its message, for the follower fan-out


Planner = Callable[[list[NewStory], list[ChannelSubscription]], StoryPlan]


async def unseen(db: Database, feed_id: int, items: Sequence[FeedItem]) -> list[FeedItem]:
    """The items of a fetch that this feed has not stored yet (by key, or by link where links
    identify entries): the ones worth understanding before ingest."""
    link_counts = Counter(item.url for item in items if item.url)
    async with db.reading() as conn:
        return [
            item
            for item in items
            if not await _seen(conn, feed_id, item, links_identify=link_counts[item.url] == 1)
        ]


async def ingest(
    db: Database,
    feed_id: int,
    understood: Sequence[tuple[FeedItem, Understanding]],
    *,
    fetch: FetchRecord,
    announce_limit: int | None,
    plan: Planner,
) -> IngestResult:
    """announce_limit=None announces the stories of every new item; N only those of the newest
    N items (a feed's first poll, with its backfill setting)."""
    now = fetch.polled_at
    link_counts = Counter(item.url for item, _ in understood if item.url)
    async with db.transaction() as conn:
        fresh: list[tuple[StoredItem, Understanding]] = []
        for item, understanding in understood:
            links_identify = link_counts[item.url] == 1
            if await _seen(conn, feed_id, item, links_identify=links_identify):
                continue
            item_id = await _insert_item(conn, feed_id, item, now)
            if item_id is not None:
                fresh.append((StoredItem(item_id, feed_id, item), understanding))

        newest_first = sorted(fresh, key=lambda pair: pair[0].item.published, reverse=True)
        chosen = newest_first if announce_limit is None else newest_first[:announce_limit]
        to_announce = {stored.id for stored, _ in chosen}

        stories: list[NewStory] = []
        announced: list[NewStory] = []
        new_films: list[tuple[int, str]] = []
        merged = 0
        for stored, understanding in reversed(newest_first):  # oldest first
            story, films = await _file_item(conn, stored, understanding, now)
            new_films.extend(films)
            if story is None:
                merged += 1
                continue
            stories.append(story)
            if stored.id in to_announce and understanding.kind is not StoryKind.NOT_FILM:
                announced.append(story)

        planned = 0
        if announced:
            await conn.executemany(
                "UPDATE items SET announced = 1 WHERE id = ?", [(s.item_id,) for s in announced]
            )
            story_plan = plan(announced, await subscribed_channels(conn))
            planned = await write_outbox(conn, story_plan.deliveries, now, digestible=True)
            await _queue_fanouts(conn, announced, story_plan.messages, now)
        outcome = "new" if fresh else "no_new"
        await FeedStore.write_fetch(conn, feed_id, replace(fetch, outcome=outcome))
    return IngestResult(
        new=[stored for stored, _ in fresh],
        stories=stories,
        merged=merged,
        announced=announced,
        planned=planned,
        new_films=new_films,
    )


async def _file_item(
    conn: aiosqlite.Connection, stored: StoredItem, understanding: Understanding, now: datetime
) -> tuple[NewStory | None, list[tuple[int, str]]]:
    """Attach one item to the knowledge base; return the story it created (None when it merged)."""
    item = stored.item
    film_ids: list[int] = []
    created: list[tuple[int, str]] = []
    for title in understanding.films:
        found = await knowledge.film_id_for(conn, title, now)
        if found is None:
            continue
        film_id, is_new = found
        if film_id not in film_ids:
            film_ids.append(film_id)
        if is_new:
            created.append((film_id, title))
    main_film = film_ids[0] if film_ids else None

    story_id = None
    people = frozenset(person.name for person in understanding.people)
    for candidate_id, candidate_title, candidate_people in await knowledge.recent_stories(
        conn,
        main_film_id=main_film,
        kind=understanding.kind,
        since=item.published - MERGE_WINDOW,
        until=item.published + MERGE_WINDOW,
    ):
        if is_same_story(
            item.title,
            candidate_title,
            same_film=main_film is not None,
            new_people=people,
            old_people=candidate_people,
        ):
            story_id = candidate_id
            break
    new_story = None
    if story_id is None:
        story_id = await knowledge.insert_story(
            conn,
            kind=understanding.kind,
            title=item.title,
            summary=understanding.summary,
            status=understanding.status,
            film_ids=film_ids,
            people=understanding.people,
            published=item.published,
            now=now,
        )
        new_story = NewStory(story_id, stored.id, item, understanding, tuple(film_ids))
    await knowledge.add_source(
        conn,
        story_id=story_id,
        item_id=stored.id,
        outlet=item.feed,
        url=item.url,
        title=item.title,
        published=item.published,
    )
    for mention in understanding.releases:
        found = await knowledge.film_id_for(conn, mention.film, now)
        if found is None:
            continue
        if found[1]:
            created.append((found[0], mention.film))
        await knowledge.record_release(
            conn,
            film_id=found[0],
            mention=mention,
            story_id=story_id,
            outlet=item.feed,
            url=item.url,
            stated_at=item.published,
            now=now,
        )
    if understanding.status and main_film is not None:
        await knowledge.set_status(
            conn,
            film_id=main_film,
            status=understanding.status,
            story_id=story_id,
            outlet=item.feed,
            published=item.published,
        )
    return new_story, created


async def _seen(
    conn: aiosqlite.Connection, feed_id: int, item: FeedItem, *, links_identify: bool
) -> bool:
    # Two lookups, not one "key = ? OR url = ?": SQLite answers that OR by scanning every item
    # of the feed, which makes ingest quadratic in the feed's history.
    async with conn.execute(
        "SELECT 1 FROM items WHERE feed_id = ? AND key = ?", (feed_id, item.key)
    ) as cursor:
        if await cursor.fetchone() is not None:
            return True
    if not links_identify:
        return False
    async with conn.execute(
        "SELECT 1 FROM items WHERE feed_id = ? AND url = ? LIMIT 1", (feed_id, item.url)
    ) as cursor:
        return await cursor.fetchone() is not None


async def _insert_item(
    conn: aiosqlite.Connection, feed_id: int, item: FeedItem, now: datetime
) -> int | None:
    cursor = await conn.execute(
        "INSERT INTO items (feed_id, key, url, title, summary, published, authors, "
        "categories, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (feed_id, key) DO NOTHING",
        (
            feed_id,
            item.key,
            item.url,
            item.title,
            item.summary,
            to_db(item.published),
            json.dumps(item.authors),
            json.dumps(item.categories),
            to_db(now),
        ),
    )
    return cursor.lastrowid if cursor.rowcount == 1 else None


async def _queue_fanouts(
    conn: aiosqlite.Connection, stories: list[NewStory], messages: dict[int, str], now: datetime
) -> None:
    """One fan-out row per story, expanded into follower messages by expand_fanout; none
    when nobody follows anything."""
    async with conn.execute("SELECT 1 FROM follows LIMIT 1") as cursor:
        if await cursor.fetchone() is None:
            return
    await conn.executemany(
        "INSERT OR IGNORE INTO fanouts (story_id, payload, kind, title, summary, film_ids, films, "
        "people, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                story.id,
                messages[story.id],
                story.understanding.kind.value,
                story.item.title,
                story.item.summary,
                json.dumps(list(story.film_ids)),
                json.dumps(list(story.understanding.films)),
                json.dumps([[p.name, p.role] for p in story.understanding.people]),
                to_db(now),
            )
            for story in stories
        ],
    )


FollowerPlanner = Callable[[int, str, list[Follow]], list[PlannedDelivery]]


async def expand_fanout(
    db: Database, plan: FollowerPlanner, now: datetime, *, batch: int = 5000
) -> int:
    """Turn the next batch of one pending fan-out into outbox rows, in one transaction that
    also records how far it got; returns the rows written (0: nothing was pending)."""
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT story_id, payload, kind, title, summary, film_ids, films, people, "
            "last_follow_id FROM fanouts WHERE done = 0 ORDER BY story_id LIMIT 1"
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return 0
        story_id, payload, kind, title, summary = row[0], row[1], row[2], row[3], row[4]
        film_ids = tuple(json.loads(row[5]))
        people = tuple(Person(name, role) for name, role in json.loads(row[7]))
        about = Understanding(StoryKind(kind), tuple(json.loads(row[6])), people, (), summary="")
        follows = await followers_of(
            conn, film_ids, [p.name for p in people], after_id=row[8], limit=batch
        )
        matched = [f for f in follows if f.matches(film_ids, title, summary, about)]
        written = await write_outbox(conn, plan(story_id, payload, matched), now, digestible=True)
        await conn.execute(
            "UPDATE fanouts SET last_follow_id = ?, done = ? WHERE story_id = ?",
            (follows[-1].id if follows else row[8], int(len(follows) < batch), story_id),
        )
    return max(written, 1)  # a batch that matched nobody still made progress
