"""/status through the app and the recording adapter: queue depth, dead letters, the last
error per target and per feed, channels disabled by the deliverer; admins only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.config import load_settings
from bot.delivery import PermanentFailure, RateLimited, TransientFailure
from bot.models import Target
from tests.feedserver import FeedServer
from tests.test_delivery_worker import NOW, Clock, PerTargetAdapter, enqueue

GONE = Target("recording", "guild", channel="gone")
BUSY = Target("recording", "guild", channel="busy")
FLAKY = Target("recording", "guild", channel="flaky")
FINE = Target("recording", "guild", channel="fine")
ADMIN_HERE = Target("recording", "guild", channel="ops")


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[tuple[App, PerTargetAdapter, Clock]]:
    async with FeedServer() as server:
        server.reply("/feed", body=b"<rss version='2.0'><channel><title>t</title></channel></rss>")
        server.reply("/broken", status=500, body=b"boom")
        config = tmp_path / "feeds.yaml"
        config.write_text(
            "allow_private_addresses: true\nfeeds:\n"
            f"  - name: Local\n    url: {server.url('/feed')}\n"
            f"  - name: Broken\n    url: {server.url('/broken')}\n"
        )
        adapter, clock = PerTargetAdapter(), Clock()
        built = App(
            load_settings(config, db_path=tmp_path / "filmbot.db", env={}), [adapter], clock=clock
        )
        await built.open()
        await adapter.start(built.commands)
        try:
            yield built, adapter, clock
        finally:
            await built.close()


async def test_status_when_all_is_well(app: tuple[App, PerTargetAdapter, Clock]) -> None:
    bot, adapter, _ = app
    reply = await adapter.push("/status", can_manage=True, target=ADMIN_HERE)
    assert reply.ok and reply.message.title == "filmbot status"
    assert reply.message.lines == (
        "Queue: 0 pending, 0 due now",
        "Dead letters: 0",
        "Targets: no delivery errors",
        "Feeds: no errors",
        "Disabled channels: none",
    )


async def test_status_shows_queue_dead_letters_errors_and_disabled_channels(
    app: tuple[App, PerTargetAdapter, Clock],
) -> None:
    bot, adapter, clock = app
    store = bot.store
    for channel in (GONE, BUSY, FLAKY, FINE):
        await store.subscriptions.subscribe_channel(channel, "test", NOW)
    for n in range(4):
        await enqueue(store, GONE, f"gone{n}")
    for n in range(2):
        await enqueue(store, BUSY, f"busy{n}")
    await enqueue(store, FLAKY, "flaky0")
    await enqueue(store, FINE, "fine0")
    await enqueue(store, FINE, "later", NOW + timedelta(hours=1))  # pending, not due yet
    adapter.fail(GONE, *(PermanentFailure("Unknown Channel") for _ in range(3)))
    adapter.fail(BUSY, RateLimited(90.0))
    adapter.fail(FLAKY, TransientFailure("HTTP 502 from the gateway"))
    await bot.poll_all_once()  # Broken answers 500
    stats = await bot.deliver_once()
    assert (stats.sent, stats.dead, stats.retried, stats.skipped_rate_limited) == (1, 4, 2, 1)

    clock.advance(20)  # before flaky0's first retry (24 s at the earliest)
    refused = await adapter.push("/status", target=ADMIN_HERE)
    reply = await adapter.push("/status", can_manage=True, target=ADMIN_HERE)

    assert not refused.ok and "manage" in refused.message.body
    assert reply.ok
    lines = reply.message.lines
    text = "\n".join(lines)
    # busy0, busy1 wait for the bucket; flaky0 waits for its retry; "later" is not due yet
    assert lines[0] == "Queue: 4 pending, 0 due now"
    assert lines[1] == "Dead letters: 4 (latest first)"
    dead = lines[2:6]
    assert all(
        line.startswith("  recording:guild:#gone · 2026-11-20 12:00 UTC · ") for line in dead
    )
    assert sum(line.endswith("· Unknown Channel") for line in dead) == 3
    assert sum("channel disabled after 3 permanent failures" in line for line in dead) == 1
    assert "Targets, last error:" in lines
    assert (
        "  recording:guild:#busy: rate limited; retry after 90.0 s (2026-11-20 12:00 UTC)"
        " · rate limited until 2026-11-20 12:01 UTC"
    ) in lines
    assert "  recording:guild:#flaky: HTTP 502 from the gateway (2026-11-20 12:00 UTC)" in lines
    assert (
        "  recording:guild:#gone: Unknown Channel (2026-11-20 12:00 UTC)" in lines
    )  # its streak was reset when the channel was disabled
    assert "#fine" not in text
    assert "Feeds, last error:" in lines
    (broken,) = [line for line in lines if line.startswith("  Broken: ")]
    assert "500" in broken and "failing, 1x in a row" in broken
    assert not any(line.startswith("  Local") for line in lines)
    assert lines[-2:] == (
        "Disabled channels:",
        "  recording:guild:#gone: disabled after 3 permanent failures: Unknown Channel"
        " (2026-11-20 12:00 UTC)",
    )


async def test_help_lists_status_as_an_admin_command(
    app: tuple[App, PerTargetAdapter, Clock],
) -> None:
    _, adapter, _ = app
    reply = await adapter.push("/help")
    assert any(
        line.startswith("/status — ") and line.endswith("(admin)") for line in reply.message.lines
    )
