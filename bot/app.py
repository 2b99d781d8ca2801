"""The application: wires the parts together and owns their lifecycle.

start() opens the database, syncs feeds.yaml into it, starts the fetcher,
the adapters, the poll jobs and the delivery loop; stop() undoes it in reverse.
Nothing here is global: the CLI builds an App with the adapters it chose.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.commands.builtin import build_registry
from bot.commands.dispatch import Commands, Services
from bot.config import FeedSettings, Settings
from bot.delivery.adapter import Adapter, AdapterStartError
from bot.delivery.deliver import Deliverer, DeliveryStats
from bot.delivery.digest import send_digests
from bot.delivery.plan import plan_follower_messages
from bot.delivery.reminders import plan_reminders
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.films.index import FilmIndex
from bot.healthz import HealthServer
from bot.metrics import Metrics
from bot.news.llm import build_summariser
from bot.poll import PollDeps, PollReport, poll_feed
from bot.store import FeedRecord, Store

_LOGGER = logging.getLogger(__name__)

DELIVERY_SWEEP_SECONDS = 5.0
REMINDER_CHECK_SECONDS = 3600.0
MAX_FANOUT_BATCHES = 20  # of 5,000 followers, per delivery sweep
DIGEST_HOUR_UTC = 8  # the daily digests go out at 08:00 UTC
MAX_START_SPREAD_SECONDS = 30.0
START_SPREAD_PER_FEED = 0.1


def utc_now() -> datetime:
    return datetime.now(UTC)


class App:
    def __init__(
        self,
        settings: Settings,
        adapters: Sequence[Adapter] = (),
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.adapters = {adapter.platform: adapter for adapter in adapters}
        self.clock = clock
        self.store = Store(settings.db_path)
        self.fetcher = Fetcher(
            FetchLimits(
                timeout=settings.defaults.timeout,
                max_body_bytes=settings.defaults.max_body_bytes,
                max_redirects=settings.defaults.max_redirects,
                user_agent=settings.defaults.user_agent,
                allow_private_addresses=settings.allow_private_addresses,
            )
        )
        self.films = FilmIndex()
        self.summariser = build_summariser(settings)
        self.metrics = Metrics()
        self.health: HealthServer | None = None  # listening between start() and stop()
        self.commands = Commands(
            build_registry(),
            Services(
                store=self.store,
                settings=settings,
                clock=clock,
                feeds_changed=self._feeds_changed,
                films=self.films,
            ),
            metrics=self.metrics,
        )
        self.deliverer = Deliverer(self.store.outbox, self.adapters, clock, metrics=self.metrics)
        self._scheduler: AsyncIOScheduler | None = None
        self._delivery_wanted = asyncio.Event()
        self._delivery_task: asyncio.Task[None] | None = None
        self._running_polls: set[asyncio.Task[object]] = set()
        self._opened = False
        self._feed_settings = {feed.name.casefold(): feed for feed in settings.feeds}

    # lifecycle

    async def open(self) -> None:
        """Database and fetcher only: enough for one-shot CLI work (poll --once, ask).
        start() calls it unless it was already called."""
        if self._opened:
            return
        self._opened = True
        await self.store.open()
        await self.store.feeds.sync_config_feeds(
            [(feed.name, feed.url) for feed in self.settings.feeds], self.clock()
        )
        await self.fetcher.start()
        for film_id, title, aliases in await self.store.knowledge.all_titles():
            self.films.add(film_id, title, aliases)

    async def start(self) -> None:
        await self.open()
        if self.settings.health_port is not None:
            # Before the adapters: probes see the bot alive (and not yet ready) while it connects.
            self.health = HealthServer(
                store=self.store,
                adapters=self.adapters,
                metrics=self.metrics,
                clock=self.clock,
                host=self.settings.health_host,
                port=self.settings.health_port,
            )
            await self.health.start()
        for adapter in self.adapters.values():
            try:
                await adapter.start(self.commands)
            except Exception as exc:
                raise AdapterStartError(adapter.platform, exc) from exc
            await self._sync_configured_channels(adapter)
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        await self._schedule_polls()
        self._scheduler.add_job(
            self._reminder_job,
            "interval",
            seconds=REMINDER_CHECK_SECONDS,
            next_run_time=self.clock() + timedelta(seconds=5),
            id="reminders",
            name="release reminders",
            max_instances=1,
            coalesce=True,
        )
        self._scheduler.add_job(
            self._digest_job,
            "cron",
            hour=DIGEST_HOUR_UTC,
            id="digests",
            name="daily digests",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=6 * 3600,
        )
        self._scheduler.start()
        self._delivery_task = asyncio.create_task(self._delivery_loop(), name="filmbot-delivery")
        _LOGGER.info(
            "filmbot started: %d feeds, adapters: %s, database %s",
            len(await self.store.feeds.active()),
            ", ".join(self.adapters) or "none",
            self.settings.db_path,
        )

    async def stop(self) -> None:
        if self.health is not None:
            await self.health.stop()
            self.health = None
        if self._scheduler is not None:
            # wait=False: running polls are cancelled below, with the loop still alive.
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._delivery_task is not None:
            self._delivery_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery_task
            self._delivery_task = None
        await self._cancel_running_polls()
        for adapter in self.adapters.values():
            if adapter.channels_end_with_adapter:
                for target, _ in adapter.configured_channels():
                    await self.store.subscriptions.unsubscribe_channel(target)
            try:
                await adapter.stop()
            except Exception:
                _LOGGER.exception("adapter %s did not stop cleanly", adapter.platform)
        await self.close()

    async def close(self) -> None:
        """Undo open()."""
        self._opened = False
        await self.summariser.close()
        await self.fetcher.close()
        await self.store.close()

    async def _sync_configured_channels(self, adapter: Adapter) -> None:
        configured = adapter.configured_channels()
        for target, channel_filter in configured:
            await self.store.subscriptions.subscribe_channel(
                target, "configuration", self.clock(), channel_filter
            )
        if adapter.owns_channels:
            wanted = {target for target, _ in configured}
            for subscription in await self.store.subscriptions.channels():
                stale = subscription.target.platform == adapter.platform
                if stale and subscription.target not in wanted:
                    await self.store.subscriptions.unsubscribe_channel(subscription.target)

    # polling

    def feed_settings(self, feed: FeedRecord) -> FeedSettings:
        configured = self._feed_settings.get(feed.name.casefold())
        if configured is not None and feed.source == "config":
            return configured
        defaults = self.settings.defaults
        return FeedSettings(
            name=feed.name,
            url=feed.url,
            interval=defaults.interval,
            timeout=defaults.timeout,
            max_body_bytes=defaults.max_body_bytes,
            backfill=0,
        )

    async def poll(self, feed: FeedRecord) -> PollReport:
        deps = PollDeps(self.fetcher, self.store, self.films, self.summariser)
        report = await poll_feed(feed, self.feed_settings(feed), deps, now=self.clock())
        self.metrics.poll_finished(report)
        if report.announced:
            self._delivery_wanted.set()
        return report

    async def poll_all_once(self) -> list[PollReport]:
        """Every active feed once, concurrently; one slow or broken feed delays no other."""
        feeds = await self.store.feeds.active()
        return list(await asyncio.gather(*(self.poll(feed) for feed in feeds)))

    async def _poll_job(self, feed_name: str) -> None:
        feed = await self.store.feeds.get(feed_name)
        if feed is None or feed.retired:
            return
        interval = self.feed_settings(feed).interval
        if feed.next_poll_at is not None:
            # Backoff or Retry-After pushed this feed's next poll past this tick: skip it.
            early = (feed.next_poll_at - self.clock()).total_seconds()
            if early > min(interval * 0.25, 60.0):
                return
        task = asyncio.current_task()
        assert task is not None
        self._running_polls.add(task)
        try:
            await self.poll(feed)
        except Exception:
            self.metrics.poll_failed()
            _LOGGER.exception("poll of feed %s failed", feed.name, extra={"feed": feed.name})
        finally:
            self._running_polls.discard(task)

    async def _schedule_polls(self) -> None:
        assert self._scheduler is not None
        now = self.clock()
        wanted = {}
        for feed in await self.store.feeds.active():
            wanted[f"poll:{feed.name.casefold()}"] = feed
        for job in self._scheduler.get_jobs():
            if job.id.startswith("poll:") and job.id not in wanted:
                job.remove()
        for job_id, feed in wanted.items():
            if self._scheduler.get_job(job_id) is not None:
                continue
            interval = self.feed_settings(feed).interval
            due_now = feed.next_poll_at is None or feed.next_poll_at <= now
            first = now if due_now else feed.next_poll_at
            assert first is not None
            # Spread the first runs (about ten feeds a second) so a hundred feeds do not fire at once.
            spread = min(interval, MAX_START_SPREAD_SECONDS, START_SPREAD_PER_FEED * len(wanted))
            first += timedelta(seconds=random.uniform(0, spread))
            self._scheduler.add_job(
                self._poll_job,
                "interval",
                seconds=interval,
                jitter=min(interval * 0.1, 60.0),
                next_run_time=first,
                args=[feed.name],
                id=job_id,
                name=f"poll {feed.name}",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=max(int(interval), 1),
            )

    async def _feeds_changed(self) -> None:
        if self._scheduler is not None:
            await self._schedule_polls()

    async def _cancel_running_polls(self) -> None:
        polls = list(self._running_polls)
        for task in polls:
            task.cancel()
        await asyncio.gather(*polls, return_exceptions=True)

    # delivery

    async def plan_reminders(self) -> int:
        planned = await plan_reminders(self.store, self.clock())
        if planned:
            self._delivery_wanted.set()
        return planned

    async def _reminder_job(self) -> None:
        try:
            await self.plan_reminders()
        except Exception:
            _LOGGER.exception("planning release reminders failed")

    async def send_digests(self) -> int:
        written = await send_digests(self.store, self.clock())
        if written:
            self._delivery_wanted.set()
        return written

    async def _digest_job(self) -> None:
        try:
            await self.send_digests()
        except Exception:
            _LOGGER.exception("sending the daily digests failed")

    async def expand_fanouts(self, max_batches: int = MAX_FANOUT_BATCHES) -> int:
        """Turn pending follower fan-outs into outbox rows, a batch per transaction."""
        total = 0
        for _ in range(max_batches):
            written = await self.store.expand_fanout(plan_follower_messages, self.clock())
            if not written:
                return total
            total += written
        self._delivery_wanted.set()  # more batches wait: come back at once
        return total

    async def deliver_once(self) -> DeliveryStats:
        await self.expand_fanouts()
        return await self.deliverer.run_once()

    async def _delivery_loop(self) -> None:
        while True:
            wait = DELIVERY_SWEEP_SECONDS
            opening = self.deliverer.next_opening()
            if opening is not None:  # a paced or rate-limited target may send sooner
                wait = min(wait, max(0.05, (opening - self.clock()).total_seconds()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._delivery_wanted.wait(), wait)
            self._delivery_wanted.clear()
            try:
                await self.deliver_once()
            except Exception:
                _LOGGER.exception("delivery sweep failed")
