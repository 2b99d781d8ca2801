"""Socket Mode: the real slack_sdk socket-mode client connects to the fake's websocket (the
URL its apps.connections.open hands out), gets `hello` and a slash_commands envelope, and must
acknowledge it with the envelope id; the reply goes to the command's response_url."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.slack import SlackAdapter, SlackSetupError
from bot.app import App
from tests.fakeslack import APP_TOKEN, BOT_TOKEN, FakeSlack, slack_bot, slash_command
from tests.feedserver import FeedServer
from tests.harness import local_feed_settings

EMPTY_RSS = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as running:
        yield running


async def test_socket_mode_acks_the_envelope_and_answers_through_response_url(
    tmp_path: Path, server: FeedServer, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.reply("/feed", body=EMPTY_RSS)
    async with slack_bot(tmp_path, server.url("/feed"), fake, mode="socket") as (_, adapter):
        connected_after_start = adapter.connected
        await fake.send_envelope(
            {
                "envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": slash_command(fake, "/when", "heat2", respond_to="when"),
            }
        )
        await fake.wait_for(lambda: fake.acks)
        await fake.wait_for(lambda: fake.responses_to("when"))
    opened = fake.calls_to("apps.connections.open")
    assert adapter.mode == "socket" and connected_after_start
    assert not adapter.connected  # after stop
    assert [call.token for call in opened] == [APP_TOKEN]  # the app token, and once
    assert fake.socket_connections == 1
    assert fake.acks == [{"envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf"}]
    answer = fake.responses_to("when")[0]
    assert answer["response_type"] == "ephemeral"
    assert "heat2" in answer["text"]  # the core's answer about a film it does not know yet
    # Nothing the libraries logged, even at DEBUG, holds a token.
    assert caplog.records and BOT_TOKEN not in caplog.text and APP_TOKEN not in caplog.text


async def test_a_wrong_app_token_fails_start_with_the_fix(
    tmp_path: Path, server: FeedServer, fake: FakeSlack
) -> None:
    server.reply("/feed", body=EMPTY_RSS)
    app = App(local_feed_settings(tmp_path, server.url("/feed")))
    adapter = SlackAdapter(bot_token=BOT_TOKEN, app_token="xapp-1-wrong", api_url=fake.url)
    try:
        with pytest.raises(SlackSetupError, match="SLACK_APP_TOKEN.*invalid_auth"):
            await adapter.start(app.commands)
    finally:
        await adapter.stop()
    assert fake.socket_connections == 0 and not adapter.connected


async def test_a_wrong_bot_token_fails_start_with_the_fix(
    tmp_path: Path, server: FeedServer, fake: FakeSlack
) -> None:
    server.reply("/feed", body=EMPTY_RSS)
    app = App(local_feed_settings(tmp_path, server.url("/feed")))
    adapter = SlackAdapter(bot_token="xoxb-wrong", app_token=APP_TOKEN, api_url=fake.url)
    with pytest.raises(SlackSetupError, match="SLACK_BOT_TOKEN"):
        await adapter.start(app.commands)
    await adapter.stop()
    await adapter.stop()  # twice is fine
    assert fake.calls_to("apps.connections.open") == []


def test_the_tokens_choose_the_mode() -> None:
    socket = SlackAdapter(bot_token=BOT_TOKEN, app_token=APP_TOKEN, signing_secret="s")
    http = SlackAdapter(bot_token=BOT_TOKEN, signing_secret="s")
    assert (socket.mode, http.mode) == ("socket", "http")
    assert BOT_TOKEN not in repr(socket) and APP_TOKEN not in repr(socket)
    with pytest.raises(ValueError, match="SLACK_APP_TOKEN .* or SLACK_SIGNING_SECRET"):
        SlackAdapter(bot_token=BOT_TOKEN)
    with pytest.raises(ValueError, match="SLACK_BOT_TOKEN"):
        SlackAdapter(bot_token="", app_token=APP_TOKEN)
