"""Per-feed article fetching and the OpenAI-compatible summariser, through the whole poll:
a local server serves the feed, the article pages and a fake chat-completions endpoint."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from bot.app import App
from bot.config import load_settings
from bot.news.evaluate import evaluate, load_cases
from tests.feedserver import FeedServer
from tests.recording import RECORDING_CHANNEL, RecordingAdapter

ARTICLE = """<html><head><title>Ballerina 2</title></head><body>
<nav><a href="/">Home</a> <a href="/film">Film</a></nav>
<article><h1>Lionsgate dates 'Ballerina 2'</h1>
<p>Lionsgate has set 'Ballerina 2' to open in theaters on September 17, 2027, the studio said.</p>
<p>Ana de Armas returns in the lead, with the first film's director attached to the sequel.</p>
<p>The spin-off of the John Wick films earned strong reviews on its release last year.</p>
</article><aside>Comments (12)</aside></body></html>"""


def feed(url_base: str) -> bytes:
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        "<item><title>Lionsgate dates 'Ballerina 2'</title>"
        f"<link>{url_base}/article/ballerina-2</link><guid>b2</guid>"
        "<pubDate>Tue, 03 Nov 2026 15:00:00 GMT</pubDate>"
        "<description>The studio has news about the sequel.</description></item>"
        "</channel></rss>"
    ).encode()


async def run_once(
    tmp_path: Path, server: FeedServer, *, fetch_articles: bool, env: dict[str, str]
):  # type: ignore[no-untyped-def]
    server.reply("/feed", body=feed(server.url("")))
    server.reply(
        "/article/ballerina-2", body=ARTICLE.encode(), headers={"Content-Type": "text/html"}
    )
    tmp_path.mkdir(exist_ok=True)
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "allow_private_addresses: true\n"
        f"feeds:\n  - name: Local\n    url: {server.url('/feed')}\n    backfill: 5\n"
        f"    fetch_articles: {'true' if fetch_articles else 'false'}\n"
    )
    adapter = RecordingAdapter()
    app = App(load_settings(config, db_path=tmp_path / "bot.db", env=env), [adapter])
    await app.open()
    await app.store.subscriptions.subscribe_channel(RECORDING_CHANNEL, "test", app.clock())
    await adapter.start(app.commands)
    try:
        await app.poll_all_once()
        await app.deliver_once()
        when = await adapter.push("/when ballerina 2")
    finally:
        await app.close()
    return adapter, when


async def test_fetch_articles_reads_the_article_page_for_the_release_date(tmp_path: Path) -> None:
    async with FeedServer() as server:
        _, teaser_only = await run_once(tmp_path / "a", server, fetch_articles=False, env={})
        adapter, with_article = await run_once(tmp_path / "b", server, fetch_articles=True, env={})
        article_requests = server.requests_to("/article/ballerina-2")
    assert "17 September 2027" not in teaser_only.message.body
    assert len(article_requests) == 1
    assert with_article.message.body.startswith("Ballerina 2: 17 September 2027")
    ((_, message, _),) = adapter.sent
    assert any(field.value.startswith("17 September 2027") for field in message.fields)


async def test_openai_summariser_writes_the_announcement_summary(tmp_path: Path) -> None:
    seen: list[dict[str, object]] = []

    async def completions(request: web.BaseRequest) -> web.Response:
        seen.append(json.loads(await request.read()))
        answer = "Lionsgate has dated Ballerina 2 for autumn 2027."
        return web.json_response(
            {"choices": [{"message": {"role": "assistant", "content": answer}}]}
        )

    async with FeedServer() as server:
        server.route("/v1/chat/completions", completions)
        env = {
            "SUMMARIZER": "openai",
            "OPENAI_BASE_URL": server.url("/v1"),
            "OPENAI_MODEL": "tiny-test-model",
        }
        adapter, _ = await run_once(tmp_path, server, fetch_articles=False, env=env)
    assert len(seen) == 1 and seen[0]["model"] == "tiny-test-model"
    ((_, message, _),) = adapter.sent
    assert message.body == "Lionsgate has dated Ballerina 2 for autumn 2027."


async def test_summariser_failure_falls_back_to_the_local_summary(tmp_path: Path) -> None:
    async def broken(request: web.BaseRequest) -> web.Response:
        return web.Response(status=500, text="model crashed")

    async with FeedServer() as server:
        server.route("/v1/chat/completions", broken)
        env = {"SUMMARIZER": "openai", "OPENAI_BASE_URL": server.url("/v1"), "OPENAI_MODEL": "m"}
        adapter, _ = await run_once(tmp_path, server, fetch_articles=False, env=env)
    ((_, message, _),) = adapter.sent
    assert message.body and "model crashed" not in message.body
    assert "Ballerina 2" in message.body


def test_held_out_set_floors() -> None:
    """tests/data/heldout.jsonl was written blind (its author read neither the code nor
    eval.jsonl). These floors catch regressions; improve the code on eval.jsonl, never by
    reading the held-out failures, or its figures stop meaning anything."""
    cases = load_cases(Path(__file__).parent / "data" / "heldout.jsonl")
    report = evaluate(cases)
    assert report.n == 50
    assert report.kind_acc >= 0.78
    assert report.film_acc >= 0.70
    assert report.date_acc >= 0.70
