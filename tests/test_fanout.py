"""One story followed by 10,000 people reaches every one of them, once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.app import App
from bot.delivery.follows import Follow, FollowKind
from bot.models import Target
from tests.feedserver import FeedServer
from tests.harness import local_feed_settings
from tests.recording import RecordingAdapter

FOLLOWERS = 10_000


def rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>https://news.example/{guid}</link><guid>{guid}</guid>"
        "<pubDate>Mon, 10 Nov 2025 10:00:00 GMT</pubDate><description>d</description></item>"
        for guid, title in items
    )
    return f"<rss version='2.0'><channel><title>t</title>{body}</channel></rss>".encode()


async def test_a_story_reaches_ten_thousand_followers(tmp_path: Path) -> None:
    async with FeedServer() as server:
        server.reply("/feed", body=rss(("a", "Michael Mann says 'Heat 2' is planned as a movie")))
        adapter = RecordingAdapter(announce_channel=None)
        app = App(local_feed_settings(tmp_path, server.url("/feed")), [adapter])
        await app.open()
        try:
            await app.poll_all_once()
            film = await app.store.knowledge.film_by_title("Heat 2")
            assert film is not None
            now = datetime.now(UTC)
            for n in range(FOLLOWERS):
                user = Target("recording", "guild", user=f"user{n}")
                await app.store.follows.add(
                    Follow(user, FollowKind.FILM, "Heat 2", "heat 2", film.id), now
                )
            server.reply(
                "/feed",
                body=rss(
                    ("a", "Michael Mann says 'Heat 2' is planned as a movie"),
                    ("b", "Austin Butler joins 'Heat 2'"),
                ),
            )
            (report,) = await app.poll_all_once()
            # follower messages are expanded in batches by the delivery sweeps themselves
            for _ in range(1_000):
                await app.deliver_once()
                if not (await app.store.outbox.counts()).get("pending", 0):
                    break
            counts = await app.store.outbox.counts()
        finally:
            await app.close()
    assert report.announced == 1
    users = [target.user for target, _, _ in adapter.sent]
    assert len(users) == FOLLOWERS and len(set(users)) == FOLLOWERS
    assert counts == {"sent": FOLLOWERS}
