"""An item the understanding fails on is kept as plain film news; its feed goes on.

The failure is injected (understand() raising for one item, as a bug would): the rest is the
real poll against a feed on a local server, a real SQLite file and the real delivery path.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import bot.poll
from bot.app import App
from bot.models import FeedItem, Understanding
from bot.news.titles import KnownTitles
from tests.feedserver import FeedServer
from tests.harness import local_feed_settings, rss
from tests.recording import RECORDING_CHANNEL, RecordingAdapter

DATE = "Mon, 10 Nov 2025 10:00:00 GMT"


async def test_one_item_that_breaks_understanding_is_kept_and_the_rest_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_understand = bot.poll.understand

    def understand(
        item: FeedItem, *, known: KnownTitles | None = None, article_text: str = ""
    ) -> Understanding:
        if item.key == "guid:broken":
            raise KeyError("a bug in the understanding")
        return real_understand(item, known=known, article_text=article_text)

    monkeypatch.setattr(bot.poll, "understand", understand)
    async with FeedServer() as server:
        server.reply("/feed", body=rss(("old", "Old news", "Nothing new.", DATE)))
        adapter = RecordingAdapter()
        app = App(local_feed_settings(tmp_path, server.url("/feed")), [adapter])
        await app.open()
        await app.store.subscriptions.subscribe_channel(RECORDING_CHANNEL, "t", app.clock())
        await adapter.start(app.commands)
        try:
            await app.poll_all_once()  # the first poll only marks what is there as seen
            server.reply(
                "/feed",
                body=rss(
                    ("old", "Old news", "Nothing new.", DATE),
                    ("broken", "A headline the bot trips over", "Some text.", DATE),
                    (
                        "dune",
                        "'Dune: Part Three' sets December 18, 2026 release",
                        "Warner Bros. dated the film for December 18, 2026.",
                        DATE,
                    ),
                ),
            )
            with caplog.at_level(logging.ERROR, logger="bot.poll"):
                (report,) = await app.poll_all_once()
            await app.deliver_once()
            (again,) = await app.poll_all_once()
            when = await adapter.push("/when dune part three")
        finally:
            await app.close()
    assert report.outcome == "new" and report.new_items == 2
    assert again.outcome in ("no_new", "unchanged")
    titles = [message.title for _, message, _ in adapter.sent]
    assert len(titles) == 2
    assert any("A headline the bot trips over" in title for title in titles)
    assert any("Dune: Part Three" in title for title in titles)
    (record,) = [r for r in caplog.records if "could not understand" in r.getMessage()]
    assert "broken" in record.getMessage() and record.exc_info is not None
    assert "18 December 2026" in when.message.body
