"""Block Kit rendering: escaping of untrusted text, Block Kit's limits, replies' visibility;
the app manifest generated from the registry; the adapter built from settings."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
import yaml

from adapters.slack import (
    SlackAdapter,
    build_slack_adapter,
    message_payload,
    reply_payload,
    slack_manifest,
)
from adapters.slack.render import escape, fit
from bot.commands.builtin import build_registry
from bot.config import load_settings
from bot.models import Field, Message, Reply, StoryInfo, Visibility
from tests.fakeslack import block_kit_problem

HOSTILE = Message(
    title="<!channel> Heat 2 <@U123> & <https://evil.example|click>",
    url="https://news.example/a",
    body="Ping <!here> and <!subteam^S1> & <#C1> <b>bold</b>",
    fields=(Field("Kind <!everyone>", "Trailer & <@U9>"),),
    footer="Outlet <!channel>",
    lines=("a line <@U123>",),
    story=StoryInfo(id=1, kind="trailer", sources=("javascript:alert(1)", "https://x.example/<b>")),
)
_CONTROL = re.compile(r"<[!@#]|<https?:|&(?!amp;|lt;|gt;)")


def _all_text(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False)


def test_untrusted_text_reaches_slack_only_escaped() -> None:
    payload = message_payload(HOSTILE)
    text = _all_text(payload)
    for raw in ("<!channel>", "<!here>", "<@U123>", "<!subteam", "<#C1>", "<https://evil", "<b>"):
        assert raw not in text
    assert not _CONTROL.search(text), _CONTROL.search(text)
    assert "&lt;!channel&gt; Heat 2 &lt;@U123&gt; &amp;" in payload["blocks"][0]["text"]["text"]
    assert payload["text"].startswith("&lt;!channel&gt; Heat 2")
    urls = [b["url"] for b in payload["blocks"][-1]["elements"]]
    assert urls == ["https://news.example/a", "https://x.example/%3Cb%3E"]  # no javascript:
    assert block_kit_problem(payload["blocks"]) is None


def test_everything_stays_within_block_kit_limits() -> None:
    huge = Message(
        title="&" * 400,
        body="<" * 5000,
        lines=tuple(f"{n} " + "x" * 300 for n in range(600)),
        fields=tuple(Field("n" * 200, "v" * 3000) for n in range(30)),
        footer="f" * 5000,
        url="https://news.example/" + "p" * 4000,  # too long for a button: left out
    )
    payload = message_payload(huge)
    blocks = payload["blocks"]
    assert block_kit_problem(blocks) is None
    assert len(blocks) == 50 and blocks[-1]["type"] == "context"
    assert blocks[0]["text"]["text"].endswith("&amp;…")  # never half an entity
    assert len(blocks[0]["text"]["text"]) <= 150
    listing = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b)
    shown = listing.count("• ")
    assert f"… and {600 - shown} more" in listing
    assert len(payload["text"]) <= 3000


@pytest.mark.parametrize("limit", [1, 2, 5, 6, 7, 11, 150])
def test_fit_cuts_the_raw_text_never_an_entity(limit: int) -> None:
    text = "a&b<c>d" * 40
    cut = fit(text, limit)
    assert len(cut) <= limit
    raw = cut.removesuffix("…").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert text.startswith(raw)
    assert escape(raw) == cut.removesuffix("…")


def test_replies_are_ephemeral_unless_public_and_failures_say_so() -> None:
    private = reply_payload(Reply(Message(body="Only you")))
    public = reply_payload(Reply(Message(body="Everyone"), visibility=Visibility.PUBLIC))
    failed = reply_payload(Reply(Message(body="No <such> film"), ok=False))
    assert (private["response_type"], public["response_type"]) == ("ephemeral", "in_channel")
    assert failed["blocks"] == [
        {"type": "section", "text": {"type": "mrkdwn", "text": ":warning: No &lt;such&gt; film"}}
    ]
    assert failed["text"] == "Error: No &lt;such&gt; film"
    assert reply_payload(Reply(Message()))["blocks"]  # never an empty message


def test_socket_mode_manifest_has_every_command_and_only_the_scopes_used() -> None:
    registry = build_registry()
    manifest = yaml.safe_load(slack_manifest(registry))
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {f"/{spec.name}" for spec in registry}
    assert {"/when", "/news", "/film", "/upcoming", "/follow", "/unfollow", "/following"} <= set(
        commands
    )
    assert {"/announce", "/digest", "/feeds", "/status", "/help"} <= set(commands)
    assert manifest["oauth_config"]["scopes"]["bot"] == [
        "chat:write",
        "commands",
        "im:write",
        "users:read",
    ]
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}
    assert all("url" not in c for c in commands.values())
    assert all(len(c["description"]) <= 100 for c in commands.values())
    assert commands["/when"]["usage_hint"] == "<film...>"
    assert commands["/feeds"]["usage_hint"] == "list | add <url> [name...] | remove <name...>"
    assert commands["/announce"]["description"].endswith("(admins)")
    assert not commands["/follow"]["description"].endswith("(admins)")
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_http_mode_manifest_sends_everything_to_the_request_url() -> None:
    url = "https://bot.example/slack/events"
    manifest = yaml.safe_load(slack_manifest(build_registry(), socket_mode=False, request_url=url))
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["settings"]["interactivity"] == {"is_enabled": True, "request_url": url}
    assert {c["url"] for c in manifest["features"]["slash_commands"]} == {url}
    with pytest.raises(ValueError, match="public URL"):
        slack_manifest(build_registry(), socket_mode=False)


def _settings(tmp_path: Path, env: dict[str, str]):  # type: ignore[no-untyped-def]
    config = tmp_path / "feeds.yaml"
    config.write_text("feeds:\n  - name: Local\n    url: https://news.example/feed\n")
    return load_settings(config, db_path=tmp_path / "bot.db", env=env)


def test_the_adapter_is_built_from_settings(tmp_path: Path) -> None:
    bot = "xoxb-1-2-abc"
    socket = build_slack_adapter(
        _settings(tmp_path, {"SLACK_BOT_TOKEN": bot, "SLACK_APP_TOKEN": "xapp-1-A-2-def"})
    )
    http = build_slack_adapter(
        _settings(
            tmp_path,
            {
                "SLACK_BOT_TOKEN": bot,
                "SLACK_SIGNING_SECRET": "secret",
                "SLACK_HTTP_PORT": "8123",
                "SLACK_API_URL": "https://slack-gov.com/api",
                "SLACK_ADMIN_USERS": "U0BOSS,U0LIST",
            },
        )
    )
    assert isinstance(socket, SlackAdapter) and socket.mode == "socket"
    assert (http.mode, http.http_port, http.api_url) == ("http", 8123, "https://slack-gov.com/api/")
    assert http.admin_users == {"U0BOSS", "U0LIST"}
    with pytest.raises(ValueError, match="SLACK_BOT_TOKEN"):
        build_slack_adapter(_settings(tmp_path, {}))


def test_library_log_lines_never_show_a_token(caplog: pytest.LogCaptureFixture) -> None:
    from adapters.slack.adapter import _library_logger

    caplog.set_level(logging.DEBUG)
    _library_logger().debug("headers: %s", {"Authorization": "Bearer xoxb-1-2-secretvalue"})
    assert "xoxb-1-2-secretvalue" not in caplog.text and "[redacted token]" in caplog.text
