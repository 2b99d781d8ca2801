"""The poll job: fetch one feed, parse it, store what is new and plan its announcements.

Everything a poll learns (the items, the feed's new validators and health, the
deliveries) is committed in one transaction, so a crash never leaves a feed
marked as fetched with its items missing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import datetime

from bot.config import FeedSettings
from bot.delivery.plan import plan_story_announcements
from bot.feeds.article import fetch_article_text
from bot.feeds.fetch import Fetcher, FetchOutcome, FetchResult
from bot.feeds.health import FeedHealth, after_fetch
from bot.feeds.parse import FeedParseError, parse_feed
from bot.films.index import FilmIndex
from bot.models import FeedItem, StoryKind, Understanding
from bot.news.llm import Summariser
from bot.news.summary import MAX_SUMMARY_CHARS, truncate
from bot.news.titles import KnownTitles
from bot.news.understand import understand
from bot.store import FeedRecord, FetchRecord, Store

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollReport:
    feed: str
    outcome: str  # "new", "no_new", "not_modified", "unchanged", "error", "disabled"
    new_items: int = 0
    announced: int = 0
    error: str | None = None
    next_poll_at: datetime | None = None
    new_stories: int = 0
    error_kind: str | None = None  # the fetch's, when outcome is "error"

    def describe(self) -> str:
        if self.outcome == "new":
            return f"{self.new_items} new item(s), {self.announced} announced"
        if self.outcome == "no_new":
            return "fetched, nothing new"
        if self.outcome == "not_modified":
            return "not modified (304)"
        if self.outcome == "unchanged":
            return "unchanged since last fetch"
        if self.outcome == "disabled":
            return f"disabled: {self.error}"
        return f"error: {self.error}"


@dataclass(frozen=True)
class PollDeps:
    fetcher: Fetcher
    store: Store
    films: FilmIndex
    summariser: Summariser


async def poll_feed(
    feed: FeedRecord, settings: FeedSettings, deps: PollDeps, *, now: datetime
) -> PollReport:
    fetcher, store = deps.fetcher, deps.store
    if feed.disabled_reason:
        return PollReport(feed.name, "disabled", error=feed.disabled_reason)
    result = await fetcher.fetch(
        feed.url,
        etag=feed.etag,
        last_modified=feed.last_modified,
        timeout=settings.timeout,
        max_body_bytes=settings.max_body_bytes,
        allow_files=feed.source == "config",
    )
    health = FeedHealth(feed.consecutive_failures, feed.consecutive_404s, feed.disabled_reason)

    if result.outcome is FetchOutcome.OK and result.body_sha256 != feed.body_sha256:
        try:
            parsed = await asyncio.to_thread(
                parse_feed,
                result.body,
                feed_name=feed.name,
                fetched_at=now,
                base_url=result.url,
                content_type=result.content_type,
            )
        except FeedParseError as exc:
            result = FetchResult(
                outcome=FetchOutcome.ERROR,
                url=result.url,
                status=result.status,
                error_kind="not_a_feed",
                error=str(exc),
            )
        else:
            if parsed.problem:
                _LOGGER.info(
                    "feed %s is malformed but readable: %s",
                    feed.name,
                    parsed.problem,
                    extra={"feed": feed.name},
                )
            new_health, next_at = after_fetch(health, result, interval=settings.interval, now=now)
            first_poll = feed.last_success_at is None
            fresh = await store.unseen(feed.id, parsed.items)
            understood = await _understand_all(fresh, settings, deps)
            ingest = await store.ingest(
                feed.id,
                understood,
                fetch=_fetch_record(result, new_health, next_at, now, "fetched"),
                announce_limit=settings.backfill if first_poll else None,
                plan=plan_story_announcements,
            )
            for film_id, title in ingest.new_films:
                deps.films.add(film_id, title)
            outcome = "new" if ingest.new else "no_new"
            _LOGGER.info(
                "feed %s: %d items, %d new, %d new stories, %d joined a story, %d announced",
                feed.name,
                len(parsed.items),
                len(ingest.new),
                len(ingest.stories),
                ingest.merged,
                len(ingest.announced),
                extra={"feed": feed.name},
            )
            for story in ingest.stories:
                _LOGGER.debug(
                    "new story: %s",
                    story.item.title,
                    extra={"feed": feed.name, "story": story.id},
                )
            return PollReport(
                feed.name,
                outcome,
                len(ingest.new),
                len(ingest.announced),
                next_poll_at=next_at,
                new_stories=len(ingest.stories),
            )

    new_health, next_at = after_fetch(health, result, interval=settings.interval, now=now)
    if result.outcome is FetchOutcome.NOT_MODIFIED:
        outcome = "not_modified"
    elif result.outcome is FetchOutcome.OK:
        outcome = "unchanged"  # same body hash as last time: no parse
    else:
        outcome = "error"
        _LOGGER.warning(
            "feed %s: %s (%s)",
            feed.name,
            result.error,
            result.error_kind,
            extra={"feed": feed.name, "kind": result.error_kind},
        )
        if new_health.disabled_reason:
            _LOGGER.warning(
                "feed %s disabled: %s",
                feed.name,
                new_health.disabled_reason,
                extra={"feed": feed.name},
            )
    await store.feeds.record_fetch(
        feed.id, _fetch_record(result, new_health, next_at, now, outcome)
    )
    return PollReport(
        feed.name,
        outcome,
        error=result.error,
        next_poll_at=next_at,
        error_kind=result.error_kind if outcome == "error" else None,
    )


async def _understand_all(
    items: list[FeedItem], settings: FeedSettings, deps: PollDeps
) -> list[tuple[FeedItem, Understanding]]:
    """Read each new item (with its article page when the feed asks), off the event loop."""
    articles = [""] * len(items)
    if settings.fetch_articles:
        for index, item in enumerate(items):
            if item.url:
                text = await fetch_article_text(
                    deps.fetcher,
                    item.url,
                    timeout=settings.timeout,
                    max_body_bytes=settings.max_body_bytes,
                )
                articles[index] = text or ""
    known = deps.films.known
    understood = await asyncio.to_thread(_understand_batch, items, articles, known)
    result = []
    for item, article, understanding in zip(items, articles, understood, strict=True):
        summary = await deps.summariser.summarise(
            item.title, article or item.summary, understanding.summary
        )
        result.append((item, replace(understanding, summary=summary)))
    return result


def _understand_batch(
    items: list[FeedItem], articles: list[str], known: KnownTitles
) -> list[Understanding]:
    return [
        _understand_or_relay(item, article, known)
        for item, article in zip(items, articles, strict=True)
    ]


def _understand_or_relay(item: FeedItem, article: str, known: KnownTitles) -> Understanding:
    """understand(), or for an item it fails on, the item kept as plain film news. The
    failure is a bug to fix, but one odd item must not hold back every later item of its
    feed (the poll would fail on it again and again) nor be lost."""
    try:
        return understand(item, known=known, article_text=article)
    except Exception:
        _LOGGER.exception(
            "could not understand item %s of feed %s; kept as plain news",
            item.key,
            item.feed,
            extra={"feed": item.feed},
        )
        return Understanding(
            kind=StoryKind.OTHER,
            films=(),
            people=(),
            releases=(),
            summary=truncate(item.title or item.summary, MAX_SUMMARY_CHARS),
        )


def _fetch_record(
    result: FetchResult, health: FeedHealth, next_at: datetime, now: datetime, outcome: str
) -> FetchRecord:
    return FetchRecord(
        polled_at=now,
        outcome=outcome,
        succeeded=result.outcome is not FetchOutcome.ERROR,
        next_poll_at=next_at,
        consecutive_failures=health.consecutive_failures,
        consecutive_404s=health.consecutive_404s,
        disabled_reason=health.disabled_reason,
        etag=result.etag,
        last_modified=result.last_modified,
        body_sha256=result.body_sha256,
        error_kind=result.error_kind,
        error=result.error,
    )
