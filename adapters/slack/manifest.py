"""The Slack app manifest, generated from the command registry.

A user creates the Slack app by pasting this YAML (api.slack.com/apps -> Create New App ->
From a manifest). It asks for the scopes the bot uses and nothing more:

- `commands`: the slash commands below;
- `chat:write`: announcements in channels the bot was invited to, and DMs;
- `im:write`: `conversations.open`, to start the DM a follower's notification goes to;
- `users:read`: `users.info`, to tell workspace admins and owners (admin commands).
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.commands.registry import CommandSpec, Permission, Registry

BOT_SCOPES = ("chat:write", "commands", "im:write", "users:read")
DESCRIPTION_CHARS = 100  # Slack's "short description" of a slash command
USAGE_HINT_CHARS = 100
APP_NAME = "filmbot"


def _options_hint(spec: CommandSpec) -> str:
    words = []
    for option in spec.options:
        shown = f"{option.name}..." if option.rest else option.name
        words.append(f"<{shown}>" if option.required else f"[{shown}]")
    return " ".join(words)


def usage_hint(spec: CommandSpec) -> str:
    """'heat2'-style hints: the options, or the subcommands with theirs."""
    if spec.subcommands:
        hint = " | ".join(
            " ".join(part for part in (sub.name, _options_hint(sub)) if part)
            for sub in spec.subcommands
        )
    else:
        hint = _options_hint(spec)
    return _cut(hint, USAGE_HINT_CHARS)


def _needs_admin(spec: CommandSpec) -> bool:
    subs = spec.subcommands
    return spec.permission is Permission.MANAGE or bool(
        subs and all(sub.permission is Permission.MANAGE for sub in subs)
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def slack_manifest(
    registry: Registry, *, socket_mode: bool = True, request_url: str | None = None
) -> str:
    """The app manifest as YAML. Socket Mode needs no URL; HTTP mode sends slash commands and
    interactivity to `request_url` (the bot's public https://host/slack/events)."""
    if not socket_mode and not request_url:
        raise ValueError(
            "An HTTP-mode manifest needs the bot's public URL, e.g. https://bot.example/slack/events"
        )
    commands: list[dict[str, Any]] = []
    for spec in registry:
        description = spec.description + (" (admins)" if _needs_admin(spec) else "")
        command: dict[str, Any] = {
            "command": f"/{spec.name}",
            "description": _cut(description, DESCRIPTION_CHARS),
        }
        hint = usage_hint(spec)
        if hint:
            command["usage_hint"] = hint
        # The text arrives as typed: the core parses it the same way on every platform.
        command["should_escape"] = False
        if not socket_mode:
            command["url"] = request_url
        commands.append(command)
    interactivity: dict[str, Any] = {"is_enabled": True}  # link buttons send block_actions
    if not socket_mode:
        interactivity["request_url"] = request_url
    manifest = {
        "display_information": {
            "name": APP_NAME,
            "description": "Film news from the feeds you choose: announcements, follows, /when.",
            "background_color": "#1f2329",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": False,
                "messages_tab_enabled": True,  # where follower DMs appear
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": APP_NAME, "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
    return yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)
