"""Crash safety: the bot runs as a real subprocess against a local feed server and a local
webhook endpoint, is killed with SIGKILL at random moments while items arrive, and restarted
each time. In the end every story is delivered, and a story reaches the endpoint twice at
most once per crash (the window between a send and marking it sent)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from aiohttp import web

from tests.feedserver import FeedServer

KILLS = 20
REPO = Path(__file__).resolve().parents[1]


def rss(numbers: list[int]) -> bytes:
    items = "".join(
        f"<item><title>'The Quiet Harbor {n}' sets December 18, 2026 release</title>"
        f"<link>https://news.example/{n}</link><guid>item-{n}</guid>"
        f"<pubDate>Mon, 10 Nov 2025 10:{n % 60:02d}:00 GMT</pubDate>"
        f"<description>Studio {n} dated the film.</description></item>"
        for n in numbers
    )
    return f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()


async def start_bot(config: Path, db: Path) -> asyncio.subprocess.Process:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "FILMBOT_"))
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "run", "--headless", "--config", str(config),
        "--db", str(db), cwd=REPO, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261125)
    received: list[dict[str, object]] = []

    async def hook(request: web.BaseRequest) -> web.Response:
        received.append(json.loads(await request.read()))
        return web.Response(status=204)

    async with FeedServer() as server:
        server.route("/hook", hook)
        numbers = list(range(3))  # already in the feed when it is first polled: not announced
        server.reply("/feed", body=rss(numbers))
        config = tmp_path / "feeds.yaml"
        config.write_text(
            "allow_private_addresses: true\n"
            f"defaults:\n  interval: 1s\nfeeds:\n  - name: Local\n    url: {server.url('/feed')}\n"
            f"announce:\n  - name: hook\n    webhook: {server.url('/hook')}\n    format: json\n"
        )
        db = tmp_path / "bot.db"
        # The first poll must see only the first three items, however slowly the bot starts.
        bot = await start_bot(config, db)
        deadline = time.monotonic() + 60
        while not server.requests_to("/feed") and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
        kills = 1
        for _ in range(KILLS - 1):
            bot = await start_bot(config, db)
            await asyncio.sleep(rng.uniform(0.8, 2.5))
            # new items arrive while the bot runs, so kills land in polls, ingest and sends
            numbers.extend(range(len(numbers), len(numbers) + rng.randint(1, 3)))
            server.reply("/feed", body=rss(numbers))
            await asyncio.sleep(rng.uniform(0.0, 1.2))
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
            kills += 1
        expected = {f"'The Quiet Harbor {n}' sets December 18, 2026 release" for n in numbers[3:]}
        bot = await start_bot(config, db)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not expected <= {r["title"] for r in received}:
            await asyncio.sleep(0.3)
        await asyncio.sleep(1.5)  # anything still in flight would arrive now
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), 20) == 0
    titles = Counter(str(r["title"]) for r in received)
    missing = expected - set(titles)
    assert not missing, f"never delivered: {sorted(missing)}"
    assert set(titles) == expected  # nothing from before the first poll, nothing invented
    duplicates = sum(count - 1 for count in titles.values())
    assert duplicates <= kills, f"{duplicates} duplicates after {kills} crashes"
