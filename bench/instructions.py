"""One side of the understanding benchmark alone, for counting instructions with valgrind.

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        .venv/bin/python -m bench.instructions {none,feedparser,understand}

Each mode does the same set-up (6,000 generated items, 50,000 known titles), then `none`
stops, `feedparser` parses the items as RSS documents of 500 items, and `understand` runs
understand() on every item with its caches emptied first. Subtract the `none` count from
the others and divide by 6,000 for instructions per item. Unlike wall time on a shared
machine, the counts repeat run after run.
"""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime

import feedparser

from bench.synthetic import film_titles, news_items
from bench.understand import clear_caches, rss
from bot.feeds.parse import parse_feed
from bot.news.titles import KnownTitles
from bot.news.understand import understand

ITEMS = 6_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("none", "feedparser", "understand"))
    mode = parser.parse_args().mode
    titles = film_titles(50_000)
    generated = list(news_items(ITEMS, titles))
    items = parse_feed(rss(generated), feed_name="Bench", fetched_at=datetime.now(UTC)).items
    documents = [rss(generated[start : start + 500]) for start in range(0, ITEMS, 500)]
    known = KnownTitles((title, title) for title in titles)
    known.find("warm up the automaton")
    if mode == "feedparser":
        for document in documents:
            feedparser.parse(io.BytesIO(document))
    elif mode == "understand":
        clear_caches()
        for item in items:
            understand(item, known=known)


if __name__ == "__main__":
    main()
