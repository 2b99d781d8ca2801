"""Understanding throughput against feedparser's own parse of the same items.

    .venv/bin/python -m bench.understand [--items 10000] [--known 50000] [--passes 5]

Generates the items (bench/synthetic.py), writes them as one RSS document, and
measures in the same run: feedparser.parse on that document (the baseline, per
item), filmbot's parse_feed (feedparser plus normalising), and understand() on
every item with a KnownTitles of --known film titles. Prints items per second
and the ratio of understanding to feedparser per item (target: at most 1.0).

One pass of each is at the mercy of whatever else the machine runs (on a shared machine
the ratio of two single passes moved between 1.0 and 1.75 for the same code). So both are then measured
again --passes times, interleaved, in chunks of --chunk items: feedparser parses each
chunk as its own RSS document (per item it costs the same as one big document: feeds
have tens of items), and understand() runs over every item in order, with its caches
emptied before each pass so that no pass gains from an earlier one. Each chunk counts
at its fastest pass, on both sides alike; the ratio of those sums is the steady figure.
"""

from __future__ import annotations

import argparse
import gc
import io
import sys
import time
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import feedparser

from bench.synthetic import film_titles, news_items
from bot.feeds.parse import parse_feed
from bot.news.titles import KnownTitles
from bot.news.understand import understand


def rss(items: list) -> bytes:  # type: ignore[type-arg]
    entries = "".join(
        f"<item><title>{escape(i.title)}</title><link>{i.url}</link><guid>{i.key}</guid>"
        f"<pubDate>{i.published:%a, %d %b %Y %H:%M:%S} GMT</pubDate>"
        f"<description>{escape(i.summary)}</description></item>"
        for i in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Bench</title>"
        f"<link>https://news.example/</link>{entries}</channel></rss>"
    ).encode()


def timed(label: str, count: int, seconds: float) -> float:
    per_item_ms = seconds / count * 1000
    print(f"{label:<44} {count / seconds:>10,.0f} items/s   {per_item_ms:.3f} ms/item")
    return per_item_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--known", type=int, default=50_000)
    parser.add_argument("--passes", type=int, default=5, help="steady passes; 0: none")
    parser.add_argument("--chunk", type=int, default=500)
    args = parser.parse_args()
    titles = film_titles(args.known)
    items = list(news_items(args.items, titles))
    document = rss(items)
    print(
        f"{len(items):,} items, {len(document) / 1e6:.1f} MB of RSS, {len(titles):,} known titles"
    )

    started = time.perf_counter()
    parsed = feedparser.parse(io.BytesIO(document))
    baseline = timed(
        "feedparser.parse (baseline)", len(parsed.entries), time.perf_counter() - started
    )

    started = time.perf_counter()
    ours = parse_feed(document, feed_name="Bench", fetched_at=datetime.now(UTC))
    timed(
        "filmbot parse_feed (feedparser + normalise)",
        len(ours.items),
        time.perf_counter() - started,
    )

    started = time.perf_counter()
    known = KnownTitles((title, title) for title in titles)
    known.find("warm up the automaton")
    print(f"{'KnownTitles build':<44} {time.perf_counter() - started:.2f} s")

    started = time.perf_counter()
    kinds: dict[str, int] = {}
    for item in ours.items:
        kind = understand(item, known=known).kind.value
        kinds[kind] = kinds.get(kind, 0) + 1
    understanding = timed("understand()", len(ours.items), time.perf_counter() - started)
    print(f"ratio understand / feedparser per item: {understanding / baseline:.2f} (target <= 1.0)")
    print("kinds found:", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    if args.passes:
        steady(items, ours.items, known, passes=args.passes, chunk=args.chunk)


def clear_caches() -> None:
    """Empty every cache of the understanding code (lru_cache and the like), as in a freshly
    started bot."""
    for name, module in list(sys.modules.items()):
        if name.startswith(("bot.news", "bot.films")):
            for value in vars(module).values():
                clear = getattr(value, "cache_clear", None)
                if callable(clear) and not isinstance(value, type):
                    clear()


def steady(items: list, feed_items: tuple, known: KnownTitles, *, passes: int, chunk: int) -> None:  # type: ignore[type-arg]
    starts = range(0, len(feed_items), chunk)
    documents = [rss(items[start : start + chunk]) for start in starts]
    parse_best = [float("inf")] * len(documents)
    understand_best = [float("inf")] * len(documents)
    for _ in range(passes):
        gc.collect()
        for index, document in enumerate(documents):
            started = time.perf_counter()
            feedparser.parse(io.BytesIO(document))
            parse_best[index] = min(parse_best[index], time.perf_counter() - started)
        clear_caches()
        for index, start in enumerate(starts):
            started = time.perf_counter()
            for item in feed_items[start : start + chunk]:
                understand(item, known=known)
            understand_best[index] = min(understand_best[index], time.perf_counter() - started)
    print(f"steady: {passes} passes, each chunk of {chunk} items at its fastest")
    baseline = timed("feedparser.parse (baseline, steady)", len(feed_items), sum(parse_best))
    understanding = timed("understand() (steady)", len(feed_items), sum(understand_best))
    print(
        f"steady ratio understand / feedparser per item: {understanding / baseline:.2f} (target <= 1.0)"
    )


if __name__ == "__main__":
    main()
