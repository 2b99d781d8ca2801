"""The command registry: every command written once, as a spec every platform builds from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from bot.models import Reply

if TYPE_CHECKING:
    from bot.commands.dispatch import CommandContext


class Permission(Enum):
    EVERYONE = "everyone"
    MANAGE = "manage"  # server/workspace admins (Discord: Manage Server; Slack: admins/owners)


class OptionType(Enum):
    STRING = "string"
    INTEGER = "integer"
    URL = "url"
    FILM = "film"  # a film title; platforms may autocomplete it


@dataclass(frozen=True, slots=True)
class OptionSpec:
    name: str
    description: str
    type: OptionType = OptionType.STRING
    required: bool = True
    rest: bool = False  # takes the rest of the text, spaces included (only the last option)
    min_value: int | None = None
    max_value: int | None = None


Handler = Callable[["CommandContext", dict[str, Any]], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    description: str
    handler: Handler | None = None
    options: tuple[OptionSpec, ...] = ()
    permission: Permission = Permission.EVERYONE
    subcommands: tuple[CommandSpec, ...] = ()
    default_subcommand: str | None = None  # what "/feeds" alone runs
    examples: tuple[str, ...] = ()

    def subcommand(self, name: str) -> CommandSpec | None:
        return next((sub for sub in self.subcommands if sub.name == name), None)

    def usage(self, parent: str = "") -> str:
        words = [f"/{parent} {self.name}" if parent else f"/{self.name}"]
        for option in self.options:
            shown = f"{option.name}..." if option.rest else option.name
            words.append(f"<{shown}>" if option.required else f"[{shown}]")
        return " ".join(words)


@dataclass
class Registry:
    commands: dict[str, CommandSpec] = field(default_factory=dict)

    def add(self, spec: CommandSpec) -> None:
        if spec.name in self.commands:
            raise ValueError(f"command /{spec.name} is registered twice")
        if spec.handler is None and not spec.subcommands:
            raise ValueError(f"command /{spec.name} has neither a handler nor subcommands")
        self.commands[spec.name] = spec

    def get(self, name: str) -> CommandSpec | None:
        return self.commands.get(name)

    def __iter__(self) -> Iterator[CommandSpec]:
        return iter(self.commands.values())
