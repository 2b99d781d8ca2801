"""Feed health and backoff: tables of cases for the pure after_fetch()."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.feeds.fetch import FetchOutcome, FetchResult
from bot.feeds.health import (
    DISABLE_AFTER_404S,
    GONE_REASON,
    JITTER,
    MAX_BACKOFF_SECONDS,
    MAX_RETRY_AFTER_SECONDS,
    FeedHealth,
    after_fetch,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
URL = "https://example.com/feed"
INTERVAL = 900.0

OK = FetchResult(outcome=FetchOutcome.OK, url=URL, status=200, body=b"<rss/>")
NOT_MODIFIED = FetchResult(outcome=FetchOutcome.NOT_MODIFIED, url=URL, status=304)


def _error(
    kind: str, *, status: int | None = None, retry_after: float | None = None
) -> FetchResult:
    return FetchResult(
        outcome=FetchOutcome.ERROR,
        url=URL,
        status=status,
        error_kind=kind,
        error="it failed",
        retry_after=retry_after,
    )


class _NoJitter(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return 1.0


def _delay(next_poll: datetime) -> float:
    return (next_poll - NOW).total_seconds()


@pytest.mark.parametrize("result", [OK, NOT_MODIFIED])
def test_success_resets_and_polls_at_the_interval(result: FetchResult) -> None:
    sick = FeedHealth(consecutive_failures=7, consecutive_404s=2)
    health, next_poll = after_fetch(sick, result, interval=INTERVAL, now=NOW)
    assert health == FeedHealth()
    assert next_poll == NOW + timedelta(seconds=INTERVAL)


@pytest.mark.parametrize(
    ("failures_before", "expected_delay"),
    [
        (0, INTERVAL),  # one blip repeats the normal schedule
        (1, 2 * INTERVAL),
        (2, 4 * INTERVAL),
        (3, 8 * INTERVAL),
        (4, 16 * INTERVAL),
        (5, MAX_BACKOFF_SECONDS),  # 32 * 15 min passes the 6 h cap
        (50, MAX_BACKOFF_SECONDS),
        (5000, MAX_BACKOFF_SECONDS),  # no float overflow
    ],
)
def test_backoff_grows_and_is_capped(failures_before: int, expected_delay: float) -> None:
    health = FeedHealth(consecutive_failures=failures_before)
    new, next_poll = after_fetch(
        health, _error("timeout"), interval=INTERVAL, now=NOW, rng=_NoJitter()
    )
    assert new.consecutive_failures == failures_before + 1
    assert new.disabled_reason is None
    assert _delay(next_poll) == pytest.approx(expected_delay)


def test_cap_is_never_below_the_interval() -> None:
    daily = 24 * 3600.0
    _, next_poll = after_fetch(
        FeedHealth(consecutive_failures=3), _error("http_5xx"), interval=daily, now=NOW
    )
    assert _delay(next_poll) == pytest.approx(daily)


@pytest.mark.parametrize("seed", range(20))
def test_jitter_stays_within_bounds(seed: int) -> None:
    health = FeedHealth(consecutive_failures=2)
    _, next_poll = after_fetch(
        health, _error("connection"), interval=INTERVAL, now=NOW, rng=random.Random(seed)
    )
    base = 4 * INTERVAL
    assert base * (1 - JITTER) <= _delay(next_poll) <= base * (1 + JITTER)


def test_jitter_is_reproducible_with_a_seeded_rng() -> None:
    runs = [
        after_fetch(
            FeedHealth(), _error("timeout"), interval=INTERVAL, now=NOW, rng=random.Random(7)
        )
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    spread = {
        _delay(after_fetch(FeedHealth(), _error("timeout"), interval=INTERVAL, now=NOW)[1])
        for _ in range(20)
    }
    assert len(spread) > 1  # without a seed the delays differ


def test_jitter_at_the_cap_never_passes_it() -> None:
    for seed in range(50):
        _, next_poll = after_fetch(
            FeedHealth(consecutive_failures=20),
            _error("timeout"),
            interval=INTERVAL,
            now=NOW,
            rng=random.Random(seed),
        )
        assert _delay(next_poll) <= MAX_BACKOFF_SECONDS


@pytest.mark.parametrize(
    ("kind", "retry_after", "failures_before", "expected_delay"),
    [
        ("http_429", 7200.0, 0, 7200.0),  # the floor beats the first backoff
        ("http_5xx", 7200.0, 0, 7200.0),  # a 503 with Retry-After
        ("http_429", 60.0, 3, 8 * INTERVAL),  # backoff beats a short Retry-After
        ("http_429", 0.0, 0, INTERVAL),
        ("http_429", 10 * 24 * 3600.0, 0, MAX_RETRY_AFTER_SECONDS),  # absurd values capped
        ("http_429", 12 * 3600.0, 9, 12 * 3600.0),  # past the backoff cap, still honoured
    ],
)
def test_retry_after_is_a_floor(
    kind: str, retry_after: float, failures_before: int, expected_delay: float
) -> None:
    _, next_poll = after_fetch(
        FeedHealth(consecutive_failures=failures_before),
        _error(kind, retry_after=retry_after),
        interval=INTERVAL,
        now=NOW,
        rng=_NoJitter(),
    )
    assert _delay(next_poll) == pytest.approx(expected_delay)


def test_410_disables_at_once() -> None:
    health, _ = after_fetch(
        FeedHealth(), _error("http_410", status=410), interval=INTERVAL, now=NOW
    )
    assert health.disabled_reason == GONE_REASON
    assert "410" in GONE_REASON


def test_consecutive_404s_disable() -> None:
    health = FeedHealth()
    for count in range(1, DISABLE_AFTER_404S):
        health, _ = after_fetch(health, _error("http_404", status=404), interval=INTERVAL, now=NOW)
        assert (health.consecutive_404s, health.disabled_reason) == (count, None)
    health, _ = after_fetch(health, _error("http_404", status=404), interval=INTERVAL, now=NOW)
    assert health.consecutive_404s == DISABLE_AFTER_404S
    assert health.disabled_reason is not None
    assert "404" in health.disabled_reason and "re-enable" in health.disabled_reason


def test_other_failures_break_a_404_streak() -> None:
    health = FeedHealth(consecutive_failures=4, consecutive_404s=DISABLE_AFTER_404S - 1)
    health, _ = after_fetch(health, _error("timeout"), interval=INTERVAL, now=NOW)
    assert (health.consecutive_failures, health.consecutive_404s) == (5, 0)
    health, _ = after_fetch(health, _error("http_404", status=404), interval=INTERVAL, now=NOW)
    assert (health.consecutive_404s, health.disabled_reason) == (1, None)


def test_success_clears_a_404_streak() -> None:
    health = FeedHealth(consecutive_failures=2, consecutive_404s=2)
    health, _ = after_fetch(health, OK, interval=INTERVAL, now=NOW)
    health, _ = after_fetch(health, _error("http_404", status=404), interval=INTERVAL, now=NOW)
    assert health.consecutive_404s == 1


def test_naive_now_is_refused() -> None:
    naive = datetime(2025, 6, 1, 12, 0)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="timezone-aware"):
        after_fetch(FeedHealth(), OK, interval=INTERVAL, now=naive)
