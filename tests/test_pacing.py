"""Under the platforms' published per-channel limits, no request exceeds them: a local server
plays a Discord webhook (5 per 2 s) and a Slack one (1 per second) and records when each
request came; the running app must space its messages itself, not wait for a 429."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from xml.sax.saxutils import escape

from aiohttp import web

from adapters.webhook import SEND_INTERVALS, WebhookAdapter
from bot.app import App
from bot.config import load_settings
from tests.feedserver import FeedServer

STORIES = 5


def rss(count: int) -> bytes:
    body = "".join(
        f"<item><title>{escape(f'Studio dates the film Quiet Harbor {n}')}</title>"
        f"<link>https://news.example/{n}</link><guid>{n}</guid>"
        f"<pubDate>Mon, 10 Nov 2025 10:{n:02d}:00 GMT</pubDate><description>d</description></item>"
        for n in range(count)
    )
    return f"<rss version='2.0'><channel><title>t</title>{body}</channel></rss>".encode()


async def test_messages_to_one_webhook_keep_the_published_pace(tmp_path: Path) -> None:
    arrivals: dict[str, list[float]] = {"/discord": [], "/slack": []}
    too_fast = []

    def endpoint(path: str, interval: float):  # type: ignore[no-untyped-def]
        async def handle(request: web.BaseRequest) -> web.Response:
            now = time.monotonic()
            if arrivals[path] and now - arrivals[path][-1] < interval * 0.95:
                too_fast.append((path, now - arrivals[path][-1]))
                return web.json_response({"retry_after": interval}, status=429)
            arrivals[path].append(now)
            return web.Response(status=204)

        return handle

    async with FeedServer() as server:
        server.route("/discord", endpoint("/discord", SEND_INTERVALS["discord"]))
        server.route("/slack", endpoint("/slack", SEND_INTERVALS["slack"]))
        server.reply("/feed", body=rss(0))
        config = tmp_path / "feeds.yaml"
        config.write_text(
            "allow_private_addresses: true\n"
            f"feeds:\n  - name: Local\n    url: {server.url('/feed')}\n"
            "announce:\n"
            f"  - name: d\n    webhook: {server.url('/discord')}\n    format: discord\n"
            f"  - name: s\n    webhook: {server.url('/slack')}\n    format: slack\n"
        )
        settings = load_settings(config, db_path=tmp_path / "bot.db", env={})
        app = App(settings, [WebhookAdapter(settings.announce, allow_private=True)])
        await app.open()
        try:
            await app.poll_all_once()
            server.reply("/feed", body=rss(STORIES))
            await app.start()  # the real delivery loop, woken by the poll below
            await app.poll_all_once()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and (
                len(arrivals["/discord"]) < STORIES or len(arrivals["/slack"]) < STORIES
            ):
                await asyncio.sleep(0.1)
        finally:
            await app.stop()
    assert too_fast == []
    assert len(arrivals["/discord"]) == STORIES and len(arrivals["/slack"]) == STORIES
    # paced, not stalled: five Slack messages take about four seconds, not five sweeps of 5 s
    assert arrivals["/slack"][-1] - arrivals["/slack"][0] < (STORIES - 1) * 1.0 + 2.0
