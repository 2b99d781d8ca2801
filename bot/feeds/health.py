"""Feed health: when to poll a feed next after a fetch, and when to give up on it.

Pure functions, no I/O: the caller stores :class:`FeedHealth` on the feed's row so an
operator can see why a feed is quiet.

The k-th consecutive failure waits ``interval * 2**(k-1)``, so one blip only repeats
the normal schedule, jittered by +-15% so feeds that failed together do not retry in
step, and capped at ``max(MAX_BACKOFF_SECONDS, interval)``. A server's Retry-After is a
floor for the wait, itself capped at ``MAX_RETRY_AFTER_SECONDS`` so a broken or hostile
header cannot silence a feed for weeks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.feeds.fetch import FetchOutcome, FetchResult

MAX_BACKOFF_SECONDS = 6 * 3600
MAX_RETRY_AFTER_SECONDS = 24 * 3600
# A 404 can be a passing deploy mistake; five in a row, with backoff between them,
# span about 15 normal intervals (about 4 hours at a 15-minute interval).
DISABLE_AFTER_404S = 5
JITTER = 0.15

GONE_REASON = "gone: the server says the feed was removed (HTTP 410)"

_MAX_EXPONENT = 30  # 2**30 intervals is far past any cap; keeps the float finite
_RNG = random.Random()


@dataclass(frozen=True)
class FeedHealth:
    consecutive_failures: int = 0
    consecutive_404s: int = 0
    disabled_reason: str | None = None  # set when the feed should no longer be polled


def _not_found_reason(count: int) -> str:
    return (
        f"not found: the feed URL answered HTTP 404 {count} times in a row; "
        "check the URL, then re-enable the feed"
    )


def backoff_seconds(failures: int, *, interval: float, rng: random.Random | None = None) -> float:
    """Seconds to wait after ``failures`` consecutive failures (at least 1), jittered and capped."""
    exponent = min(max(failures, 1) - 1, _MAX_EXPONENT)
    jitter = (rng if rng is not None else _RNG).uniform(1 - JITTER, 1 + JITTER)
    return float(min(interval * 2**exponent * jitter, max(MAX_BACKOFF_SECONDS, interval)))


def after_fetch(
    health: FeedHealth,
    result: FetchResult,
    *,
    interval: float,
    now: datetime,
    rng: random.Random | None = None,
) -> tuple[FeedHealth, datetime]:
    """The feed's new health and when to poll it next.

    When the returned health has ``disabled_reason`` set, the caller stops polling; the
    time is still filled in for callers that only log it.
    """
    if now.tzinfo is None:
        raise ValueError("after_fetch needs a timezone-aware 'now'")
    if result.outcome is not FetchOutcome.ERROR:
        return FeedHealth(), now + timedelta(seconds=interval)

    failures = health.consecutive_failures + 1
    not_found = health.consecutive_404s + 1 if result.error_kind == "http_404" else 0
    reason = health.disabled_reason
    if result.error_kind == "http_410":
        reason = GONE_REASON
    elif not_found >= DISABLE_AFTER_404S:
        reason = _not_found_reason(not_found)

    delay = backoff_seconds(failures, interval=interval, rng=rng)
    if result.retry_after is not None:
        delay = max(delay, min(result.retry_after, MAX_RETRY_AFTER_SECONDS))
    new_health = FeedHealth(
        consecutive_failures=failures, consecutive_404s=not_found, disabled_reason=reason
    )
    return new_health, now + timedelta(seconds=delay)
