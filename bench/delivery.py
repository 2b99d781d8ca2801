"""Delivery: planning fan-out and send throughput to a local endpoint.

    .venv/bin/python -m bench.delivery [--follows 100000] [--channels 5000] [--messages 5000]

1. Planning: a film followed by --follows people and --channels announcing
   channels (half with a kind filter that matches, a quarter with keywords that
   do not). One new story about the film goes through the real ingest: time of
   the pure planner alone, and of the whole ingest transaction that writes every
   outbox row.
2. Throughput: --messages stories' rows for one JSON webhook on 127.0.0.1 with
   no rate limit, sent by the real Deliverer and WebhookAdapter; messages per
   second, with the raw aiohttp POST rate to the same endpoint as the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web

from adapters.webhook import WebhookAdapter, target_of
from bot.config import WebhookTarget
from bot.delivery import codec
from bot.delivery.deliver import Deliverer
from bot.delivery.filters import ChannelFilter
from bot.delivery.follows import Follow, FollowKind
from bot.delivery.plan import plan_follower_messages, plan_story_announcements
from bot.models import FeedItem, Message, StoryKind, Target, Understanding
from bot.store import FetchRecord, Store
from bot.store.planned import PlannedDelivery, write_outbox

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def story_item(n: int, kind: StoryKind = StoryKind.CASTING) -> tuple[FeedItem, Understanding]:
    item = FeedItem(
        feed="Bench",
        key=f"guid:{n}",
        url=f"https://news.example/{n}",
        title=f"'Heat 2' news number {n}",
        summary="The sequel moves ahead.",
        published=NOW,
    )
    return item, Understanding(kind, ("Heat 2",), (), (), summary=item.title)


async def planning(store: Store, follows: int, channels: int) -> None:
    await store.feeds.sync_config_feeds([("Bench", "file:///dev/null")], NOW)
    feed = await store.feeds.get("Bench")
    assert feed is not None
    fetch = FetchRecord(NOW, "fetched", True, NOW, 0, 0)
    await store.ingest(
        feed.id, [story_item(0)], fetch=fetch, announce_limit=0, plan=plan_story_announcements
    )
    film = await store.knowledge.film_by_title("Heat 2")
    assert film is not None
    started = time.perf_counter()
    for n in range(follows):
        user = Target("discord", "guild", user=f"u{n}")
        await store.follows.add(Follow(user, FollowKind.FILM, "Heat 2", "heat 2", film.id), NOW)
    for n in range(channels):
        wanted = (
            ChannelFilter(frozenset({StoryKind.CASTING}))
            if n % 2
            else ChannelFilter(keywords=("dune",))
            if n % 4 == 0
            else ChannelFilter()
        )
        await store.subscriptions.subscribe_channel(
            Target("discord", f"g{n}", f"c{n}"), "b", NOW, wanted
        )
    print(
        f"set-up: {follows:,} follows and {channels:,} channels in {time.perf_counter() - started:.0f} s"
    )

    started = time.perf_counter()
    # Another kind than the first story, so it is a new story rather than one more source.
    result = await store.ingest(
        feed.id,
        [story_item(1, StoryKind.TRAILER)],
        fetch=fetch,
        announce_limit=None,
        plan=plan_story_announcements,
    )
    took = (time.perf_counter() - started) * 1000
    print(
        f"planning a story at ingest (channels: {result.planned:,} outbox rows, followers: one "
        f"fan-out row): {took:.0f} ms (target under 100 ms)"
    )
    started = time.perf_counter()
    batches = 0
    while await store.expand_fanout(plan_follower_messages, NOW):
        batches += 1
    took = time.perf_counter() - started
    counts = await store.outbox.counts()
    print(
        f"fan-out to followers afterwards: {batches} batches, {took:.1f} s, "
        f"{counts.get('pending', 0):,} outbox rows in all"
    )


async def throughput(store: Store, messages: int) -> None:
    received = 0

    async def hook(request: web.Request) -> web.Response:
        nonlocal received
        await request.read()
        received += 1
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}/hook"

    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        for _ in range(1000):
            async with session.post(url, json={"x": 1}) as response:
                await response.read()
        raw = 1000 / (time.perf_counter() - started)
    print(f"baseline: aiohttp POSTs one after another to the endpoint: {raw:,.0f}/s")

    hook_target = WebhookTarget("bench", url, "json")
    adapter = WebhookAdapter([hook_target], allow_private=True)
    await adapter.start(None)  # type: ignore[arg-type]
    target = target_of(hook_target)
    payload = codec.dumps(
        Message(title="A story", body="Its summary", url="https://news.example/1")
    )
    async with store.db.transaction() as conn:
        await write_outbox(
            conn, [PlannedDelivery(f"bench:{n}", target, payload) for n in range(messages)], NOW
        )
    deliverer = Deliverer(
        store.outbox, {"webhook": adapter}, lambda: datetime.now(UTC), sweep_limit=500
    )
    received = 0
    started = time.perf_counter()
    while received < messages:
        stats = await deliverer.run_once()
        if stats.sent == 0:
            break
    took = time.perf_counter() - started
    print(
        f"Deliverer + WebhookAdapter, {messages:,} messages: {received / took:,.0f} messages/s "
        f"({received / took / raw:.2f} of the baseline; target at least 1,000/s)"
    )
    await adapter.stop()
    await runner.cleanup()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--follows", type=int, default=100_000)
    parser.add_argument("--channels", type=int, default=5_000)
    parser.add_argument("--messages", type=int, default=5_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="filmbot-bench-"))
    store = Store(folder / "plan.db")
    await store.open()
    await planning(store, args.follows, args.channels)
    await store.close()
    store = Store(folder / "send.db")
    await store.open()
    await throughput(store, args.messages)
    await store.close()


if __name__ == "__main__":
    asyncio.run(main())
