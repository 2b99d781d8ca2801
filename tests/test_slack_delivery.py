"""send(): chat.postMessage to channels and DMs through the real AsyncWebClient and the fake
Slack, with Slack's failures turned into the delivery errors the deliverer understands."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.slack import SlackAdapter
from bot.app import App
from bot.delivery import PermanentFailure, RateLimited, TransientFailure
from bot.models import Field, Message, StoryInfo, Target
from tests.fakeslack import BOT_TOKEN, SIGNING_SECRET, TEAM, FakeSlack, slack_bot
from tests.feedserver import FeedServer
from tests.harness import local_feed_settings

EMPTY_RSS = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
NEWS = Target("slack", TEAM, channel="C0NEWS")
OTHER = Target("slack", TEAM, channel="C0OTHER")
ANA = Target("slack", TEAM, user="U0ANA")
BEN = Target("slack", TEAM, user="U0BEN")
STORY = Message(
    title="Austin Butler joins 'Heat 2'",
    url="https://news.example/heat2-cast",
    body="Austin Butler has been cast in Michael Mann's sequel.",
    fields=(Field("Kind", "Casting"), Field("Film", "Heat 2")),
    footer="Local · 16 Dec 2025 10:00 UTC",
    story=StoryInfo(id=7, kind="casting", films=("Heat 2",), sources=("https://news.example/a",)),
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as running:
        yield running


@pytest.fixture
async def adapter(
    tmp_path: Path, server: FeedServer, fake: FakeSlack
) -> AsyncIterator[SlackAdapter]:
    server.reply("/feed", body=EMPTY_RSS)
    async with slack_bot(tmp_path, server.url("/feed"), fake) as (_, running):
        yield running


async def test_a_channel_gets_block_kit_with_a_text_fallback(adapter, fake) -> None:
    receipt = await adapter.send(NEWS, STORY, "story:7:slack:T0FILM:#C0NEWS")
    [post] = fake.posts()
    call = fake.calls_to("chat.postMessage")[0]
    assert receipt.startswith("C0NEWS/") and receipt.endswith(".000100")
    assert call.token == BOT_TOKEN and call.content_type == "application/json"
    assert post["channel"] == "C0NEWS"
    assert (
        post["text"]
        == "Austin Butler joins 'Heat 2': Austin Butler has been cast in Michael Mann's sequel."
    )
    assert [block["type"] for block in post["blocks"]] == [
        "header",
        "section",
        "context",
        "actions",
    ]
    context = [element["text"] for element in post["blocks"][2]["elements"]]
    assert context == ["*Kind:* Casting", "*Film:* Heat 2", "Local · 16 Dec 2025 10:00 UTC"]
    buttons = post["blocks"][3]["elements"]
    assert [(b["text"]["text"], b["url"]) for b in buttons] == [
        ("Read the story", "https://news.example/heat2-cast"),
        ("Source 2", "https://news.example/a"),
    ]
    assert post["unfurl_links"] is False and post["unfurl_media"] is False
    assert adapter.min_send_interval(NEWS) == adapter.min_send_interval(ANA) == 1.0


async def test_a_person_gets_a_dm_through_conversations_open_once(adapter, fake) -> None:
    await adapter.send(ANA, STORY, "story:7:slack:T0FILM:@U0ANA")
    await adapter.send(ANA, Message(title="Heat 2 is out tomorrow"), "reminder:1")
    opened = [call.params["users"] for call in fake.calls_to("conversations.open")]
    assert opened == ["U0ANA"]  # the DM channel is remembered
    assert [post["channel"] for post in fake.posts()] == ["DU0ANA", "DU0ANA"]


async def test_429_is_a_rate_limit_for_that_channel_only(adapter, fake) -> None:
    fake.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(RateLimited) as limited:
        await adapter.send(NEWS, STORY, "k1")
    calls = len(fake.calls)
    with pytest.raises(RateLimited) as still:
        await adapter.send(NEWS, STORY, "k2")  # Slack is not asked again before the time is up
    assert len(fake.calls) == calls
    await adapter.send(OTHER, STORY, "k3")  # another channel is not held back
    assert limited.value.retry_after == 7.0
    assert 6.0 < still.value.retry_after <= 7.0
    assert [post["channel"] for post in fake.posts()] == ["C0OTHER"]


async def test_a_rate_limited_method_holds_back_every_target_of_that_method(adapter, fake) -> None:
    fake.fail("conversations.open", status=429, retry_after=30)
    with pytest.raises(RateLimited):
        await adapter.send(ANA, STORY, "k1")
    with pytest.raises(RateLimited) as other_person:
        await adapter.send(BEN, STORY, "k2")
    await adapter.send(NEWS, STORY, "k3")  # chat.postMessage to a channel is another limit
    assert [call.params["users"] for call in fake.calls_to("conversations.open")] == ["U0ANA"]
    assert other_person.value.retry_after > 29
    assert [post["channel"] for post in fake.posts()] == ["C0NEWS"]


@pytest.mark.parametrize(
    "error", ["channel_not_found", "is_archived", "not_in_channel", "account_inactive"]
)
async def test_places_that_can_never_receive_are_permanent_failures(adapter, fake, error) -> None:
    fake.fail("chat.postMessage", error)
    with pytest.raises(PermanentFailure, match=error):
        await adapter.send(NEWS, STORY, "k1")


async def test_not_in_channel_says_how_to_fix_it(adapter, fake) -> None:
    fake.fail("chat.postMessage", "not_in_channel")
    with pytest.raises(PermanentFailure, match=r"/invite @filmbot"):
        await adapter.send(NEWS, STORY, "k1")


async def test_a_closed_dm_is_reopened_after_a_permanent_failure(adapter, fake) -> None:
    await adapter.send(ANA, STORY, "k1")
    fake.fail("chat.postMessage", "channel_not_found")
    with pytest.raises(PermanentFailure):
        await adapter.send(ANA, STORY, "k2")
    await adapter.send(ANA, STORY, "k3")
    assert len(fake.calls_to("conversations.open")) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [(200, "internal_error"), (200, "fatal_error"), (503, ""), (200, "invalid_auth")],
)
async def test_slack_side_trouble_and_token_problems_are_transient(
    adapter, fake, caplog, status, error
) -> None:
    fake.fail("chat.postMessage", error, status=status)
    with pytest.raises(TransientFailure):
        await adapter.send(NEWS, STORY, "k1")
    if error == "invalid_auth":  # one bad token must not disable every channel; it is logged
        assert any(
            r.levelno == logging.ERROR and "invalid_auth" in r.message for r in caplog.records
        )


async def test_network_errors_are_transient(tmp_path: Path, server: FeedServer) -> None:
    with socket.socket() as probe:  # a port on which nothing listens
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/api/"
    server.reply("/feed", body=EMPTY_RSS)
    app = App(local_feed_settings(tmp_path, server.url("/feed")))
    adapter = SlackAdapter(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        api_url=dead,
        http_port=0,
        http_host="127.0.0.1",
    )
    await adapter.start(app.commands)  # Slack unreachable at start: it keeps going
    try:
        with pytest.raises(TransientFailure, match="chat.postMessage"):
            await adapter.send(NEWS, STORY, "k1")
        with pytest.raises(TransientFailure, match="conversations.open"):
            await adapter.send(ANA, STORY, "k2")
    finally:
        await adapter.stop()


async def test_a_message_too_big_for_block_kit_still_goes_out(adapter, fake) -> None:
    huge = Message(
        title="T" * 500,
        body="B & " * 2000,
        lines=tuple(f"line {n} <@U{n}>" for n in range(2000)),
        fields=tuple(Field(f"F{n}", "v" * 3000) for n in range(30)),
        footer="f" * 5000,
    )
    await adapter.send(NEWS, huge, "k1")  # the fake answers invalid_blocks beyond the limits
    [post] = fake.posts()
    assert len(post["blocks"]) <= 50 and len(post["text"]) <= 3000
    assert "<@U" not in json.dumps(post)
