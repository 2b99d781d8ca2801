"""The whole bot on Slack: a feed served on 127.0.0.1, the real pipeline and SQLite file, the
Slack adapter in HTTP mode answering signed slash commands and posting to the fake Slack."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from adapters.slack import SlackAdapter
from bot.app import App
from tests.fakeslack import (
    APP_TOKEN,
    BOT_TOKEN,
    TEAM,
    FakeSlack,
    run_command,
    slack_bot,
    slash_command,
)
from tests.feedserver import FeedServer
from tests.harness import local_feed_settings, rss

NOW = datetime(2025, 12, 18, 9, 0, tzinfo=UTC)
# Feed HTML that reads "<!channel> <!here> <@U123> &<>" once the feed's markup is stripped.
HOSTILE = "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &amp;&lt;&gt;"


FIRST = (
    (
        "heat2",
        "Michael Mann says 'Heat 2' is totally planned to be a movie",
        "The director wants to make a sequel to Heat.",
        "Wed, 03 Dec 2025 10:00:00 GMT",
    ),
)
SECOND = FIRST + (
    (
        "heat2-cast",
        f"Austin Butler joins 'Heat 2' {HOSTILE}",
        f"Austin Butler has been cast in Michael Mann's sequel. {HOSTILE}",
        "Tue, 16 Dec 2025 10:00:00 GMT",
    ),
)
_RAW = ("<!channel>", "<!here>", "<@U123>", "&<>")


async def test_announcement_follow_dm_and_when_through_slack(
    tmp_path: Path, server: FeedServer
) -> None:
    server.reply("/feed", body=rss(*FIRST))
    async with FakeSlack(admins={"U0BOSS"}) as fake:
        async with slack_bot(tmp_path, server.url("/feed"), fake, clock=lambda: NOW) as (
            app,
            adapter,
        ):
            first = await app.poll_all_once()  # a new feed: stored as seen, nothing announced
            refused = await run_command(adapter, fake, "/announce", "here", user="U0ANA")
            announce = await run_command(adapter, fake, "/announce", "here", user="U0BOSS")
            follow = await run_command(adapter, fake, "/follow", "heat2", user="U0ANA")
            when = await run_command(adapter, fake, "/when", "heat2", user="U0ANA")
            quiet = await app.deliver_once()
            server.reply("/feed", body=rss(*SECOND))
            second = await app.poll_all_once()
            delivered = await app.deliver_once()
    assert (first[0].new_items, quiet.sent) == (1, 0)
    assert refused["response_type"] == "ephemeral" and "manage" in refused["text"]
    assert announce["response_type"] == "in_channel"
    assert follow["response_type"] == "ephemeral"
    assert "You now follow the film Heat 2" in follow["text"]
    assert when["response_type"] == "ephemeral" and "Heat 2" in json.dumps(when["blocks"])
    assert second[0].new_items == 1 and delivered.sent == 2 and delivered.dead == 0

    posts = {post["channel"]: post for post in fake.posts()}
    assert set(posts) == {"C0NEWS", "DU0ANA"}  # the announcing channel, and Ana's DM
    assert [call.params["users"] for call in fake.calls_to("conversations.open")] == ["U0ANA"]
    channel = posts["C0NEWS"]
    assert channel["blocks"][0]["type"] == "header"
    assert channel["blocks"][0]["text"]["text"].startswith(
        "Austin Butler joins 'Heat 2' &lt;!channel&gt;"
    )
    assert "*Kind:* Casting" in json.dumps(channel["blocks"])
    assert channel["blocks"][-1]["elements"][0]["url"] == "https://news.example/heat2-cast"
    assert channel["text"].startswith("Austin Butler joins")
    # The feed's hostile text arrived, and only escaped.
    body = json.dumps(channel, ensure_ascii=False)
    assert "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &amp;&lt;&gt;" in body
    everything = json.dumps(
        [call.params for call in fake.calls] + [payload for _, payload in fake.responses],
        ensure_ascii=False,
    )
    assert not any(raw in everything for raw in _RAW)
    dm = posts["DU0ANA"]
    assert dm["blocks"][0] == channel["blocks"][0]
    assert "you follow Heat 2" in json.dumps(dm["blocks"])
    subscriptions = await _channels(tmp_path)
    assert subscriptions == [f"slack:{TEAM}:#C0NEWS"]


async def _channels(tmp_path: Path) -> list[str]:
    from bot.store import Store

    store = Store(tmp_path / "bot.db")
    await store.open()
    try:
        return [channel.target.key for channel in await store.subscriptions.channels()]
    finally:
        await store.close()


async def test_the_running_bot_in_socket_mode_announces_after_a_rate_limit(
    tmp_path: Path, server: FeedServer
) -> None:
    """App.start() starts the adapter; the delivery loop sends, and a 429 only delays it."""
    server.reply("/feed", body=rss(*FIRST))
    async with FakeSlack() as fake:
        adapter = SlackAdapter(
            bot_token=BOT_TOKEN,
            app_token=APP_TOKEN,
            api_url=fake.url,
            admin_users=("U0BOSS",),
        )
        app = App(local_feed_settings(tmp_path, server.url("/feed")), [adapter])
        await app.start()
        try:
            connected = adapter.connected
            for _ in range(200):  # the first poll of a new feed: everything stored as seen
                feed = await app.store.feeds.get("Local")
                if feed is not None and feed.polls:
                    break
                await asyncio.sleep(0.02)
            await fake.send_envelope(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                    "payload": slash_command(
                        fake, "/announce", "here", user="U0BOSS", respond_to="announce"
                    ),
                }
            )
            await fake.wait_for(lambda: fake.responses_to("announce"))
            fake.fail("chat.postMessage", status=429, retry_after=0.3)
            server.reply("/feed", body=rss(*SECOND))
            await app.poll_all_once()
            await fake.wait_for(fake.posts)
        finally:
            await app.stop()
    attempts = fake.calls_to("chat.postMessage")
    assert connected and not adapter.connected
    assert fake.acks == [{"envelope_id": "env-1"}]
    assert fake.responses_to("announce")[0]["response_type"] == "in_channel"
    assert [call.answer.get("error") for call in attempts] == ["ratelimited", None]
    assert [call.params["channel"] for call in attempts] == ["C0NEWS", "C0NEWS"]
