"""Prometheus metrics: what the bot counts, and the text a scrape of /metrics gets.

Each Metrics owns its own CollectorRegistry, never prometheus_client's global one, so
several Apps (and tests) in one process do not collide. The parts that report into it are
handed the App's Metrics; each report is one call. Label values come from small fixed sets
(poll outcomes, fetch error kinds, delivery results, registered command names), never from
user input, so a scrape stays small.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import choose_encoder

if TYPE_CHECKING:
    from bot.poll import PollReport
    from bot.store import Store

_LOGGER = logging.getLogger(__name__)

# The chat platforms want an answer within 3 s: a bucket edge there shows who missed it.
COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
UNKNOWN_COMMAND = "unknown"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.feed_polls = Counter(
            "filmbot_feed_polls",
            "Feed polls by outcome (new, no_new, not_modified, unchanged, error, disabled, failed).",
            ["outcome"],
            registry=r,
        )
        self.fetch_errors = Counter(
            "filmbot_feed_fetch_errors",
            "Failed feed fetches by kind (timeout, connection, http_404, http_5xx, too_large, "
            "blocked_address, not_a_feed, ...).",
            ["kind"],
            registry=r,
        )
        self.items_ingested = Counter(
            "filmbot_items_ingested", "Feed items stored for the first time.", registry=r
        )
        self.stories_created = Counter(
            "filmbot_stories_created", "Stories created from new items.", registry=r
        )
        self.stories = Gauge(
            "filmbot_stories", "Stories in the database (read at scrape time).", registry=r
        )
        self.outbox = Gauge(
            "filmbot_outbox_depth",
            "Outbox rows by state: pending, due (pending and due now), dead (read at scrape time).",
            ["state"],
            registry=r,
        )
        self.deliveries = Counter(
            "filmbot_deliveries",
            "Delivery attempts by platform and result (sent, retry, rate_limited, dead).",
            ["platform", "result"],
            registry=r,
        )
        self.rate_limit_waits = Counter(
            "filmbot_rate_limit_waits",
            "Times a platform rate limit made a target wait.",
            ["platform"],
            registry=r,
        )
        self.rate_limit_wait_seconds = Counter(
            "filmbot_rate_limit_wait_seconds",
            "Seconds targets were told to wait by platform rate limits.",
            ["platform"],
            registry=r,
        )
        self.command_seconds = Histogram(
            "filmbot_command_duration_seconds",
            "Time to answer a command, by command name.",
            ["command"],
            buckets=COMMAND_BUCKETS,
            registry=r,
        )

    # reports

    def poll_finished(self, report: PollReport) -> None:
        self.feed_polls.labels(report.outcome).inc()
        if report.error_kind:
            self.fetch_errors.labels(report.error_kind).inc()
        self.items_ingested.inc(report.new_items)
        self.stories_created.inc(report.new_stories)

    def poll_failed(self) -> None:
        """A poll that raised instead of returning a report (a bug or a database fault)."""
        self.feed_polls.labels("failed").inc()

    def delivery(self, platform: str, result: str, count: int = 1) -> None:
        self.deliveries.labels(platform, result).inc(count)

    def rate_limit_wait(self, platform: str, seconds: float) -> None:
        """Adapters that wait out a rate limit themselves may report it here too."""
        self.rate_limit_waits.labels(platform).inc()
        self.rate_limit_wait_seconds.labels(platform).inc(max(seconds, 0.0))

    def command_answered(self, command: str, seconds: float) -> None:
        self.command_seconds.labels(command).observe(seconds)

    # scraping

    async def refresh(self, store: Store, now: datetime) -> None:
        """Read the gauges that live in the database. When it cannot be read they keep their
        last values; /healthz says what is wrong with it."""
        try:
            depth = await store.outbox.depth(now)
            counts = await store.knowledge.counts()
        except Exception as exc:
            _LOGGER.warning("metrics: cannot read the database: %s", exc)
            return
        self.outbox.labels("pending").set(depth.pending)
        self.outbox.labels("due").set(depth.due)
        self.outbox.labels("dead").set(depth.dead)
        self.stories.set(counts.get("stories", 0))

    def render(self) -> bytes:
        """The Prometheus text format (0.0.4)."""
        return generate_latest(self.registry)

    def render_for(self, accept: str) -> tuple[bytes, str]:
        """The body and content type a scraper with this Accept header asked for (the
        Prometheus text format, or OpenMetrics when asked)."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type
