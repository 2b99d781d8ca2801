"""/announce: channels choose what they hear; planning honours it, end to end."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from bot.app import App
from bot.commands.announce import parse_filter
from bot.commands.dispatch import UsageError
from bot.models import StoryKind, Target
from tests.feedserver import FeedServer
from tests.harness import local_feed_settings
from tests.recording import RecordingAdapter

DATES = Target("recording", "guild", "dates")
HEAT = Target("recording", "guild", "heat")
OTHER_GUILD = Target("recording", "elsewhere", "news")
DM = Target("recording", "guild", user="u1")


@pytest.mark.parametrize(
    ("text", "kinds", "keywords"),
    [
        ("", set(), ()),
        ("release_date,delay", {StoryKind.RELEASE_DATE, StoryKind.DELAY}, ()),
        (
            "dates delays heat 2, dune",
            {StoryKind.RELEASE_DATE, StoryKind.DELAY},
            ("heat 2", "dune"),
        ),
        ("heat 2", set(), ("heat 2",)),
        (
            'trailers "Mission: Impossible", dune',
            {StoryKind.TRAILER},
            ("Mission: Impossible", "dune"),
        ),
        ("dune, dune", set(), ("dune",)),
    ],
)
def test_parse_filter(text: str, kinds: set[StoryKind], keywords: tuple[str, ...]) -> None:
    parsed = parse_filter(text)
    assert parsed.kinds == kinds and parsed.keywords == keywords


def test_parse_filter_refuses_nonsense() -> None:
    with pytest.raises(UsageError, match="At most 20"):
        parse_filter(", ".join(f"k{n}" for n in range(21)))
    with pytest.raises(UsageError, match="film news only"):
        parse_filter("not_film")


def rss(*items: tuple[str, str, str]) -> bytes:
    body = "".join(
        f"<item><title>{escape(t)}</title><link>https://news.example/{g}</link><guid>{g}</guid>"
        f"<pubDate>Mon, 10 Nov 2025 1{n}:00:00 GMT</pubDate><description>{escape(d)}</description></item>"
        for n, (g, t, d) in enumerate(items)
    )
    return f"<rss version='2.0'><channel><title>t</title>{body}</channel></rss>".encode()


async def test_channels_hear_only_what_they_asked_for(tmp_path: Path) -> None:
    async with FeedServer() as server:
        server.reply("/feed", body=rss(("old", "Old news", "Nothing new.")))
        adapter = RecordingAdapter(announce_channel=None)
        app = App(local_feed_settings(tmp_path, server.url("/feed")), [adapter])
        await app.open()
        await adapter.start(app.commands)
        try:
            await app.poll_all_once()  # first poll: stored as seen
            refused = await adapter.push("/announce here", target=DATES)
            in_dm = await adapter.push("/announce here", target=DM, can_manage=True)
            dates = await adapter.push(
                "/announce here release_date,delay", target=DATES, can_manage=True
            )
            heat = await adapter.push("/announce here heat 2", target=HEAT, can_manage=True)
            everything = await adapter.push("/announce here", target=OTHER_GUILD, can_manage=True)
            listing = await adapter.push("/announce list", target=HEAT, can_manage=True)
            server.reply(
                "/feed",
                body=rss(
                    ("old", "Old news", "Nothing new."),
                    (
                        "dune",
                        "'Dune: Part Three' sets December 18, 2026 release",
                        "Warner Bros. dated the film for December 18, 2026.",
                    ),
                    (
                        "heat",
                        "Michael Mann says 'Heat 2' is planned as a movie",
                        "The director wants to make a sequel to Heat.",
                    ),
                    ("tv", "'The Last of Us' renewed for season 3", "HBO renewed the series."),
                ),
            )
            await app.poll_all_once()
            await app.deliver_once()
            off = await adapter.push("/announce off", target=DATES, can_manage=True)
            off_again = await adapter.push("/announce off", target=DATES, can_manage=True)
        finally:
            await app.close()
    assert not refused.ok and "manage" in refused.message.body
    assert not in_dm.ok and "channels" in in_dm.message.body
    assert dates.ok and "kinds: delay, release_date" in dates.message.body
    assert heat.ok and "matching: heat 2" in heat.message.body
    assert everything.ok and "every film story" in everything.message.body
    assert listing.message.lines == (
        "#dates: kinds: delay, release_date",
        "#heat: matching: heat 2",
    )
    sent = {(target.channel, message.title) for target, message, _ in adapter.sent}
    assert sent == {
        ("dates", "'Dune: Part Three' sets December 18, 2026 release"),
        ("heat", "Michael Mann says 'Heat 2' is planned as a movie"),
        ("news", "'Dune: Part Three' sets December 18, 2026 release"),
        ("news", "Michael Mann says 'Heat 2' is planned as a movie"),
    }
    assert off.ok and not off_again.ok
