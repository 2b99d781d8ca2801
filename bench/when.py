"""/when latency with a large knowledge base (default 50,000 films and 500,000 stories).

    .venv/bin/python -m bench.when [--films 50000] [--stories 500000] [--db PATH]

Fills a fresh SQLite file through the real ingest path (one transaction per
10,000 items), then times /when through the command dispatcher, as a chat
adapter calls it: exact titles, other spellings ("the silent harbor ii"), typos
and unknown titles. Prints median and p99 per kind of query. The database is
kept (pass --db to reuse one: filling it again is skipped when it is full).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench.synthetic import film_titles, news_items
from bot.app import App
from bot.config import Defaults, FeedSettings, Settings
from bot.delivery.plan import plan_story_announcements
from bot.models import Invocation, Precision, ReleaseMention, StoryKind, Understanding
from bot.store import FetchRecord

KINDS = [kind for kind in StoryKind if kind is not StoryKind.NOT_FILM]
BATCH = 10_000


def settings_for(db: Path) -> Settings:
    feed = FeedSettings(
        name="Bench", url="file:///dev/null", interval=900, timeout=20, max_body_bytes=1, backfill=0
    )
    return Settings(config_path=None, db_path=db, defaults=Defaults(), feeds=(feed,))


async def fill(app: App, films: int, stories: int) -> None:
    titles = film_titles(films)
    feed = await app.store.feeds.get("Bench")
    assert feed is not None
    rng = random.Random(3)
    started = time.perf_counter()
    batch = []
    for n, item in enumerate(news_items(stories, titles)):
        # Every film gets stories: the first pass walks the titles in order.
        title = titles[n] if n < len(titles) else rng.choice(titles)
        kind = KINDS[n % len(KINDS)]
        releases: tuple[ReleaseMention, ...] = ()
        if kind is StoryKind.RELEASE_DATE:
            day = date(2026 + n % 5, 1 + n % 12, 1 + n % 28)
            releases = (ReleaseMention(title, day, Precision.DAY, day.isoformat()),)
        batch.append(
            (item, Understanding(kind, (title,), (), releases, summary=item.title, status=""))
        )
        if len(batch) == BATCH:
            await app.store.ingest(
                feed.id, batch, fetch=_fetch(), announce_limit=0, plan=plan_story_announcements
            )
            batch = []
            print(f"  {n + 1:,} items stored ({time.perf_counter() - started:.0f} s)", flush=True)
    if batch:
        await app.store.ingest(
            feed.id, batch, fetch=_fetch(), announce_limit=0, plan=plan_story_announcements
        )


def _fetch() -> FetchRecord:
    now = datetime.now(UTC)
    return FetchRecord(now, "fetched", True, now, 0, 0)


async def time_when(app: App, queries: list[str]) -> list[float]:
    timings = []
    for query in queries:
        started = time.perf_counter()
        reply = await app.commands.dispatch(Invocation(command="when", text=query))
        timings.append((time.perf_counter() - started) * 1000)
        assert reply.message.body or reply.message.lines
    return timings


def describe(name: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{name:<28} n={len(ordered):<5} median {statistics.median(ordered):7.2f} ms   p99 {p99:7.2f} ms"


def typo(title: str, rng: random.Random) -> str:
    letters = list(title.lower())
    i = rng.randrange(4, len(letters) - 1)
    letters[i], letters[i + 1] = letters[i + 1], letters[i]
    return "".join(letters)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--films", type=int, default=50_000)
    parser.add_argument("--stories", type=int, default=500_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--queries", type=int, default=2_000)
    args = parser.parse_args()
    db = args.db or Path(tempfile.mkdtemp(prefix="filmbot-bench-")) / "bench.db"
    app = App(settings_for(db))
    await app.open()
    counts = await app.store.knowledge.counts()
    if counts["stories"] < args.stories:
        print(f"filling {db} with {args.films:,} films and {args.stories:,} stories ...")
        started = time.perf_counter()
        await fill(app, args.films, args.stories)
        print(f"filled in {time.perf_counter() - started:.0f} s")
        await app.close()
        app = App(settings_for(db))
        started = time.perf_counter()
        await app.open()
        print(f"start-up with the indexes loaded: {time.perf_counter() - started:.2f} s")
    counts = await app.store.knowledge.counts()
    print(
        f"database: {counts['films']:,} films, {counts['stories']:,} stories, "
        f"{counts['release_facts']:,} release facts"
    )
    rng = random.Random(11)
    titles = film_titles(args.films)
    sample = [rng.choice(titles) for _ in range(args.queries)]
    await time_when(app, sample[:50])  # warm the page cache
    print(describe("/when <exact title>", await time_when(app, sample)))
    print(
        describe(
            "/when <other spelling>",
            await time_when(app, [t.lower().replace(" 2", " ii") for t in sample]),
        )
    )
    print(
        describe("/when <typo> (fuzzy)", await time_when(app, [typo(t, rng) for t in sample[:500]]))
    )
    print(
        describe(
            "/when <unknown title>", await time_when(app, [f"Zork {n} Qwerty" for n in range(500)])
        )
    )
    await app.close()


if __name__ == "__main__":
    asyncio.run(main())
