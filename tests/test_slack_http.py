"""HTTP mode: slash commands POSTed to the running adapter, signed exactly as Slack signs them,
answered through response_url on the fake Slack; forged and replayed requests get 401."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from adapters.slack import SlackAdapter
from bot.app import App
from bot.commands.dispatch import CommandContext, Commands
from bot.commands.registry import CommandSpec, Registry
from bot.models import Message, Reply, Target
from tests.fakeslack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    TEAM,
    FakeSlack,
    post_signed,
    run_command,
    sign,
    slack_bot,
    slash_command,
)
from tests.feedserver import FeedServer
from tests.harness import local_feed_settings

EMPTY_RSS = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(admins={"U0BOSS"}) as running:
        yield running


@pytest.fixture
async def bot(
    tmp_path: Path, server: FeedServer, fake: FakeSlack
) -> AsyncIterator[tuple[App, SlackAdapter]]:
    server.reply("/feed", body=EMPTY_RSS)
    async with slack_bot(tmp_path, server.url("/feed"), fake, admin_users=("U0LIST",)) as pair:
        yield pair


def texts(payload: dict[str, Any]) -> str:
    return json.dumps(payload["blocks"], ensure_ascii=False)


async def test_help_is_acknowledged_empty_and_answered_ephemerally(bot, fake) -> None:
    app, adapter = bot
    body = urlencode(slash_command(fake, "/help", respond_to="help"))
    status, ack_body, _ = await post_signed(adapter, body, sign(body))
    await fake.wait_for(lambda: fake.responses_to("help"))
    answer = fake.responses_to("help")[0]
    assert (status, ack_body) == (200, "")  # the ack carries nothing; the reply follows
    assert adapter.connected and adapter.mode == "http"
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "filmbot commands", "emoji": False},
    }
    assert "/when &lt;film...&gt;" in texts(answer)  # usage lines, escaped
    assert fake.calls_to("auth.test")[0].token == BOT_TOKEN


async def test_forged_missing_stale_and_tampered_requests_get_401_and_do_nothing(bot, fake) -> None:
    app, adapter = bot
    body = urlencode(slash_command(fake, "/announce", "here", user="U0LIST", respond_to="x"))
    now = int(time.time())
    rejected = [
        await post_signed(adapter, body, sign(body, secret="not-the-secret")),
        await post_signed(adapter, body, {}),
        await post_signed(adapter, body, {"X-Slack-Request-Timestamp": str(now)}),
        # a request captured six minutes ago and replayed now, signature and all
        await post_signed(adapter, body, sign(body, timestamp=now - 360)),
        await post_signed(adapter, body, sign(body, timestamp=now + 360)),
        # the right signature for another body
        await post_signed(adapter, body.replace("here", "off"), sign(body)),
    ]
    await asyncio.sleep(0.2)  # were anything dispatched, its answer would be on its way
    assert [status for status, _, _ in rejected] == [401] * 6
    assert fake.responses == []
    assert await app.store.subscriptions.channels() == []
    # the same request, signed now, goes through
    good = await post_signed(adapter, body, sign(body))
    await fake.wait_for(lambda: fake.responses_to("x"))
    assert good[0] == 200
    channels = await app.store.subscriptions.channels()
    assert [c.target for c in channels] == [Target("slack", TEAM, channel="C0NEWS")]


async def test_the_ack_does_not_wait_for_a_slow_command(
    tmp_path: Path, server: FeedServer, fake: FakeSlack
) -> None:
    release = asyncio.Event()

    async def slow(ctx: CommandContext, args: dict[str, Any]) -> Reply:
        await release.wait()
        return Reply(Message(body=f"done for {ctx.invocation.user}"))

    registry = Registry()
    registry.add(CommandSpec("slow", "Takes its time.", handler=slow))
    server.reply("/feed", body=EMPTY_RSS)
    app = App(local_feed_settings(tmp_path, server.url("/feed")))
    await app.open()
    adapter = SlackAdapter(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        api_url=fake.url,
        http_port=0,
        http_host="127.0.0.1",
    )
    await adapter.start(Commands(registry, app.commands.services))
    try:
        body = urlencode(slash_command(fake, "/slow", respond_to="slow"))
        status, _, _ = await post_signed(adapter, body, sign(body))
        answered_before_release = list(fake.responses)
        release.set()
        await fake.wait_for(lambda: fake.responses_to("slow"))
    finally:
        await adapter.stop()
        await app.close()
    assert status == 200 and answered_before_release == []
    assert "done for U0ANA" in texts(fake.responses_to("slow")[0])


async def test_admin_commands_need_a_workspace_admin_or_the_admin_list(bot, fake) -> None:
    app, adapter = bot
    add = "add https://deadline.com/feed/ Deadline"
    refused = await run_command(adapter, fake, "/feeds", add, user="U0ANA")
    added = await run_command(adapter, fake, "/feeds", add, user="U0BOSS")
    status = await run_command(adapter, fake, "/status", user="U0ANA")
    listed_admin = await run_command(adapter, fake, "/announce", "here", user="U0LIST")
    asked = [call.params["user"] for call in fake.calls_to("users.info")]
    assert refused["response_type"] == "ephemeral"
    assert ":warning: Only people who can manage" in texts(refused)
    assert added["response_type"] == "in_channel" and "Added feed Deadline" in texts(added)
    assert "Only people who can manage" in texts(status)
    assert listed_admin["response_type"] == "in_channel"
    assert "This channel will now receive new film stories" in texts(listed_admin)
    # users.info once per person (then cached); never for someone on the admin list
    assert asked == ["U0ANA", "U0BOSS"]


async def test_link_button_clicks_are_acknowledged(bot, fake) -> None:
    _, adapter = bot
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "U0ANA"},
        "api_app_id": "A0FILM",
        "container": {"type": "message", "channel_id": "C0NEWS"},
        "channel": {"id": "C0NEWS"},
        "trigger_id": "1.2.3",
        "response_url": fake.response_url("click"),
        "actions": [
            {
                "type": "button",
                "action_id": "filmbot_link_0",
                "block_id": "b1",
                "url": "https://news.example/a",
                "action_ts": "1765000000.1",
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)})
    status, _, _ = await post_signed(adapter, body, sign(body))
    unsigned, _, _ = await post_signed(adapter, body, {})
    assert (status, unsigned) == (200, 401)
    assert fake.responses == []  # a link click changes nothing


async def test_the_port_in_use_is_a_clear_setup_error(bot, fake) -> None:
    app, running = bot
    second = SlackAdapter(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        api_url=fake.url,
        http_port=running.port or 0,
        http_host="127.0.0.1",
    )
    with pytest.raises(RuntimeError, match="SLACK_HTTP_PORT"):
        await second.start(app.commands)
    await second.stop()
    assert not second.connected
