"""The delivery worker against a real SQLite file: per-target rate limit buckets, jittered
backoff, dead letters, channels disabled after repeated permanent failures, and restarts."""

from __future__ import annotations

import logging
import random
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.delivery import PermanentFailure, RateLimited, TransientFailure, codec
from bot.delivery.deliver import (
    FIRST_RETRY_SECONDS,
    MAX_ATTEMPTS,
    MAX_RETRY_SECONDS,
    PERMANENT_FAILURES_TO_DISABLE,
    Deliverer,
    DeliveryStats,
    retry_delay,
)
from bot.models import Message, Target
from bot.store import Store
from bot.store.planned import PlannedDelivery, write_outbox
from bot.store.timefmt import from_db
from tests.recording import RecordingAdapter

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
A = Target("recording", "guild", channel="a")
B = Target("recording", "guild", channel="b")
DM = Target("recording", "guild", user="u1")


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class PerTargetAdapter(RecordingAdapter):
    """The recording adapter, with failures scripted per target and every attempt noted."""

    def __init__(self) -> None:
        super().__init__(announce_channel=None)
        self.script: dict[Target, list[Exception | None]] = {}  # None: this one goes through
        self.attempts: list[tuple[Target, str]] = []  # (target, title) in the order tried

    def fail(self, target: Target, *errors: Exception | None) -> None:
        self.script.setdefault(target, []).extend(errors)

    async def send(self, target: Target, message: Message, idempotency_key: str) -> str:
        self.attempts.append((target, message.title))
        failure = self.script[target].pop(0) if self.script.get(target) else None
        if failure is not None:
            raise failure
        return await super().send(target, message, idempotency_key)

    def titles(self, target: Target) -> list[str]:
        return [message.title for sent_to, message, _ in self.sent if sent_to == target]


async def enqueue(store: Store, target: Target, title: str, now: datetime = NOW) -> None:
    delivery = PlannedDelivery(f"{target.key}/{title}", target, codec.dumps(Message(title=title)))
    async with store.db.transaction() as conn:
        await write_outbox(conn, [delivery], now)


def next_attempt_at(path: Path, title: str) -> datetime:
    with sqlite3.connect(path) as conn:
        row = conn.execute(
            "SELECT next_attempt_at FROM outbox WHERE idempotency_key LIKE ?", (f"%/{title}",)
        ).fetchone()
    moment = from_db(row[0])
    assert moment is not None
    return moment


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = Store(tmp_path / "filmbot.db")
    await opened.open()
    for channel in (A, B):
        await opened.subscriptions.subscribe_channel(channel, "test", NOW)
    yield opened
    await opened.close()


def deliverer(store: Store, adapter: PerTargetAdapter, clock: Clock, **kwargs: object) -> Deliverer:
    return Deliverer(store.outbox, {adapter.platform: adapter}, clock, **kwargs)  # type: ignore[arg-type]


async def test_a_rate_limited_target_waits_exactly_retry_after_while_others_keep_going(
    store: Store, tmp_path: Path
) -> None:
    for target, title in ((A, "a1"), (B, "b1"), (A, "a2"), (B, "b2"), (A, "a3")):
        await enqueue(store, target, title)
    adapter, clock = PerTargetAdapter(), Clock()
    adapter.fail(A, RateLimited(30.0))
    worker = deliverer(store, adapter, clock)

    first = await worker.run_once()

    assert first == DeliveryStats(sent=2, retried=1, dead=0, skipped_rate_limited=2)
    assert adapter.attempts == [(A, "a1"), (B, "b1"), (B, "b2")]  # a2, a3 never tried
    assert worker.blocked_until(A.key) == NOW + timedelta(seconds=30)
    assert worker.blocked_until(B.key) is None
    # The rows themselves wait too, so a restart respects the block; no attempt was counted.
    assert {next_attempt_at(tmp_path / "filmbot.db", t) for t in ("a1", "a2", "a3")} == {
        NOW + timedelta(seconds=30)
    }
    with sqlite3.connect(tmp_path / "filmbot.db") as conn:
        assert conn.execute(
            "SELECT SUM(attempts) FROM outbox WHERE status = 'pending'"
        ).fetchone() == (0,)

    clock.advance(10)
    await enqueue(store, A, "a4", clock())  # planned while A is blocked
    await enqueue(store, B, "b3", clock())
    during = await worker.run_once()
    assert during == DeliveryStats(sent=1, skipped_rate_limited=1)
    assert adapter.titles(B) == ["b1", "b2", "b3"]
    assert next_attempt_at(tmp_path / "filmbot.db", "a4") == NOW + timedelta(seconds=30)

    clock.advance(19.999)
    assert await worker.run_once() == DeliveryStats()
    assert [title for target, title in adapter.attempts if target == A] == ["a1"]

    clock.now = NOW + timedelta(seconds=30)
    after = await worker.run_once()
    assert after == DeliveryStats(sent=4)
    assert adapter.titles(A) == ["a1", "a2", "a3", "a4"]  # oldest first


async def test_a_fractional_retry_after_is_kept_to_the_millisecond(store: Store) -> None:
    await enqueue(store, A, "a1")
    await enqueue(store, A, "a2")
    adapter, clock = PerTargetAdapter(), Clock()
    adapter.fail(A, RateLimited(1.5))
    worker = deliverer(store, adapter, clock)
    await worker.run_once()

    clock.advance(1.499)  # the rows are due in the database (whole seconds); the bucket is not
    early = await worker.run_once()
    clock.advance(0.001)
    on_time = await worker.run_once()

    assert early == DeliveryStats(skipped_rate_limited=2)
    assert on_time == DeliveryStats(sent=2)


def test_retry_delays_double_with_jitter_within_bounds_and_are_capped() -> None:
    rng = random.Random(1)
    for attempts in range(1, 14):
        base = min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), MAX_RETRY_SECONDS)
        delays = [retry_delay(attempts, rng) for _ in range(300)]
        assert all(0.8 * base <= delay <= min(1.2 * base, MAX_RETRY_SECONDS) for delay in delays)
        assert min(delays) < 0.85 * base  # really jittered, both ways below the cap
        if base < MAX_RETRY_SECONDS:
            assert max(delays) > 1.15 * base
    assert retry_delay(3) == 4 * FIRST_RETRY_SECONDS  # without an rng: the plain schedule


async def test_transient_failures_back_off_with_jitter_then_go_dead(
    store: Store, tmp_path: Path
) -> None:
    await enqueue(store, A, "a1")
    await enqueue(store, B, "b1")
    adapter, clock = PerTargetAdapter(), Clock()
    adapter.fail(A, *(TransientFailure("HTTP 503") for _ in range(MAX_ATTEMPTS)))
    worker = deliverer(store, adapter, clock, rng=random.Random(42))
    twin = random.Random(42)  # draws the same jitter the worker will

    delays = []
    for attempt in range(1, MAX_ATTEMPTS):
        stats = await worker.run_once()
        assert (stats.retried, stats.dead) == (1, 0)
        waits_until = next_attempt_at(tmp_path / "filmbot.db", "a1")
        delay = (waits_until - clock()).total_seconds()
        expected = retry_delay(attempt, twin)
        base = FIRST_RETRY_SECONDS * 2 ** (attempt - 1)
        assert delay == int(expected)  # stored to the second
        assert 0.8 * base - 1 < delay <= min(1.2 * base, MAX_RETRY_SECONDS)
        delays.append(delay)
        clock.advance(delay - 1)
        assert await worker.run_once() == DeliveryStats()  # not a second early
        clock.now = waits_until

    last = await worker.run_once()
    assert last == DeliveryStats(dead=1)
    assert adapter.titles(B) == ["b1"]  # sent in the first sweep, never held up by A
    assert len([a for a in adapter.attempts if a[0] == A]) == MAX_ATTEMPTS
    assert delays != [FIRST_RETRY_SECONDS * 2**n for n in range(MAX_ATTEMPTS - 1)]
    (letter,) = await store.outbox.dead_letters()
    assert letter.target == A and letter.dead_at == clock()
    assert letter.reason == f"gave up after {MAX_ATTEMPTS} attempts: HTTP 503"
    assert (await store.outbox.depth(clock())).pending == 0
    assert await store.subscriptions.disabled_channels() == []  # passing failures never disable


async def test_three_permanent_failures_in_a_row_disable_the_channel(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    for title in ("a1", "a2", "a3", "a4", "a5"):
        await enqueue(store, A, title)
    await enqueue(store, B, "b1")
    adapter, clock = PerTargetAdapter(), Clock()
    adapter.fail(A, *(PermanentFailure("Unknown Channel") for _ in range(3)))
    worker = deliverer(store, adapter, clock)

    with caplog.at_level(logging.WARNING, logger="bot.delivery.deliver"):
        stats = await worker.run_once()

    assert PERMANENT_FAILURES_TO_DISABLE == 3
    assert stats == DeliveryStats(sent=1, dead=5)
    assert [title for target, title in adapter.attempts if target == A] == ["a1", "a2", "a3"]
    assert [c.target for c in await store.subscriptions.channels()] == [B]
    (disabled,) = await store.subscriptions.disabled_channels()
    assert disabled.target == A and disabled.disabled_at == NOW
    assert disabled.reason == "disabled after 3 permanent failures: Unknown Channel"
    reasons = sorted(letter.reason for letter in await store.outbox.dead_letters(limit=10))
    assert (
        reasons
        == ["Unknown Channel"] * 3
        + ["channel disabled after 3 permanent failures: Unknown Channel"] * 2
    )
    assert any(
        "recording:guild:#a" in record.getMessage()
        and "disabled after 3 permanent failures: Unknown Channel" in record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING
    )
    assert await store.outbox.counts() == {"sent": 1, "dead": 5}

    # /announce here turns it back on, with a fresh count.
    assert await store.subscriptions.subscribe_channel(A, "admin", NOW) is True
    assert await store.subscriptions.disabled_channels() == []
    await enqueue(store, A, "a6")
    adapter.fail(A, PermanentFailure("Missing Access"))
    assert await worker.run_once() == DeliveryStats(dead=1)
    assert A in [c.target for c in await store.subscriptions.channels()]


async def test_a_success_breaks_the_run_and_direct_messages_are_never_disabled(
    store: Store,
) -> None:
    for title in ("a1", "a2", "a3", "a4"):
        await enqueue(store, A, title)
    for title in ("d1", "d2", "d3"):
        await enqueue(store, DM, title)
    adapter, clock = PerTargetAdapter(), Clock()
    gone = PermanentFailure("Missing Access")
    adapter.fail(A, gone, gone, None, gone)  # a3 goes through: a4 is one failure in a row
    adapter.fail(DM, *(PermanentFailure("Cannot send messages to this user") for _ in range(3)))

    stats = await deliverer(store, adapter, clock).run_once()

    assert stats == DeliveryStats(sent=1, dead=6)
    assert adapter.titles(A) == ["a3"]
    assert await store.subscriptions.disabled_channels() == []
    health = {h.target: h for h in await store.outbox.target_health()}
    assert health[A].consecutive_permanent == 1 and health[A].last_sent_at == NOW
    assert health[DM].consecutive_permanent == 3
    assert health[DM].last_error == "Cannot send messages to this user"


async def test_an_adapter_bug_is_retried_and_does_not_stall_the_queue(store: Store) -> None:
    await enqueue(store, A, "a1")
    await enqueue(store, B, "b1")
    adapter, clock = PerTargetAdapter(), Clock()
    adapter.fail(A, KeyError("embed"))

    stats = await deliverer(store, adapter, clock).run_once()

    assert stats == DeliveryStats(sent=1, retried=1)
    health = {h.target: h for h in await store.outbox.target_health()}
    assert health[A].last_error == "KeyError: 'embed'"


async def test_a_sweep_takes_at_most_its_limit_oldest_first(store: Store) -> None:
    for n in range(5):
        await enqueue(store, A if n % 2 else B, f"m{n}")
    adapter, clock = PerTargetAdapter(), Clock()
    worker = deliverer(store, adapter, clock, sweep_limit=2)

    sweeps = [await worker.run_once() for _ in range(3)]

    assert [s.sent for s in sweeps] == [2, 2, 1]
    assert [title for _, title in adapter.attempts] == ["m0", "m1", "m2", "m3", "m4"]


async def test_nothing_pending_is_lost_across_a_restart(tmp_path: Path, store: Store) -> None:
    for target, title in ((A, "a1"), (B, "b1"), (A, "a2"), (B, "b2")):
        await enqueue(store, target, title)
    before, clock = PerTargetAdapter(), Clock()
    before.fail(B, RateLimited(60.0))
    assert await deliverer(store, before, clock, sweep_limit=2).run_once() == DeliveryStats(
        sent=1, retried=1
    )
    await store.close()  # the process stops with a2 due and B blocked for a minute

    again = Store(tmp_path / "filmbot.db")
    await again.open()
    try:
        after = PerTargetAdapter()
        worker = deliverer(again, after, clock)
        clock.advance(1)
        await enqueue(again, B, "b3", clock())  # planned after the restart, still inside the block
        resumed = await worker.run_once()
        clock.now = NOW + timedelta(seconds=60)
        unblocked = await worker.run_once()
        counts = await again.outbox.counts()
    finally:
        await again.close()
    assert resumed == DeliveryStats(sent=1, skipped_rate_limited=1)
    assert unblocked == DeliveryStats(sent=3)
    assert before.titles(A) == ["a1"] and after.titles(A) == ["a2"]
    assert after.titles(B) == ["b1", "b2", "b3"]
    assert counts == {"sent": 5}
