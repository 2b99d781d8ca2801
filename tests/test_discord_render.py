"""The Discord payloads on their own: embeds inside the limits, no pings, the nonce, the
invite, and the application commands built from the registry."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.discord import REQUIRED_PERMISSIONS, application_id_from_token, invite_url
from adapters.discord.adapter import rest_base
from adapters.discord.commands import application_commands, read_call
from adapters.discord.render import embed, embed_size, message_payload, nonce
from bot.commands.builtin import build_registry
from bot.models import Field, Message

HOSTILE = Message(
    title="@everyone Heat 2 trailer <@&123>",
    url="https://news.example/a",
    body="Ping <@123> and <@!456> and @here",
    fields=(Field("Film", "@everyone"),),
    footer="Outlet <@&999>",
    lines=("@here again",),
)


def test_nothing_in_a_message_can_ping() -> None:
    payload = message_payload(HOSTILE, "story:1:discord:1:#2")
    assert payload["allowed_mentions"] == {"parse": []}
    text = json.dumps(payload, ensure_ascii=False)
    for mention in ("@everyone", "@here", "<@&123>", "<@123>", "<@!456>", "<@&999>"):
        assert mention not in text, mention
    assert "@\u200beveryone" in text  # still readable
    assert payload["embeds"][0]["url"] == "https://news.example/a"


def test_the_nonce_is_short_stable_and_enforced() -> None:
    key = "story:12:discord:1:@7001"
    payload = message_payload(HOSTILE, key)
    assert payload["enforce_nonce"] is True
    assert payload["nonce"] == nonce(key) and len(payload["nonce"]) <= 25
    assert nonce(key) == nonce(str(key)) and nonce(key) != nonce(key + "x")


def test_embeds_stay_inside_discord_limits() -> None:
    huge = Message(
        title="T" * 1000,
        url="javascript:alert(1)",
        body="B" * 10_000,
        fields=tuple(Field("N" * 500, "V" * 3000) for _ in range(30)),
        footer="F" * 5000,
        lines=tuple("L" * 100 for _ in range(50)),
    )
    out = embed(huge)
    assert len(out["title"]) <= 256 and len(out["footer"]["text"]) <= 2048
    assert len(out.get("description", "")) <= 4096
    assert len(out["fields"]) <= 25
    assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in out["fields"])
    assert embed_size(out) <= 6000
    assert "url" not in out  # only http(s) links
    small = embed(Message(title="Heat 2", body="short", fields=(Field("Kind", ""),)))
    assert small["description"] == "short" and small["fields"][0]["value"]  # never empty


def test_error_replies_are_red_and_empty_messages_still_valid() -> None:
    assert embed(Message(body="x"), ok=False)["color"] != embed(Message(body="x"))["color"]
    assert embed(Message())["description"]


def test_invite_url_asks_for_exactly_what_the_bot_uses() -> None:
    assert REQUIRED_PERMISSIONS == (1 << 10) | (1 << 11) | (1 << 14) | (1 << 38)
    url = invite_url("424242424242424242", guild_id="99")
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "discord.com", "/oauth2/authorize")
    assert query["client_id"] == "424242424242424242"
    assert query["scope"].split() == ["bot", "applications.commands"]
    assert query["permissions"] == str(REQUIRED_PERMISSIONS)
    assert query["guild_id"] == "99"
    assert "guild_id" not in invite_url("1")
    with pytest.raises(ValueError, match="number"):
        invite_url("not-an-id")


def test_application_id_comes_from_the_token() -> None:
    first = base64.b64encode(b"424242424242424242").decode().rstrip("=")
    assert application_id_from_token(f"{first}.GdZ4Tq.secret") == "424242424242424242"
    hello = base64.b64encode(b"hello").decode()
    for token in ("", "...", "%%%.x.y", f"{hello}.x.y", "MTIz.x.y"):  # MTIz: "123", too short
        assert application_id_from_token(token) is None, token


def test_rest_base_accepts_a_host_or_a_versioned_root() -> None:
    assert rest_base("http://127.0.0.1:5") == "http://127.0.0.1:5/api/v10"
    assert rest_base("http://127.0.0.1:5/") == "http://127.0.0.1:5/api/v10"
    assert rest_base("https://proxy.example/api/v10") == "https://proxy.example/api/v10"
    assert rest_base("https://proxy.example/api") == "https://proxy.example/api/v10"


def test_commands_are_built_from_the_registry() -> None:
    registry = build_registry()
    commands = {c["name"]: c for c in application_commands(registry)}
    assert set(commands) == {spec.name for spec in registry}
    for command in commands.values():
        assert command["type"] == 1 and command["contexts"] == [0]
        assert 1 <= len(command["description"]) <= 100
        required = [o.get("required", False) for o in command["options"] if o["type"] != 1]
        assert required == sorted(required, reverse=True)  # required options first
    (film,) = commands["when"]["options"]
    assert film == {
        "type": 3,
        "name": "film",
        "description": "A film title, e.g. heat2 or Dune: Part Three.",
        "required": True,
        "autocomplete": True,
    }
    (count,) = commands["upcoming"]["options"]
    assert (count["type"], count["min_value"], count["max_value"], count["required"]) == (
        4,
        1,
        25,
        False,
    )
    assert commands["status"]["default_member_permissions"] == str(1 << 5)
    assert commands["announce"]["default_member_permissions"] == str(1 << 5)
    # /feeds list is for everyone, so /feeds shows; /feeds add is checked when invoked
    assert commands["feeds"]["default_member_permissions"] is None
    feeds_add = next(o for o in commands["feeds"]["options"] if o["name"] == "add")
    assert feeds_add["type"] == 1
    assert [(o["name"], o["type"], o["required"]) for o in feeds_add["options"]] == [
        ("url", 3, True),
        ("name", 3, False),
    ]
    assert commands["help"]["default_member_permissions"] is None


def test_nested_options_read_as_subcommand_and_strings() -> None:
    call = read_call(
        {
            "name": "feeds",
            "options": [
                {
                    "name": "add",
                    "type": 1,
                    "options": [
                        {"name": "url", "type": 3, "value": "https://x.example/rss"},
                        {"name": "count", "type": 4, "value": 3, "focused": True},
                    ],
                }
            ],
        }
    )
    assert (call.command, call.subcommand) == ("feeds", "add")
    assert call.options == {"url": "https://x.example/rss", "count": "3"}
    assert (call.focused, call.focused_value) == ("count", "3")
