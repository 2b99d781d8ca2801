"""What the bot counts: polls through the App against a local feed server, deliveries through
the real worker and a real SQLite file, and command latency through the command dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from bot.app import App
from bot.delivery import PermanentFailure, RateLimited, TransientFailure, codec
from bot.delivery.deliver import Deliverer, DeliveryStats
from bot.metrics import Metrics
from bot.models import Invocation, Message, Target
from bot.poll import PollReport
from bot.store import Store
from bot.store.planned import PlannedDelivery, write_outbox
from tests.feedserver import FeedServer
from tests.harness import local_feed_settings, rss
from tests.recording import RecordingAdapter

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
RSS = rss(
    (
        "a",
        "Heat 2 sets a release date",
        "Heat 2 will open in cinemas on August 6, 2027.",
        "Mon, 10 Nov 2025 10:00:00 GMT",
    ),
    (
        "b",
        "Dune: Part Three casts a newcomer",
        "A newcomer joins the cast of Dune: Part Three.",
        "Mon, 10 Nov 2025 11:00:00 GMT",
    ),
)


def value(metrics: Metrics, name: str, **labels: str) -> float:
    found = metrics.registry.get_sample_value(name, labels)
    return 0.0 if found is None else found


def test_every_metrics_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()  # a second one must not clash with the first
    first.delivery("slack", "sent", 3)
    assert value(first, "filmbot_deliveries_total", platform="slack", result="sent") == 3
    assert value(second, "filmbot_deliveries_total", platform="slack", result="sent") == 0
    assert (
        REGISTRY.get_sample_value(
            "filmbot_deliveries_total", {"platform": "slack", "result": "sent"}
        )
        is None
    )  # prometheus_client's global registry is left alone
    text = first.render().decode()
    assert "# TYPE filmbot_deliveries_total counter" in text
    assert 'filmbot_deliveries_total{platform="slack",result="sent"} 3.0' in text


@pytest.fixture
async def app(tmp_path: Path, server: FeedServer) -> AsyncIterator[App]:
    server.reply("/feed", body=RSS, headers={"Content-Type": "application/rss+xml"})
    opened = App(local_feed_settings(tmp_path, server.url("/feed")), [RecordingAdapter()])
    await opened.open()
    yield opened
    await opened.close()


async def test_polls_count_outcomes_fetch_errors_items_and_stories(
    app: App, server: FeedServer
) -> None:
    async def poll() -> PollReport:
        feed = await app.store.feeds.get("Local")
        assert feed is not None
        return await app.poll(feed)

    first = await poll()
    again = await poll()
    server.reply("/feed", status=503, body=b"down")
    broken = await poll()
    server.reply("/feed", status=404, body=b"gone")
    missing = await poll()
    assert (first.outcome, again.outcome, broken.outcome) == ("new", "unchanged", "error")
    assert (broken.error_kind, missing.error_kind) == ("http_5xx", "http_404")

    m = app.metrics
    assert value(m, "filmbot_feed_polls_total", outcome="new") == 1
    assert value(m, "filmbot_feed_polls_total", outcome="unchanged") == 1
    assert value(m, "filmbot_feed_polls_total", outcome="error") == 2
    assert value(m, "filmbot_feed_fetch_errors_total", kind="http_5xx") == 1
    assert value(m, "filmbot_feed_fetch_errors_total", kind="http_404") == 1
    assert value(m, "filmbot_items_ingested_total") == 2
    stories = (await app.store.knowledge.counts())["stories"]
    assert stories == first.new_stories >= 1
    assert value(m, "filmbot_stories_created_total") == stories

    await m.refresh(app.store, NOW)
    assert value(m, "filmbot_stories") == stories


async def test_gauges_keep_their_last_values_when_the_database_cannot_be_read(app: App) -> None:
    await app.store.subscriptions.subscribe_channel(Target("recording", "g", "c"), "t", NOW)
    async with app.store.db.transaction() as conn:
        message = codec.dumps(Message(title="x"))
        await write_outbox(
            conn, [PlannedDelivery("k1", Target("recording", "g", "c"), message)], NOW
        )
    await app.metrics.refresh(app.store, NOW)
    assert value(app.metrics, "filmbot_outbox_depth", state="pending") == 1
    assert value(app.metrics, "filmbot_outbox_depth", state="due") == 1
    await app.store.close()
    await app.metrics.refresh(app.store, NOW)  # logs, does not raise
    assert value(app.metrics, "filmbot_outbox_depth", state="pending") == 1
    await app.store.open()


async def test_deliveries_count_each_result_and_rate_limit_waits(tmp_path: Path) -> None:
    store = Store(tmp_path / "filmbot.db")
    await store.open()
    try:
        targets = {name: Target("recording", "guild", channel=name) for name in "abcd"}
        for target in targets.values():
            await store.subscriptions.subscribe_channel(target, "test", NOW)
        async with store.db.transaction() as conn:
            planned = [
                PlannedDelivery(f"k:{name}", target, codec.dumps(Message(title=name)))
                for name, target in targets.items()
            ]
            await write_outbox(conn, planned, NOW)
        adapter = RecordingAdapter(announce_channel=None)
        adapter.failures = [
            RateLimited(12.5),
            TransientFailure("HTTP 503"),
            PermanentFailure("Unknown Channel"),
        ]
        metrics = Metrics()
        worker = Deliverer(store.outbox, {"recording": adapter}, lambda: NOW, metrics=metrics)
        stats = await worker.run_once()
    finally:
        await store.close()

    assert stats == DeliveryStats(sent=1, retried=2, dead=1)
    for result in ("sent", "retry", "rate_limited", "dead"):
        count = value(metrics, "filmbot_deliveries_total", platform="recording", result=result)
        assert count == 1, result
    assert value(metrics, "filmbot_rate_limit_waits_total", platform="recording") == 1
    assert value(metrics, "filmbot_rate_limit_wait_seconds_total", platform="recording") == 12.5


async def test_command_latency_per_command_and_junk_names_share_one_label(app: App) -> None:
    for name in ("help", "help", "feeds", "zzqx", "qqzz"):
        await app.commands.dispatch(Invocation(command=name, user="u1"))
    m = app.metrics
    assert value(m, "filmbot_command_duration_seconds_count", command="help") == 2
    assert value(m, "filmbot_command_duration_seconds_count", command="feeds") == 1
    assert value(m, "filmbot_command_duration_seconds_count", command="unknown") == 2
    assert (
        m.registry.get_sample_value("filmbot_command_duration_seconds_count", {"command": "zzqx"})
        is None
    )
    # Under the platforms' 3 s limit, the 3.0 bucket holds every answer.
    assert value(m, "filmbot_command_duration_seconds_bucket", command="help", le="3.0") == 2
