"""Every document of feedparser's own test corpus goes through parse_feed without surprises.

The corpus (about 2,100 well-formed, ill-formed, oddly encoded and entity-laden documents) lives
outside the repository: FILMBOT_FEED_CORPUS, or ../shared/corpora/feedparser-tests beside the
repository root. A relative FILMBOT_FEED_CORPUS is taken relative to the repository root.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.feeds.parse import FeedParseError, parse_feed

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = Path("../shared/corpora/feedparser-tests")
MIN_FILES = 2000
SKIPPED_NAMES = {"LICENSE", "README", "README.md", "README.txt"}
FETCHED_AT = datetime(2025, 6, 12, 12, 0, tzinfo=UTC)


def _corpus_dir() -> Path:
    configured = Path(os.environ.get("FILMBOT_FEED_CORPUS") or DEFAULT_CORPUS)
    return configured if configured.is_absolute() else (REPO_ROOT / configured).resolve()


def _corpus_files(root: Path) -> list[Path]:
    return sorted(
        path for path in root.rglob("*") if path.is_file() and path.name not in SKIPPED_NAMES
    )


def test_every_corpus_document_parses_or_is_rejected_cleanly() -> None:
    root = _corpus_dir()
    if not root.is_dir():
        # A missing corpus fails rather than skips: a skipped robustness test reads as a pass.
        pytest.fail(
            f"feed corpus not found at {root}: this test needs feedparser's test documents "
            "(tests/**/*.xml of the feedparser repository) there, or FILMBOT_FEED_CORPUS "
            "pointing at them"
        )

    files = _corpus_files(root)
    failures: list[tuple[str, str]] = []
    rejected = items_seen = 0
    started = time.perf_counter()
    for path in files:
        name = str(path.relative_to(root))
        try:
            parsed = parse_feed(
                path.read_bytes(),
                feed_name=name,
                fetched_at=FETCHED_AT,
                base_url="http://corpus.example/" + name,
            )
        except FeedParseError:
            rejected += 1
            continue
        except Exception as exc:  # noqa: BLE001 - the point is to catch anything else
            failures.append((name, f"{type(exc).__name__}: {exc}"))
            continue
        for item in parsed.items:
            items_seen += 1
            if not item.key:
                failures.append((name, f"item without key: {item!r}"))
            if not (item.title or item.url):
                failures.append((name, f"item with neither title nor url: {item!r}"))
            if item.published.tzinfo is None:
                failures.append((name, f"naive published time: {item!r}"))
        keys = [item.key for item in parsed.items]
        if len(keys) != len(set(keys)):
            failures.append((name, f"duplicate keys: {keys!r}"))
    elapsed = time.perf_counter() - started

    print(
        f"\ncorpus: {len(files)} files, {rejected} rejected as not a feed, "
        f"{items_seen} items, {elapsed:.1f} s"
    )
    assert len(files) > MIN_FILES, f"only {len(files)} files under {root}: wrong directory?"
    shown = "\n".join(f"{name}: {error}" for name, error in failures[:20])
    assert not failures, f"{len(failures)} problem(s), first 20:\n{shown}"
    assert items_seen > 0
