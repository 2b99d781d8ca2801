"""Webhook targets from feeds.yaml, against a local server that records what it is sent."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from aiohttp import web

from adapters.webhook import WebhookAdapter, discord_payload, slack_payload, target_of
from bot.app import App
from bot.config import WebhookTarget, load_settings
from bot.delivery import PermanentFailure, RateLimited, TransientFailure
from bot.models import Field, Message
from tests.feedserver import FeedServer

HOSTILE = Message(
    title="@everyone look <@&123> <!channel>",
    url="https://news.example/a",
    body="Ping <@42> and @here & <b>bold</b>",
    fields=(Field("Kind", "Trailer"),),
    footer="Outlet",
)


def test_discord_payload_can_ping_nobody() -> None:
    payload = discord_payload(HOSTILE)
    assert payload["allowed_mentions"] == {"parse": []}
    text = json.dumps(payload, ensure_ascii=False)
    assert "@everyone" not in text and "@here" not in text
    assert "@\u200beveryone" in text
    assert payload["embeds"][0]["url"] == "https://news.example/a"


def test_slack_payload_escapes_control_sequences() -> None:
    text = json.dumps(slack_payload(HOSTILE))
    assert "<!channel>" not in text and "<@42>" not in text and "<@&123>" not in text
    assert "&lt;!channel&gt;" in text and "&amp;" in text
    assert "<https://news.example/a|" in text  # our own link markup survives


def rss(*items: tuple[str, str, str]) -> bytes:
    body = "".join(
        f"<item><title>{escape(t)}</title><link>https://news.example/{g}</link><guid>{g}</guid>"
        f"<pubDate>Mon, 10 Nov 2025 1{n}:00:00 GMT</pubDate><description>{escape(d)}</description></item>"
        for n, (g, t, d) in enumerate(items)
    )
    return f"<rss version='2.0'><channel><title>t</title>{body}</channel></rss>".encode()


async def test_stories_reach_each_webhook_in_its_format_with_its_filter(tmp_path: Path) -> None:
    received: dict[str, list[dict[str, object]]] = {"/d": [], "/s": [], "/j": []}

    def recorder(path: str):  # type: ignore[no-untyped-def]
        async def handle(request: web.BaseRequest) -> web.Response:
            received[path].append(json.loads(await request.read()))
            return web.Response(status=204)

        return handle

    async with FeedServer() as server:
        for path in received:
            server.route(path, recorder(path))
        server.reply("/feed", body=rss(("old", "Old news", "Nothing.")))
        config = tmp_path / "feeds.yaml"
        config.write_text(
            "allow_private_addresses: true\n"
            f"feeds:\n  - name: Local\n    url: {server.url('/feed')}\n"
            "announce:\n"
            f"  - name: discord-news\n    webhook: {server.url('/d')}\n    format: discord\n"
            f"  - name: slack-dates\n    webhook: {server.url('/s')}\n    format: slack\n"
            "    kinds: [release_date, delay]\n"
            f"  - name: heat-json\n    webhook: {server.url('/j')}\n    format: json\n"
            "    films: [heat 2]\n"
        )
        settings = load_settings(config, db_path=tmp_path / "bot.db", env={})
        adapter = WebhookAdapter(settings.announce, allow_private=True)
        app = App(settings, [adapter])
        await app.open()
        await adapter.start(app.commands)
        await app._sync_configured_channels(adapter)  # what App.start does for each adapter
        try:
            await app.poll_all_once()
            server.reply(
                "/feed",
                body=rss(
                    ("old", "Old news", "Nothing."),
                    (
                        "dune",
                        "'Dune: Part Three' sets December 18, 2026 release",
                        "Warner Bros. dated the film for December 18, 2026.",
                    ),
                    (
                        "heat",
                        "Michael Mann says 'Heat 2' is planned as a movie @everyone",
                        "The director wants to make a sequel to Heat.",
                    ),
                ),
            )
            await app.poll_all_once()
            for _ in range(50):  # a Discord webhook is paced at 0.4 s between messages
                await app.deliver_once()
                if not (await app.store.outbox.counts()).get("pending"):
                    break
                await asyncio.sleep(0.1)
        finally:
            await adapter.stop()
            await app.close()
    assert len(received["/d"]) == 2
    assert all(body["allowed_mentions"] == {"parse": []} for body in received["/d"])
    assert [body["text"] for body in received["/s"]] == [
        "'Dune: Part Three' sets December 18, 2026 release"
    ]
    (heat,) = received["/j"]
    assert heat["kind"] == "sequel_announced" and heat["films"][0] == "Heat 2"
    assert heat["release_date"] is None and heat["sources"] == ["https://news.example/heat"]
    assert isinstance(heat["story_id"], int)


@pytest.mark.parametrize(
    ("status", "headers", "body", "error"),
    [
        (429, {"Retry-After": "7"}, "", RateLimited),
        (429, {}, '{"retry_after": 2.5}', RateLimited),
        (404, {}, '{"message": "Unknown Webhook"}', PermanentFailure),
        (500, {}, "", TransientFailure),
    ],
)
async def test_webhook_errors_become_typed_failures(
    status: int, headers: dict[str, str], body: str, error: type
) -> None:
    async with FeedServer() as server:
        server.reply("/hook", status=status, headers=headers, body=body.encode())
        hook = WebhookTarget("t", server.url("/hook"), "json")
        adapter = WebhookAdapter([hook], allow_private=True)
        await adapter.start(None)  # type: ignore[arg-type]
        try:
            with pytest.raises(error) as raised:
                await adapter.send(target_of(hook), Message(title="x"), "story:1:webhook::#t")
        finally:
            await adapter.stop()
    if error is RateLimited:
        assert raised.value.retry_after in (7.0, 2.5)


async def test_a_webhook_on_an_internal_address_is_refused_without_connecting() -> None:
    async with FeedServer() as server:
        hook = WebhookTarget("t", server.url("/hook"), "json")
        adapter = WebhookAdapter([hook], allow_private=False)
        await adapter.start(None)  # type: ignore[arg-type]
        try:
            with pytest.raises(PermanentFailure, match="allow_private_addresses"):
                await adapter.send(target_of(hook), Message(title="x"), "k")
        finally:
            await adapter.stop()
        assert server.requests == []


def test_config_infers_the_format_and_rejects_what_it_cannot(tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "feeds: []\nannounce:\n"
        "  - name: d\n    webhook: https://discord.com/api/webhooks/1/abc\n"
        "  - name: s\n    webhook: https://hooks.slack.com/services/T/B/x\n    kinds: [delay]\n"
    )
    settings = load_settings(config, db_path=tmp_path / "bot.db", env={})
    assert [(w.name, w.format, w.kinds) for w in settings.announce] == [
        ("d", "discord", ()),
        ("s", "slack", ("delay",)),
    ]
    assert "abc" not in repr(settings.announce[0])  # the URL's token stays out of logs
