"""Sending what the outbox holds, through the adapters that are running.

Every target has its own bucket: a rate limit on one channel holds back that channel only,
for exactly as long as the platform asked, while the other targets keep going. Passing
failures are retried with jittered exponential backoff; a target that refuses a message for
good gets it marked dead, and a channel that does so PERMANENT_FAILURES_TO_DISABLE times in a
row has its announcements disabled, and whoever turned them on is told by direct message.
Nothing is dropped without a reason on its row.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery import codec
from bot.delivery.adapter import Adapter, PermanentFailure, RateLimited, TransientFailure
from bot.delivery.plan import disabled_channel_notice
from bot.metrics import Metrics
from bot.store import OutboxRow, OutboxStore

_LOGGER = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30.0
MAX_RETRY_SECONDS = 3600.0
RETRY_JITTER = 0.2  # each delay is within ±20% of the doubling schedule
PERMANENT_FAILURES_TO_DISABLE = 3
SWEEP_LIMIT = 50


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    skipped_rate_limited: int = 0  # not attempted: their target's bucket was blocked


def retry_delay(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: doubling, capped, and with `rng`
    jittered so that rows which failed together do not all retry together."""
    base = float(min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))
    if rng is None:
        return base
    return float(min(base * rng.uniform(1 - RETRY_JITTER, 1 + RETRY_JITTER), MAX_RETRY_SECONDS))


class Deliverer:
    def __init__(
        self,
        outbox: OutboxStore,
        adapters: Mapping[str, Adapter],
        clock: Callable[[], datetime],
        *,
        rng: random.Random | None = None,
        sweep_limit: int = SWEEP_LIMIT,
        metrics: Metrics | None = None,
    ) -> None:
        self._metrics = metrics or Metrics()
        self._outbox = outbox
        self._adapters = adapters
        self._clock = clock
        self._rng = rng or random.Random()
        self._sweep_limit = sweep_limit
        self._blocked: dict[str, datetime] = {}  # Target.key -> its bucket is closed until
        self._blocks_loaded = False

    def next_opening(self) -> datetime | None:
        """When the earliest blocked or paced target may send again (None: none waits)."""
        now = self._clock()
        return min((until for until in self._blocked.values() if until > now), default=None)

    def blocked_until(self, target_key: str) -> datetime | None:
        until = self._blocked.get(target_key)
        return until if until is not None and until > self._clock() else None

    async def run_once(self) -> DeliveryStats:
        """One sweep: at most sweep_limit due rows, oldest first."""
        await self._load_blocks()
        sent = retried = dead = skipped = 0
        deferred: set[str] = set()  # targets whose rows already wait in the database
        disabled: set[str] = set()
        rows = await self._outbox.due(self._adapters.keys(), self._clock(), self._sweep_limit)
        for row in rows:
            key = row.target.key
            if key in disabled:
                continue  # marked dead together with its channel
            until = self._blocked.get(key)
            if until is not None and until > self._clock():
                skipped += 1
                if key not in deferred:
                    # Rows planned after the block: push them back too, so a blocked target
                    # cannot fill the next sweeps with rows that are only skipped.
                    deferred.add(key)
                    await self._outbox.defer_target(row.target, until, self._clock())
                continue
            self._blocked.pop(key, None)
            adapter = self._adapters[row.target.platform]
            try:
                receipt = await adapter.send(
                    row.target, codec.loads(row.payload), row.idempotency_key
                )
            except RateLimited as exc:
                retried += 1
                deferred.add(key)
                self._metrics.delivery(row.target.platform, "rate_limited")
                await self._block(row, exc)
            except PermanentFailure as exc:
                gone, closed = await self._permanent(row, str(exc))
                dead += gone
                if closed:
                    disabled.add(key)
            except TransientFailure as exc:
                if await self._transient(row, str(exc)):
                    dead += 1
                else:
                    retried += 1
            except Exception as exc:
                # An adapter bug must not stall the queue behind one row: retry it like a
                # passing failure, so it ends in the dead letters with its reason.
                _LOGGER.exception(
                    "delivery %s to %s raised unexpectedly", row.id, key, extra=_context(row)
                )
                if await self._transient(row, f"{type(exc).__name__}: {exc}"):
                    dead += 1
                else:
                    retried += 1
            else:
                sent += 1
                self._metrics.delivery(row.target.platform, "sent")
                await self._outbox.mark_sent(row.id, receipt, self._clock())
                # Stay under the platform's published per-channel pace instead of waiting
                # for its 429: the next message to this target waits out the interval.
                interval = adapter.min_send_interval(row.target)
                if interval > 0:
                    self._blocked[key] = self._clock() + timedelta(seconds=interval)
        return DeliveryStats(sent=sent, retried=retried, dead=dead, skipped_rate_limited=skipped)

    async def _load_blocks(self) -> None:
        """After a restart, blocks recorded by the previous process still hold."""
        if self._blocks_loaded:
            return
        self._blocks_loaded = True
        now = self._clock()
        for health in await self._outbox.target_health():
            if health.blocked_until is not None and health.blocked_until > now:
                self._blocked.setdefault(health.target.key, health.blocked_until)

    async def _block(self, row: OutboxRow, exc: RateLimited) -> None:
        now = self._clock()
        until = now + timedelta(seconds=max(exc.retry_after, 0.0))
        self._blocked[row.target.key] = until
        waiting = await self._outbox.defer_target(row.target, until, now, error=str(exc))
        self._metrics.rate_limit_wait(row.target.platform, exc.retry_after)
        _LOGGER.info(
            "%s is rate limited for %.1f s; %d rows wait for it",
            row.target.key,
            exc.retry_after,
            waiting,
            extra=_context(row),
        )

    async def _permanent(self, row: OutboxRow, reason: str) -> tuple[int, bool]:
        """Returns (rows now dead, whether the channel was disabled)."""
        outcome = await self._outbox.mark_permanent(
            row.id,
            reason,
            self._clock(),
            disable_after=PERMANENT_FAILURES_TO_DISABLE,
            notice=disabled_channel_notice,
        )
        _LOGGER.warning(
            "delivery %s to %s failed for good (%d in a row): %s",
            row.id,
            row.target.key,
            outcome.consecutive,
            reason,
            extra=_context(row),
        )
        self._metrics.delivery(row.target.platform, "dead", 1 + outcome.abandoned)
        if outcome.disabled_reason is None:
            return 1, False
        _LOGGER.warning(
            "announcements to %s are %s; its %d other pending deliveries are marked dead. "
            "/announce here in that channel turns them back on.",
            row.target.key,
            outcome.disabled_reason,
            outcome.abandoned,
            extra=_context(row),
        )
        if outcome.noticed is not None:
            _LOGGER.info(
                "%s, who turned announcements on there, will be told by direct message",
                outcome.noticed.key,
                extra=_context(row),
            )
        return 1 + outcome.abandoned, True

    async def _transient(self, row: OutboxRow, reason: str) -> bool:
        """Schedules a retry, or gives up after MAX_ATTEMPTS; True when the row is now dead."""
        now = self._clock()
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            _LOGGER.warning(
                "delivery %s to %s gave up after %d attempts: %s",
                row.id,
                row.target.key,
                attempts,
                reason,
                extra=_context(row),
            )
            await self._outbox.mark_dead(
                row.id, f"gave up after {attempts} attempts: {reason}", now
            )
            self._metrics.delivery(row.target.platform, "dead")
            return True
        delay = retry_delay(attempts, self._rng)
        _LOGGER.info(
            "delivery %s to %s failed (attempt %d), retrying in %.0f s: %s",
            row.id,
            row.target.key,
            attempts,
            delay,
            reason,
            extra=_context(row),
        )
        await self._outbox.mark_retry(row.id, reason, now + timedelta(seconds=delay), now)
        self._metrics.delivery(row.target.platform, "retry")
        return False


def _context(row: OutboxRow) -> dict[str, object]:
    """The ids a log line about this row carries (the story's, when it announces one)."""
    context: dict[str, object] = {"target": row.target.key, "delivery": row.id}
    kind, _, rest = row.idempotency_key.partition(":")
    story = rest.partition(":")[0]
    if kind == "story" and story.isdigit():
        context["story"] = int(story)
    return context
