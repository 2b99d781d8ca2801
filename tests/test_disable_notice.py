"""A channel disabled after repeated permanent failures: the person who turned its announcements
on hears of it by direct message, once per disabling, through the real App, Deliverer and a real
SQLite file; nobody is told where nobody is known; an old database gains the column."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.delivery import PermanentFailure, codec
from bot.delivery.deliver import PERMANENT_FAILURES_TO_DISABLE, DeliveryStats
from bot.delivery.plan import disabled_channel_notice
from bot.models import Message, Target
from bot.store import Store
from bot.store.db import load_migrations
from bot.store.planned import PlannedDelivery, write_outbox
from tests.harness import local_feed_settings
from tests.recording import RecordingAdapter

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CHANNEL = Target("recording", "T1", channel="C123")
OTHER = Target("recording", "T1", channel="C999")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class ScriptedAdapter(RecordingAdapter):
    """The recording adapter with failures scripted per target."""

    def __init__(self) -> None:
        super().__init__(announce_channel=None)
        self.script: dict[Target, list[Exception]] = {}

    def fail(self, target: Target, error: str, times: int = PERMANENT_FAILURES_TO_DISABLE) -> None:
        self.script.setdefault(target, []).extend(PermanentFailure(error) for _ in range(times))

    async def send(self, target: Target, message: Message, idempotency_key: str) -> str:
        if self.script.get(target):
            raise self.script[target].pop(0)
        return await super().send(target, message, idempotency_key)


async def enqueue(app: App, target: Target, *titles: str) -> None:
    deliveries = [
        PlannedDelivery(f"{target.key}/{title}/{app.clock()}", target, codec.dumps(Message(title)))
        for title in titles
    ]
    async with app.store.db.transaction() as conn:
        await write_outbox(conn, deliveries, app.clock())


def notice_rows(path: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT idempotency_key, target, platform, status FROM outbox "
            "WHERE idempotency_key LIKE 'disabled:%' ORDER BY id"
        ).fetchall()


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[tuple[App, ScriptedAdapter, Clock]]:
    adapter, clock = ScriptedAdapter(), Clock()
    # The feed is never polled here; the app is opened for its store, commands and deliverer.
    app = App(local_feed_settings(tmp_path, "http://127.0.0.1:9/feed"), [adapter], clock=clock)
    await app.open()
    await adapter.start(app.commands)
    try:
        yield app, adapter, clock
    finally:
        await app.close()


async def test_the_person_who_turned_announcements_on_is_told_once(
    running: tuple[App, ScriptedAdapter, Clock], caplog: pytest.LogCaptureFixture
) -> None:
    app, adapter, _ = running
    await adapter.push(
        "/announce here release_date heat 2", user="U42", target=CHANNEL, can_manage=True
    )
    await enqueue(app, CHANNEL, "a1", "a2", "a3", "a4")
    adapter.fail(CHANNEL, "not_in_channel")

    with caplog.at_level(logging.WARNING, logger="bot.delivery.deliver"):
        assert await app.deliver_once() == DeliveryStats(dead=4)

    # The disabling and its notice were committed together; the warning is still logged.
    ((key, target, platform, status),) = notice_rows(app.settings.db_path)
    (disabled,) = await app.store.subscriptions.disabled_channels()
    assert key == f"disabled:recording:T1:#C123:{disabled.disabled_at.isoformat()}"
    assert disabled.disabled_at == NOW and disabled.subscriber == "U42"
    assert (target, platform, status) == ("recording:T1:@U42", "recording", "pending")
    assert any(
        "recording:T1:#C123" in record.getMessage() and "not_in_channel" in record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING
    )

    assert await app.deliver_once() == DeliveryStats(sent=1)
    ((sent_to, message, sent_key),) = adapter.sent
    assert sent_to == Target("recording", "T1", user="U42") and sent_key == key
    assert message.title == "Announcements stopped"
    assert message.body == (
        "filmbot turned off its announcements to the channel C123, which you turned on: "
        "3 deliveries to it in a row failed for good."
    )
    assert [(f.name, f.value) for f in message.fields] == [
        ("Channel", "C123"),
        ("Server or workspace", "T1"),
        ("Last error", "not_in_channel"),
    ]
    assert message.lines == (
        "To turn them back on:",
        "1. Give filmbot access to that channel: invite it, or let it view the channel and "
        "send messages there.",
        "2. Run /announce here in that channel again, with the filter it had "
        "(kinds: release_date; matching: heat 2).",
    )
    assert "<#" not in message.body and "@" not in message.body

    # Written once: more sweeps send nothing, and planning the same disabling again (as a
    # replay would) writes nothing, because its key is made from the stored disabling.
    assert await app.deliver_once() == DeliveryStats()
    replay = disabled_channel_notice(disabled, 3, "not_in_channel")
    assert replay is not None and replay.idempotency_key == key
    async with app.store.db.transaction() as conn:
        assert await write_outbox(conn, [replay], NOW) == 0
    assert len(notice_rows(app.settings.db_path)) == 1
    assert len(adapter.sent) == 1


async def test_nobody_is_told_when_no_user_is_known(
    running: tuple[App, ScriptedAdapter, Clock], caplog: pytest.LogCaptureFixture
) -> None:
    app, adapter, clock = running
    # By configuration or before migration 009: a display name at most, no user id.
    await app.store.subscriptions.subscribe_channel(CHANNEL, "configuration", clock())
    await enqueue(app, CHANNEL, "a1", "a2", "a3")
    adapter.fail(CHANNEL, "Missing Access")

    with caplog.at_level(logging.WARNING, logger="bot.delivery.deliver"):
        assert await app.deliver_once() == DeliveryStats(dead=3)
        assert await app.deliver_once() == DeliveryStats()

    (disabled,) = await app.store.subscriptions.disabled_channels()
    assert disabled.target == CHANNEL and disabled.subscriber == ""
    assert notice_rows(app.settings.db_path) == []
    assert adapter.sent == []
    assert await app.store.outbox.counts() == {"dead": 3}
    assert any(
        "announcements to recording:T1:#C123 are disabled" in record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING
    )


async def test_announce_here_again_then_a_second_disabling_tells_again(
    running: tuple[App, ScriptedAdapter, Clock],
) -> None:
    app, adapter, clock = running
    await adapter.push("/announce here", user="U42", target=CHANNEL, can_manage=True)
    await adapter.push("/announce here", user="U7", target=OTHER, can_manage=True)
    await enqueue(app, CHANNEL, "a1", "a2", "a3")
    adapter.fail(CHANNEL, "not_in_channel")
    await app.deliver_once()
    await app.deliver_once()
    assert [target for target, _, _ in adapter.sent] == [Target("recording", "T1", user="U42")]
    (first,) = [message for _, message, _ in adapter.sent]
    assert first.lines[-1] == "2. Run /announce here in that channel again."  # no filter

    # Someone else turns it back on; it fails again later: a second disabling, a second notice,
    # to the person who turned it on this time. The other channel never hears a thing.
    clock.now += timedelta(hours=1)
    reply = await adapter.push("/announce here", user="U43", target=CHANNEL, can_manage=True)
    assert "will now receive" in (reply.message.body or "")
    assert await app.store.subscriptions.disabled_channels() == []
    await enqueue(app, CHANNEL, "b1", "b2", "b3")
    adapter.fail(CHANNEL, "channel_not_found")
    assert await app.deliver_once() == DeliveryStats(dead=3)
    assert await app.deliver_once() == DeliveryStats(sent=1)

    assert [target for target, _, _ in adapter.sent] == [
        Target("recording", "T1", user="U42"),
        Target("recording", "T1", user="U43"),
    ]
    second = adapter.sent[1][1]
    assert [(f.name, f.value) for f in second.fields][-1] == ("Last error", "channel_not_found")
    keys = [key for key, _, _, _ in notice_rows(app.settings.db_path)]
    assert keys == [
        f"disabled:recording:T1:#C123:{NOW.isoformat()}",
        f"disabled:recording:T1:#C123:{(NOW + timedelta(hours=1)).isoformat()}",
    ]
    assert [c.target for c in await app.store.subscriptions.channels()] == [OTHER]


async def test_a_database_at_version_8_gains_the_subscriber_column(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        for migration in load_migrations()[:8]:
            conn.executescript(migration.sql)
        conn.execute("PRAGMA user_version = 8")
        conn.execute(
            "INSERT INTO channel_subscriptions (target, created_at, created_by) "
            "VALUES (?, ?, 'alice')",
            (CHANNEL.key, NOW.isoformat()),
        )
    assert "009_subscriber_user.sql" in [m.name for m in load_migrations()]

    store = Store(path)
    await store.open()
    try:
        assert await store.db.schema_version() >= 9
        assert [c.target for c in await store.subscriptions.channels()] == [CHANNEL]
        assert await store.subscriptions.disable_channel(CHANNEL, "gone", NOW) is True
        (disabled,) = await store.subscriptions.disabled_channels()
        assert disabled.subscriber == ""  # an old subscription: nobody to tell
        assert disabled_channel_notice(disabled, 3, "gone") is None
        # /announce here again records who asked.
        await store.subscriptions.subscribe_channel(CHANNEL, "bob", NOW, created_by_user="U9")
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute(
            "SELECT created_by, created_by_user, disabled_at FROM channel_subscriptions"
        ).fetchall() == [("bob", "U9", None)]
