"""The registry as Discord application (slash) commands, and interactions back as Invocations.

The command JSON is built from the CommandSpecs here rather than with discord.py's
CommandTree decorators, so every command is written once, in bot/commands, and Discord gets
its typed options, descriptions and default permissions from the same specs as /help.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from adapters.discord.render import CHOICE_LIMIT, cut
from bot.commands.registry import CommandSpec, OptionSpec, OptionType, Permission, Registry
from bot.films.resolve import TitleIndex
from bot.models import Invocation, Target

PLATFORM = "discord"

# https://discord.com/developers/docs/interactions/application-commands
CHAT_INPUT = 1
SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
GUILD_INSTALL = 0
GUILD_CONTEXT = 0
DESCRIPTION_LIMIT = 100
CHOICES_LIMIT = 25
MANAGE_GUILD = 1 << 5  # "Manage Server" in the Discord client
ADMINISTRATOR = 1 << 3

_OPTION_TYPES = {
    OptionType.STRING: STRING,
    OptionType.INTEGER: INTEGER,
    OptionType.URL: STRING,
    OptionType.FILM: STRING,
}


def application_commands(registry: Registry) -> list[dict[str, Any]]:
    """The payload of the bulk overwrite (PUT /applications/{id}/commands): every command."""
    return [_command(spec) for spec in registry]


def _command(spec: CommandSpec) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": CHAT_INPUT,
        "name": spec.name,
        "description": _description(spec.description),
        # The commands act on a server (its channels, its members' follows): not in DMs.
        "contexts": [GUILD_CONTEXT],
        "integration_types": [GUILD_INSTALL],
        "dm_permission": False,
        "nsfw": False,
    }
    if spec.subcommands:
        payload["options"] = [_subcommand(sub) for sub in spec.subcommands]
    else:
        payload["options"] = _options(spec.options)
    # Discord hides a command from members without these permissions; only the top level has
    # them, so a command is restricted when it or every one of its subcommands is admin-only.
    # Dispatch checks every call again (Invocation.can_manage): server admins may re-grant.
    admin_only = spec.permission is Permission.MANAGE or (
        bool(spec.subcommands)
        and all(sub.permission is Permission.MANAGE for sub in spec.subcommands)
    )
    payload["default_member_permissions"] = str(MANAGE_GUILD) if admin_only else None
    return payload


def _subcommand(spec: CommandSpec) -> dict[str, Any]:
    return {
        "type": SUB_COMMAND,
        "name": spec.name,
        "description": _description(spec.description),
        "options": _options(spec.options),
    }


def _options(options: Sequence[OptionSpec]) -> list[dict[str, Any]]:
    # Discord wants the required options before the optional ones.
    ordered = sorted(options, key=lambda option: not option.required)
    out = []
    for option in ordered:
        payload: dict[str, Any] = {
            "type": _OPTION_TYPES[option.type],
            "name": option.name,
            "description": _description(option.description),
            "required": option.required,
        }
        if option.type is OptionType.FILM:
            payload["autocomplete"] = True
        if option.type is OptionType.INTEGER:
            if option.min_value is not None:
                payload["min_value"] = option.min_value
            if option.max_value is not None:
                payload["max_value"] = option.max_value
        out.append(payload)
    return out


def _description(text: str) -> str:
    return cut(text.strip() or "-", DESCRIPTION_LIMIT)


@dataclass(frozen=True)
class CommandCall:
    """An application command interaction's data, flattened: the subcommand and options."""

    command: str
    subcommand: str | None
    options: dict[str, str]
    focused: str | None  # the option being typed, for autocomplete
    focused_value: str


def read_call(data: Mapping[str, Any]) -> CommandCall:
    """Discord's nested options ({name, type, value, options, focused}) as flat strings."""
    options: list[Mapping[str, Any]] = list(data.get("options") or [])
    subcommand = None
    while options and options[0].get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
        # A group is not in the registry today; its subcommand would be the one meant.
        subcommand = str(options[0]["name"])
        options = list(options[0].get("options") or [])
    values: dict[str, str] = {}
    focused, focused_value = None, ""
    for option in options:
        value = option.get("value")
        text = "" if value is None else str(value)
        values[str(option["name"])] = text
        if option.get("focused"):
            focused, focused_value = str(option["name"]), text
    return CommandCall(str(data.get("name", "")), subcommand, values, focused, focused_value)


def invocation(
    call: CommandCall,
    *,
    guild_id: int | None,
    channel_id: int | None,
    user_id: int,
    user_name: str,
    permissions: int,
) -> Invocation:
    """The Invocation of a slash command: where (this channel), who, and may they manage."""
    return Invocation(
        command=call.command,
        subcommand=call.subcommand,
        options=dict(call.options),
        user=str(user_id),
        user_name=user_name,
        target=Target(
            platform=PLATFORM,
            place="" if guild_id is None else str(guild_id),
            channel="" if channel_id is None else str(channel_id),
        ),
        can_manage=bool(permissions & (MANAGE_GUILD | ADMINISTRATOR)),
    )


def option_spec(registry: Registry, call: CommandCall) -> OptionSpec | None:
    """The spec of the option being autocompleted, if the registry knows it."""
    spec = registry.get(call.command)
    if spec is not None and call.subcommand is not None:
        spec = spec.subcommand(call.subcommand)
    if spec is None or call.focused is None:
        return None
    return next((option for option in spec.options if option.name == call.focused), None)


def film_choices(titles: TitleIndex, typed: str) -> list[dict[str, str]]:
    """Autocomplete choices from the knowledge base: what the user types, the films it fits."""
    seen: set[str] = set()
    choices = []
    for candidate in titles.suggest(typed, limit=CHOICES_LIMIT):
        title = cut(candidate.title, CHOICE_LIMIT)
        if title not in seen:
            seen.add(title)
            choices.append({"name": title, "value": title})
    return choices
