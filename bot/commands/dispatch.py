"""Running a command: find its spec, check who may run it, parse its arguments, call it."""

from __future__ import annotations

import difflib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.commands.registry import CommandSpec, OptionSpec, OptionType, Permission, Registry
from bot.config import Settings
from bot.films.index import FilmIndex
from bot.metrics import UNKNOWN_COMMAND, Metrics
from bot.models import Invocation, Message, Reply
from bot.store import Store

_LOGGER = logging.getLogger(__name__)


_WORD = re.compile(r'"([^"]*)"|\u201c([^\u201d]*)\u201d|(\S+)')


class UsageError(Exception):
    """The arguments do not fit the command; the message says what to type instead."""


@dataclass(frozen=True)
class Services:
    """What command handlers may use. Passed in, never global."""

    store: Store
    settings: Settings
    clock: Callable[[], datetime]
    feeds_changed: Callable[[], Awaitable[None]]  # the app reschedules polling
    films: FilmIndex  # in-memory title indexes for resolution and autocomplete


@dataclass(frozen=True)
class CommandContext:
    invocation: Invocation
    services: Services
    registry: Registry


def error_reply(text: str, usage: str = "") -> Reply:
    body = f"{text}\nUsage: {usage}" if usage else text
    return Reply(Message(body=body), ok=False)


class Commands:
    """The registry bound to the services: what adapters call for every command."""

    def __init__(
        self, registry: Registry, services: Services, *, metrics: Metrics | None = None
    ) -> None:
        self.registry = registry
        self.services = services
        # Adapters reach it here too (self.commands.metrics) to report rate-limit waits.
        self.metrics = metrics or Metrics()

    async def dispatch(self, invocation: Invocation) -> Reply:
        started = time.perf_counter()
        try:
            return await self._dispatch(invocation)
        except Exception:
            _LOGGER.exception(
                "command /%s failed", invocation.command, extra={"target": invocation.target.key}
            )
            return error_reply(
                f"Sorry, /{invocation.command} failed on our side. The error is in the bot's log."
            )
        finally:
            seconds = time.perf_counter() - started
            _LOGGER.debug("command /%s took %.1f ms", invocation.command, seconds * 1000)
            # Only registered names become labels: typed-in junk must not grow the series.
            known = self.registry.get(invocation.command.lower()) is not None
            self.metrics.command_answered(
                invocation.command.lower() if known else UNKNOWN_COMMAND, seconds
            )

    async def _dispatch(self, invocation: Invocation) -> Reply:
        spec = self.registry.get(invocation.command.lower())
        if spec is None:
            names = [c.name for c in self.registry]
            close = difflib.get_close_matches(invocation.command.lower(), names, n=1)
            hint = f" Did you mean /{close[0]}?" if close else ""
            return error_reply(
                f"There is no command /{invocation.command}.{hint} Type /help for the list."
            )
        chosen, text, parent = _choose_subcommand(spec, invocation)
        if isinstance(chosen, Reply):
            return chosen
        spec = chosen
        if spec.permission is Permission.MANAGE and not invocation.can_manage:
            return error_reply(
                f"Only people who can manage this server or workspace may use {spec.usage(parent)}."
            )
        assert spec.handler is not None
        try:
            if invocation.options is not None:
                args = _check_options(spec, invocation.options)
            else:
                args = parse_arguments(spec, text)
        except UsageError as exc:
            return error_reply(str(exc), spec.usage(parent))
        return await spec.handler(CommandContext(invocation, self.services, self.registry), args)


def _choose_subcommand(
    spec: CommandSpec, invocation: Invocation
) -> tuple[CommandSpec, str, str] | tuple[Reply, str, str]:
    if not spec.subcommands:
        return spec, invocation.text, ""
    text = invocation.text.strip()
    name = invocation.subcommand
    if name is None:
        first, _, rest = text.partition(" ")
        if first and spec.subcommand(first.lower()):
            name, text = first.lower(), rest
        elif first or spec.default_subcommand is None:
            choices = ", ".join(sub.name for sub in spec.subcommands)
            said = f" '{first}'" if first else ""
            return (
                error_reply(f"/{spec.name} does not know{said}. Choose one of: {choices}."),
                "",
                "",
            )
        else:
            name = spec.default_subcommand
    sub = spec.subcommand(name)
    if sub is None:
        return error_reply(f"/{spec.name} has no subcommand '{name}'."), "", ""
    return sub, text, spec.name


def parse_arguments(spec: CommandSpec, text: str) -> dict[str, Any]:
    """Positional arguments in the order of the spec's options; double quotes group words.

    Apostrophes are ordinary letters here ("ocean's eleven"), unlike in a shell.
    """
    words = [
        next(group for group in match.groups() if group is not None)
        for match in _WORD.finditer(text)
    ]
    args: dict[str, Any] = {}
    for option in spec.options:
        if not words:
            break
        if option.rest:
            args[option.name] = _convert(option, " ".join(words))
            words = []
        else:
            args[option.name] = _convert(option, words.pop(0))
    if words:
        raise UsageError(f"I did not expect '{' '.join(words)}' here.")
    return _check_required(spec, args)


def _check_options(spec: CommandSpec, options: dict[str, str]) -> dict[str, Any]:
    known = {o.name: o for o in spec.options}
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise UsageError(f"Unknown option(s): {', '.join(unknown)}.")
    args = {name: _convert(known[name], value) for name, value in options.items() if value != ""}
    return _check_required(spec, args)


def _check_required(spec: CommandSpec, args: dict[str, Any]) -> dict[str, Any]:
    missing = [o.name for o in spec.options if o.required and o.name not in args]
    if missing:
        raise UsageError(f"Missing {', '.join(missing)}.")
    return args


def _convert(option: OptionSpec, value: str) -> Any:
    if option.type is OptionType.INTEGER:
        try:
            number = int(value)
        except ValueError:
            raise UsageError(f"{option.name} must be a whole number, not '{value}'.") from None
        if option.min_value is not None and number < option.min_value:
            raise UsageError(f"{option.name} must be at least {option.min_value}.")
        if option.max_value is not None and number > option.max_value:
            raise UsageError(f"{option.name} must be at most {option.max_value}.")
        return number
    return value
