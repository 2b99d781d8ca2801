"""/when, /news, /film and /upcoming end to end: feeds served on 127.0.0.1 go through the real
pipeline (fetch, parse, understand, ingest) into a SQLite file, then commands read it back."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App
from bot.config import load_settings
from tests.feedserver import FeedServer
from tests.harness import rss
from tests.recording import RecordingAdapter

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "heat2-article.txt"


@pytest.fixture
async def bot(tmp_path: Path):
    if not SEED.is_file():
        pytest.fail(f"the seed article is missing at {SEED}")
    seed_text = SEED.read_text(encoding="utf-8")
    async with FeedServer() as server:
        server.reply(
            "/reel",
            body=rss(
                (
                    "heat2",
                    "Michael Mann says his Heat 2 novel is “totally planned to be a movie”",
                    seed_text,
                    "Wed, 09 Mar 2022 10:00:00 GMT",
                ),
                (
                    "phm-1",
                    "'Project Hail Mary' sets March 20, 2026 theatrical release",
                    "Amazon MGM dated the Ryan Gosling film for March 20, 2026.",
                    "Mon, 03 Mar 2025 16:00:00 GMT",
                ),
            ),
        )
        server.reply(
            "/ledger",
            body=rss(
                (
                    "dune3",
                    "‘Dune: Part Three’ sets December 18, 2026 release",
                    "Dune: Part Three opens in theaters on December 18, 2026, Warner Bros. said.",
                    "Mon, 10 Nov 2025 18:05:00 GMT",
                ),
            ),
        )
        config = tmp_path / "feeds.yaml"
        config.write_text(
            "allow_private_addresses: true\n"
            "feeds:\n"
            f"  - name: Reel Report\n    url: {server.url('/reel')}\n"
            f"  - name: Screen Ledger\n    url: {server.url('/ledger')}\n"
        )
        settings = load_settings(config, db_path=tmp_path / "bot.db", env={})
        adapter = RecordingAdapter()
        app = App(settings, [adapter])
        await app.open()
        await adapter.start(app.commands)
        await app.poll_all_once()
        try:
            yield app, adapter, server
        finally:
            await app.close()


async def test_when_heat2_says_no_date_quotes_the_status_and_cites_the_outlet(bot) -> None:
    _, adapter, _ = bot
    for spelling in ("heat2", "Heat 2", "HEAT II", "heat part 2"):
        reply = await adapter.push(f"/when {spelling}")
        assert reply.ok, reply.message.body
        assert reply.message.title == "When is Heat 2 out?"
        body = reply.message.body
        assert body.startswith("No release date announced yet for Heat 2.")
        assert (
            "Status: planned" in body
            and "Michael Mann" in body
            and "(Reel Report, 09 Mar 2022)" in body
        )
        assert "August" not in body and "2022" not in body.split("(")[0]  # no invented date
        assert reply.message.url == "https://news.example/heat2"


async def test_when_gives_the_date_its_source_and_history(bot) -> None:
    app, adapter, server = bot
    dune = await adapter.push("/when dune part three")
    assert dune.message.body == (
        "Dune: Part Three: 18 December 2026 (theaters). Source: Screen Ledger, 10 Nov 2025."
    )
    server.reply(
        "/reel",
        body=rss(
            (
                "phm-2",
                "Amazon MGM pushes 'Project Hail Mary' from March 20, 2026 to June 12, 2026",
                "The sci-fi adaptation moves back three months.",
                "Tue, 02 Sep 2025 15:00:00 GMT",
            ),
        ),
    )
    await app.poll_all_once()
    moved = await adapter.push("/when project hail mary")
    assert moved.message.body.startswith("Project Hail Mary: 12 June 2026")
    assert "Source: Reel Report, 02 Sep 2025." in moved.message.body
    assert moved.message.lines == (
        "Moved from 20 March 2026 to 12 June 2026 (per Reel Report, 02 Sep 2025)",
    )
    card = await adapter.push("/film Project Hail Mary")
    assert any(line.startswith("Release: 12 June 2026") for line in card.message.lines)
    assert any(line.startswith("Moved from 20 March 2026") for line in card.message.lines)


async def test_unknown_titles_get_did_you_mean_or_an_honest_no(bot) -> None:
    _, adapter, _ = bot
    typo = await adapter.push("/when dnue part three")
    close = await adapter.push("/when prject hail mary")
    unknown = await adapter.push("/when The Zorblax Conspiracy")
    empty = await adapter.push("/when")
    assert typo.message.title == "When is Dune: Part Three out?" or (
        "Did you mean: Dune: Part Three" in typo.message.body
    )
    assert not close.ok or close.message.title == "When is Project Hail Mary out?"
    if not close.ok:
        assert "Did you mean: Project Hail Mary" in close.message.body
    assert (
        not unknown.ok
        and unknown.message.body == "I have no news about 'The Zorblax Conspiracy' yet."
    )
    assert not empty.ok and "Usage: /when <film...>" in empty.message.body


async def test_news_film_and_upcoming(bot) -> None:
    _, adapter, _ = bot
    news = await adapter.push("/news")
    heat_news = await adapter.push("/news heat 2")
    upcoming = await adapter.push("/upcoming 5")
    card = await adapter.push("/film heat2")
    assert len(news.message.lines) == 3
    assert news.message.lines[0].startswith("10 Nov 2025 · Release date · ")
    assert len(heat_news.message.lines) == 1 and "Sequel announced" in heat_news.message.lines[0]
    # the clock is today's: only dates still ahead are listed, soonest first
    assert all("Heat 2" not in line for line in upcoming.message.lines)
    assert card.message.title == "Heat 2"
    assert "Release: no date announced yet" in card.message.lines
    assert any("Michael Mann (director)" in line for line in card.message.lines)
