"""The whole bot on Discord: feeds on 127.0.0.1, the real pipeline and SQLite, discord.py
connected to the local Discord. Slash commands, autocomplete, DMs to followers,
announcements with a nonce and no pings, rate limits and permanent failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.discord import DiscordAdapter
from adapters.discord.render import nonce
from bot.app import App
from bot.delivery import PermanentFailure, RateLimited
from bot.models import Message, Target
from tests.fakediscord import (
    ADMIN_PERMISSIONS,
    CHANNEL,
    GUILD,
    OTHER_CHANNEL,
    FakeDiscord,
)
from tests.feedserver import FeedServer
from tests.harness import local_feed_settings, rss

HEAT2 = (
    "heat2",
    "Michael Mann says 'Heat 2' is totally planned to be a movie",
    "The director wants to make a sequel to Heat.",
    "Wed, 03 Dec 2025 10:00:00 GMT",
)
CAST = (
    "heat2-cast",
    "Austin Butler joins 'Heat 2'",
    "Austin Butler has been cast in Michael Mann's sequel.",
    "Tue, 16 Dec 2025 10:00:00 GMT",
)
HOSTILE = (
    "hostile",
    "@everyone @here 'Heat 2' trailer <@&123> <@123>",
    "Watch the first trailer for Heat 2 now @everyone <@&123> <@123> @here.",
    "Wed, 17 Dec 2025 10:00:00 GMT",
)
ERROR_RED = 0xDC2626
EPHEMERAL = 64
CHANNEL_TARGET = Target("discord", str(GUILD), channel=str(CHANNEL))


class Bot:
    def __init__(self, app: App, adapter: DiscordAdapter, fake: FakeDiscord, feeds: FeedServer):
        self.app, self.adapter, self.fake, self.feeds = app, adapter, fake, feeds

    async def news(self, *items: tuple[str, str, str, str]) -> None:
        """The feed now serves these items; poll it and deliver what was planned."""
        self.feeds.reply("/feed", body=rss(*items))
        await self.app.poll_all_once()
        await self.app.deliver_once()


@pytest.fixture
async def bot(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with FeedServer() as feeds, FakeDiscord() as fake:
        feeds.reply("/feed", body=rss(HEAT2))
        adapter = DiscordAdapter(token=fake.token, api_url=fake.url)
        app = App(local_feed_settings(tmp_path, feeds.url("/feed")), [adapter])
        await app.open()
        await adapter.start(app.commands)
        try:
            await app.poll_all_once()  # Heat 2 is known from here on
            await fake.wait_until(lambda: adapter.connected)
            yield Bot(app, adapter, fake, feeds)
        finally:
            await adapter.stop()
            await app.close()


def only_embed(body: dict[str, object]) -> dict[str, object]:
    (embed,) = body["embeds"]  # type: ignore[misc]
    return embed  # type: ignore[no-any-return]


async def test_when_heat2_is_answered_with_an_embed_only_the_asker_sees(bot: Bot) -> None:
    callback = await bot.fake.slash("when", {"film": "heat2"})
    assert callback["type"] == 4  # answered at once, no deferral needed
    data = callback["data"]
    assert data["flags"] & EPHEMERAL
    assert data["allowed_mentions"] == {"parse": []}
    embed = only_embed(data)
    assert embed["title"] == "When is Heat 2 out?"
    assert embed["url"] == "https://news.example/heat2"
    assert str(embed["description"]).startswith("No release date announced yet for Heat 2.")


async def test_film_options_autocomplete_from_the_knowledge_base(bot: Bot) -> None:
    typed = await bot.fake.slash("when", {"film": "hea"}, focused="film")
    nothing = await bot.fake.slash("film", {"film": "zzzz"}, focused="film")
    assert typed["type"] == 8
    assert {"name": "Heat 2", "value": "Heat 2"} in typed["data"]["choices"]
    assert nothing == {"type": 8, "data": {"choices": []}}


async def test_admin_commands_are_checked_when_invoked(bot: Bot) -> None:
    refused = await bot.fake.slash("status")
    refused_sub = await bot.fake.slash("announce", subcommand="here")
    allowed = await bot.fake.slash("status", permissions=ADMIN_PERMISSIONS)
    for answer in (refused, refused_sub):
        embed = only_embed(answer["data"])
        assert embed["color"] == ERROR_RED and "manage" in str(embed["description"])
    assert only_embed(allowed["data"])["color"] != ERROR_RED
    assert await bot.app.store.subscriptions.channels() == []


async def test_follow_then_a_heat2_story_arrives_as_a_dm(bot: Bot) -> None:
    followed = await bot.fake.slash("follow", {"what": "heat 2"}, user=7001, user_name="ana")
    assert "You now follow the film Heat 2" in str(only_embed(followed["data"])["description"])
    await bot.news(HEAT2, CAST)
    (opened,) = bot.fake.requests_to("POST", "/users/@me/channels")
    assert opened.json == {"recipient_id": 7001}
    (dm,) = bot.fake.messages
    assert dm["channel_id"] == bot.fake.dm_channels["7001"]
    assert only_embed(dm)["title"] == "Austin Butler joins 'Heat 2'"
    assert "you follow Heat 2" in str(only_embed(dm)["footer"])
    key = f"story:{2}:discord:{GUILD}:@7001"
    assert dm["nonce"] == nonce(key) and dm["enforce_nonce"] is True
    assert dm["allowed_mentions"] == {"parse": []}


async def test_announcements_carry_the_nonce_and_can_ping_nobody(bot: Bot) -> None:
    here = await bot.fake.slash("announce", subcommand="here", permissions=ADMIN_PERMISSIONS)
    assert here["type"] == 4 and not here["data"].get("flags", 0) & EPHEMERAL  # public
    await bot.news(HEAT2, HOSTILE)
    (post,) = bot.fake.requests_to("POST", f"/channels/{CHANNEL}/messages")
    assert post.json["allowed_mentions"] == {"parse": []}
    assert post.json["enforce_nonce"] is True and 1 <= len(post.json["nonce"]) <= 25
    text = json.dumps(post.json, ensure_ascii=False)
    for mention in ("@everyone", "@here", "<@&123>", "<@123>"):
        assert mention not in text, mention
    embed = post.json["embeds"][0]
    assert embed["url"] == "https://news.example/hostile"
    assert {f["name"] for f in embed["fields"]} >= {"Kind", "Film"}
    assert embed["footer"]["text"].startswith("Local")  # the outlet


async def test_a_resend_with_the_same_key_posts_once(bot: Bot) -> None:
    message = Message(title="Heat 2 news", body="once")
    first = await bot.adapter.send(CHANNEL_TARGET, message, "story:9:x")
    again = await bot.adapter.send(CHANNEL_TARGET, message, "story:9:x")  # after a "crash"
    other = await bot.adapter.send(CHANNEL_TARGET, message, "story:10:x")
    assert first == again != other
    assert bot.fake.message_posts == 3 and len(bot.fake.messages) == 2


async def test_short_rate_limits_are_waited_out_long_ones_come_back_typed(bot: Bot) -> None:
    bot.fake.rate_limits = [0.2]
    receipt = await bot.adapter.send(CHANNEL_TARGET, Message(title="a"), "k1")
    assert receipt == bot.fake.messages[-1]["id"] and bot.fake.message_posts == 2
    # the wait discord.py did itself still shows in the metrics
    registry = bot.app.metrics.registry
    platform = {"platform": "discord"}
    assert registry.get_sample_value("filmbot_rate_limit_waits_total", platform) == 1
    waited = registry.get_sample_value("filmbot_rate_limit_wait_seconds_total", platform)
    assert waited == pytest.approx(0.2)
    bot.fake.rate_limits = [120.0]
    with pytest.raises(RateLimited) as limited:
        await bot.adapter.send(CHANNEL_TARGET, Message(title="b"), "k2")
    assert limited.value.retry_after == 120.0
    assert bot.adapter.min_send_interval(CHANNEL_TARGET) == 1.0


async def test_missing_access_unknown_channel_and_closed_dms_are_permanent(bot: Bot) -> None:
    bot.fake.channel_errors[str(OTHER_CHANNEL)] = 50001
    bot.fake.closed_dms.add("7002")
    targets = {
        "Missing Access": Target("discord", str(GUILD), channel=str(OTHER_CHANNEL)),
        "Unknown Channel": Target("discord", str(GUILD), channel="123"),
        "Cannot send messages to this user": Target("discord", str(GUILD), user="7002"),
    }
    for said, target in targets.items():
        with pytest.raises(PermanentFailure, match=said):
            await bot.adapter.send(target, Message(title="x"), f"k-{said}")


async def test_a_follower_with_closed_dms_is_not_retried_forever(bot: Bot) -> None:
    bot.fake.closed_dms.add("7003")
    await bot.fake.slash("follow", {"what": "heat 2"}, user=7003)
    await bot.news(HEAT2, CAST)
    posts = bot.fake.message_posts
    for _ in range(3):
        await bot.app.deliver_once()
    assert posts == 1 and bot.fake.message_posts == 1  # tried once, then dead
    assert (await bot.app.store.outbox.counts()).get("dead") == 1


async def test_slow_answers_are_deferred_then_followed_up(bot: Bot) -> None:
    bot.adapter.defer_after = 0.0  # as if every command took longer than Discord's 3 s
    private = await bot.fake.slash("when", {"film": "heat2"})
    await bot.fake.wait_until(lambda: len(bot.fake.followups) == 1)
    public = await bot.fake.slash("announce", subcommand="here", permissions=ADMIN_PERMISSIONS)
    await bot.fake.wait_until(lambda: len(bot.fake.followups) == 2)
    await bot.fake.wait_until(lambda: bot.fake.original_deletes == 1)
    assert private == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert public == {"type": 5, "data": {"flags": EPHEMERAL}}
    first, second = bot.fake.followups
    assert only_embed(first)["title"] == "When is Heat 2 out?" and first["flags"] & EPHEMERAL
    assert not second.get("flags", 0) & EPHEMERAL  # the public answer is a new message
    assert len(bot.fake.original_edits) == 1  # the private "thinking" was ended first
    assert first["allowed_mentions"] == second["allowed_mentions"] == {"parse": []}
