"""Daily digests for a person and for a channel, end to end through the recording adapter."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from bot.app import App
from tests.feedserver import FeedServer
from tests.harness import local_feed_settings
from tests.recording import RECORDING_CHANNEL, RecordingAdapter


def rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><title>{escape(t)}</title><link>https://news.example/{g}</link><guid>{g}</guid>"
        f"<pubDate>Mon, 10 Nov 2025 1{n}:00:00 GMT</pubDate><description>d</description></item>"
        for n, (g, t) in enumerate(items)
    )
    return f"<rss version='2.0'><channel><title>t</title>{body}</channel></rss>".encode()


async def test_digests_collect_stories_and_send_one_message_a_day(tmp_path: Path) -> None:
    async with FeedServer() as server:
        server.reply("/feed", body=rss(("a", "Michael Mann says 'Heat 2' is planned as a movie")))
        adapter = RecordingAdapter()
        app = App(local_feed_settings(tmp_path, server.url("/feed")), [adapter])
        await app.open()
        await app.store.subscriptions.subscribe_channel(RECORDING_CHANNEL, "t", app.clock())
        await adapter.start(app.commands)
        try:
            await app.poll_all_once()
            await adapter.push("/follow heat 2", user="ana")
            mine = await adapter.push("/digest daily", user="ana")
            refused = await adapter.push("/digest daily channel")
            channel = await adapter.push("/digest daily channel", can_manage=True)
            nonsense = await adapter.push("/digest weekly", user="ana")
            server.reply(
                "/feed",
                body=rss(
                    ("a", "Michael Mann says 'Heat 2' is planned as a movie"),
                    ("b", "Austin Butler joins 'Heat 2'"),
                    ("c", "'Heat 2' adds Adria Arjona"),
                ),
            )
            await app.poll_all_once()
            await app.deliver_once()
            before = list(adapter.sent)
            first = await app.send_digests()
            again = await app.send_digests()
            await app.deliver_once()
            digests = [(t.user or t.channel, m.title, m.lines) for t, m, _ in adapter.sent]
        finally:
            await app.close()
    assert "one message a day" in mine.message.body
    assert not refused.ok and channel.ok
    assert not nonsense.ok and "daily or off" in nonsense.message.body
    assert before == []  # nothing sent story by story
    assert (first, again) == (2, 0)
    assert sorted(who for who, _, _ in digests) == ["ana", "news"]
    for _, title, lines in digests:
        assert title == "Film news of the day: 2 stories"
        assert any("Austin Butler joins 'Heat 2'" in line for line in lines)


async def test_turning_digests_off_sends_what_was_waiting(tmp_path: Path) -> None:
    async with FeedServer() as server:
        server.reply("/feed", body=rss(("a", "Old")))
        adapter = RecordingAdapter()
        app = App(local_feed_settings(tmp_path, server.url("/feed")), [adapter])
        await app.open()
        await app.store.subscriptions.subscribe_channel(RECORDING_CHANNEL, "t", app.clock())
        await adapter.start(app.commands)
        try:
            await app.poll_all_once()
            await adapter.push("/digest daily channel", can_manage=True)
            server.reply(
                "/feed",
                body=rss(("a", "Old"), ("b", "'Dune: Part Three' sets December 18, 2026 release")),
            )
            await app.poll_all_once()
            off = await adapter.push("/digest off channel", can_manage=True)
            await app.deliver_once()
        finally:
            await app.close()
    assert "on their way" in off.message.body
    assert [m.title for _, m, _ in adapter.sent] == [
        "'Dune: Part Three' sets December 18, 2026 release"
    ]
