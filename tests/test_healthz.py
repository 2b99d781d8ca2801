"""/healthz, /livez and /metrics over a real socket, from a running App that polls a feed on a
local server into a real SQLite file and delivers through the recording adapter."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import App
from bot.healthz import HealthServer
from bot.metrics import Metrics
from bot.store import Store
from tests.feedserver import FeedServer
from tests.harness import local_feed_settings, rss
from tests.recording import RecordingAdapter

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


class SwitchableAdapter(RecordingAdapter):
    """The recording adapter, with a platform connection the test can drop."""

    def __init__(self) -> None:
        super().__init__()
        self.online = True

    @property
    def connected(self) -> bool:
        return self.online


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait (10 s at most) for something the running bot does in the background."""

    async def until() -> None:
        while not await check():
            await asyncio.sleep(0.02)

    try:
        await asyncio.wait_for(until(), 10)
    except TimeoutError:
        pytest.fail(f"never saw {what}")


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, parsed by prometheus_client's own parser."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.fixture
async def running(
    tmp_path: Path, server: FeedServer
) -> AsyncIterator[tuple[App, SwitchableAdapter, aiohttp.ClientSession]]:
    server.reply("/feed", body=RSS, headers={"Content-Type": "application/rss+xml"})
    settings = local_feed_settings(
        tmp_path, server.url("/feed"), extra="defaults:\n  backfill: 1\n"
    )
    adapter = SwitchableAdapter()
    app = App(dataclasses.replace(settings, health_port=0), [adapter])
    await app.start()
    try:
        async with aiohttp.ClientSession() as client:
            yield app, adapter, client
    finally:
        await app.stop()


async def get_json(client: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, object]]:
    async with client.get(url) as response:
        assert response.content_type == "application/json"
        return response.status, await response.json()


async def test_healthz_is_ok_and_metrics_count_what_the_running_bot_did(running) -> None:
    app, adapter, client = running
    assert app.health is not None and app.health.port > 0
    base = app.health.url

    status, body = await get_json(client, f"{base}/healthz")
    assert status == 200
    assert body == {
        "status": "ok",
        "live": True,
        "ready": True,
        "checks": {"database": "ok", "adapter:recording": "connected"},
    }

    # The scheduled poll stores both items and announces the newest (backfill 1); the
    # delivery loop sends it through the adapter.
    async def delivered() -> bool:
        return len(adapter.sent) == 1

    await eventually(delivered, "the backfilled story delivered")
    async with client.get(f"{base}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        scraped = samples(await response.text())

    stories = (await app.store.knowledge.counts())["stories"]
    depth = await app.store.outbox.depth(app.clock())
    assert stories >= 1
    assert scraped[("filmbot_feed_polls_total", (("outcome", "new"),))] == 1
    assert scraped[("filmbot_items_ingested_total", ())] == 2
    assert scraped[("filmbot_stories_created_total", ())] == stories
    assert scraped[("filmbot_stories", ())] == stories
    assert scraped[("filmbot_outbox_depth", (("state", "pending"),))] == depth.pending
    assert scraped[("filmbot_outbox_depth", (("state", "dead"),))] == 0
    sent = ("filmbot_deliveries_total", (("platform", "recording"), ("result", "sent")))
    assert scraped[sent] == 1

    # A command answered through the adapter lands in its histogram.
    await adapter.push("/help")
    async with client.get(f"{base}/metrics") as response:
        scraped = samples(await response.text())
    help_count = ("filmbot_command_duration_seconds_count", (("command", "help"),))
    assert scraped[help_count] == 1


async def test_metrics_speak_openmetrics_to_a_scraper_that_asks(running) -> None:
    app, _, client = running
    assert app.health is not None
    headers = {"Accept": "application/openmetrics-text; version=1.0.0"}
    async with client.get(f"{app.health.url}/metrics", headers=headers) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/openmetrics-text")
        text = await response.text()
    assert text.endswith("# EOF\n")
    assert "filmbot_outbox_depth{" in text


async def test_a_disconnected_adapter_makes_the_bot_unready_but_alive(running) -> None:
    app, adapter, client = running
    assert app.health is not None
    adapter.online = False
    status, body = await get_json(client, f"{app.health.url}/healthz")
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["live"] is True and body["ready"] is False
    assert body["checks"] == {"database": "ok", "adapter:recording": "disconnected"}
    status, live = await get_json(client, f"{app.health.url}/livez")
    assert (status, live) == (200, {"status": "ok", "live": True})

    adapter.online = True
    status, body = await get_json(client, f"{app.health.url}/healthz")
    assert status == 200 and body["ready"] is True


async def test_an_unreachable_database_makes_the_bot_unready(running) -> None:
    app, _, client = running
    assert app.health is not None
    await app.store.close()
    try:
        status, body = await get_json(client, f"{app.health.url}/healthz")
        assert status == 503
        assert body["ready"] is False and body["live"] is True
        checks = body["checks"]
        assert isinstance(checks, dict)
        assert checks["database"] == "unavailable: the database is not open"
        assert checks["adapter:recording"] == "connected"
        # The scrape still answers: the counters do not need the database.
        async with aiohttp.ClientSession() as other:
            async with other.get(f"{app.health.url}/metrics") as response:
                assert response.status == 200
                assert "filmbot_feed_polls_total" in await response.text()
    finally:
        await app.store.open()  # stop() unsubscribes the recording channel
    status, body = await get_json(client, f"{app.health.url}/healthz")
    assert status == 200 and body["checks"] == {
        "database": "ok",
        "adapter:recording": "connected",
    }


async def test_stop_closes_the_listener_and_no_port_means_no_listener(
    tmp_path: Path, server: FeedServer
) -> None:
    settings = local_feed_settings(tmp_path, server.url("/feed"))
    assert settings.health_port is None
    quiet = App(settings, [RecordingAdapter()])
    await quiet.start()
    await quiet.stop()
    assert quiet.health is None

    app = App(dataclasses.replace(settings, health_port=0), [RecordingAdapter()])
    await app.start()
    assert app.health is not None
    url = f"{app.health.url}/livez"
    await app.stop()
    assert app.health is None
    async with aiohttp.ClientSession() as client:
        with pytest.raises(aiohttp.ClientConnectionError):
            async with client.get(url):
                pass


async def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.db")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        health = HealthServer(
            store=store, adapters={}, metrics=Metrics(), clock=lambda: datetime.now(UTC), port=port
        )
        with pytest.raises(OSError, match=f"127.0.0.1:{port}.*HEALTH_PORT"):
            await health.start()


async def test_filmbot_run_serves_health_from_the_environment(tmp_path: Path) -> None:
    """The whole command line: HEALTH_PORT and LOG_FORMAT from the environment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "FILMBOT_"))
    }
    env |= {"HEALTH_PORT": str(port), "LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1"}
    demo = Path(__file__).resolve().parents[1] / "examples" / "demo.yaml"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "run",
        "--headless",
        "--config",
        str(demo),
        "--db",
        str(tmp_path / "demo.db"),
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with aiohttp.ClientSession() as client:

            async def polled() -> bool:
                try:
                    async with client.get(f"http://127.0.0.1:{port}/metrics") as response:
                        scraped = samples(await response.text())
                except aiohttp.ClientConnectionError:
                    return False  # still starting
                return scraped.get(("filmbot_items_ingested_total", ()), 0) > 0

            await eventually(polled, "the demo feeds polled")
            status, body = await get_json(client, f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and body["ready"] is True
        checks = body["checks"]
        assert isinstance(checks, dict) and checks["database"] == "ok"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, stderr.decode()
    lines = stderr.decode().splitlines()
    events = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(
        e["msg"].startswith(f"health and metrics on http://127.0.0.1:{port}") for e in events
    )
