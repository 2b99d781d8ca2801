"""Follows end to end: feeds on 127.0.0.1, the real pipeline, DMs through the recording
adapter, and release reminders planned once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.app import App
from bot.models import Target
from tests.feedserver import FeedServer
from tests.harness import local_feed_settings, rss
from tests.recording import RecordingAdapter

NOW = datetime(2025, 12, 18, 9, 0, tzinfo=UTC)


FIRST = (
    (
        "heat2",
        "Michael Mann says 'Heat 2' is totally planned to be a movie",
        "The director wants to make a sequel to Heat.",
        "Wed, 03 Dec 2025 10:00:00 GMT",
    ),
    (
        "marty",
        "'Marty Supreme' sets December 19, 2025 release",
        "A24 dated the film for December 19, 2025 in theaters.",
        "Mon, 01 Dec 2025 10:00:00 GMT",
    ),
)
SECOND = FIRST + (
    (
        "heat2-cast",
        "Austin Butler joins 'Heat 2'",
        "Austin Butler has been cast in Michael Mann's sequel.",
        "Tue, 16 Dec 2025 10:00:00 GMT",
    ),
    (
        "pugh",
        "Florence Pugh joins 'The Wasp Queen'",
        "Florence Pugh has been cast in the thriller.",
        "Tue, 16 Dec 2025 11:00:00 GMT",
    ),
    (
        "br3",
        "'Blade Runner 3' is in the works at Alcon",
        "A third film is in development.",
        "Tue, 16 Dec 2025 12:00:00 GMT",
    ),
)


def user(name: str) -> Target:
    return Target("recording", "guild", user=name)


async def test_followers_get_one_dm_per_story_and_reminders_once(tmp_path: Path) -> None:
    async with FeedServer() as server:
        server.reply("/feed", body=rss(*FIRST))
        adapter = RecordingAdapter(announce_channel=None)
        app = App(local_feed_settings(tmp_path, server.url("/feed")), [adapter], clock=lambda: NOW)
        await app.open()
        await adapter.start(app.commands)
        try:
            await app.poll_all_once()
            film = await adapter.push("/follow heat2", user="ana")
            film_again = await adapter.push("/follow Heat II", user="ana")
            person = await adapter.push("/follow person: Florence Pugh", user="ben")
            unknown = await adapter.push("/follow Blade Runner 3", user="cy")
            marty = await adapter.push("/follow marty supreme", user="dee")
            quiet = await adapter.push("/follow marty supreme --no-reminders", user="eve")
            nothing = await adapter.push("/follow", user="ana")
            listing = await adapter.push("/following", user="ana")
            server.reply("/feed", body=rss(*SECOND))
            await app.poll_all_once()
            await app.deliver_once()
            dms = sorted((t.user, m.title) for t, m, _ in adapter.sent)
            reminders = await app.plan_reminders()
            again = await app.plan_reminders()
            adapter.sent.clear()
            await app.deliver_once()
            reminded = [(t.user, m.title) for t, m, _ in adapter.sent]
            gone = await adapter.push("/unfollow heat 2", user="ana")
            not_followed = await adapter.push("/unfollow heat 2", user="ana")
        finally:
            await app.close()
    assert film.ok and "You now follow the film Heat 2" in film.message.body
    assert "You already follow the film Heat 2" in film_again.message.body
    assert "Florence Pugh (a person)" in person.message.body
    assert "stories that mention 'Blade Runner 3'" in unknown.message.body
    assert "don't know a film called" in unknown.message.body
    assert (
        "reminder the day before" in marty.message.body
        and "No release reminders" in quiet.message.body
    )
    assert not nothing.ok
    assert listing.message.lines == ("film: Heat 2",)
    assert dms == [
        ("ana", "Austin Butler joins 'Heat 2'"),
        ("ben", "Florence Pugh joins 'The Wasp Queen'"),
        ("cy", "'Blade Runner 3' is in the works at Alcon"),
    ]
    assert (reminders, again) == (1, 0)
    assert reminded == [("dee", "Marty Supreme is out tomorrow")]
    assert gone.ok and "no longer follow Heat 2" in gone.message.body
    assert not not_followed.ok
