"""The console adapter: the terminal as a chat channel.

Lines typed at the prompt are commands, exactly as in Discord or Slack
(`/feeds`, `/help`); replies and announcements print as text. stdin is read by
a daemon thread so that a blocked read never holds up shutdown.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sys
import threading
from collections.abc import Callable
from typing import TextIO

from bot.commands.dispatch import Commands
from bot.delivery import Adapter
from bot.delivery.filters import ChannelFilter
from bot.models import Invocation, Message, Reply, Target

CONSOLE_TARGET = Target(platform="console", place="local", channel="console")
_QUIT_WORDS = {"/quit", "/exit", "quit", "exit"}
# Anything that could drive the terminal: C0/C1 controls (but newline) and escape sequences.
_UNSAFE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _safe(text: str) -> str:
    return _UNSAFE.sub("", text)


def render(message: Message) -> str:
    """A Message as plain terminal text."""
    out: list[str] = []
    if message.title:
        out.append(f"== {_safe(message.title)} ==")
    if message.url:
        out.append(_safe(message.url))
    if message.body:
        out.append(_safe(message.body))
    if message.fields:
        out.append(" | ".join(f"{_safe(f.name)}: {_safe(f.value)}" for f in message.fields))
    out.extend(f"  - {_safe(line)}" for line in message.lines)
    if message.footer:
        out.append(f"({_safe(message.footer)})")
    return "\n".join(out)


def render_reply(reply: Reply) -> str:
    text = render(reply.message)
    return text if reply.ok else f"! {text}"


def parse_command_line(line: str, *, can_manage: bool = True) -> Invocation | None:
    """'/feeds add URL' -> Invocation(command='feeds', text='add URL'); None for a blank line."""
    line = line.strip()
    if not line:
        return None
    name, _, text = line.removeprefix("/").partition(" ")
    return Invocation(
        command=name,
        text=text.strip(),
        user="console",
        user_name="console",
        target=CONSOLE_TARGET,
        can_manage=can_manage,  # whoever holds the terminal runs the bot
    )


class ConsoleAdapter(Adapter):
    platform = "console"

    def __init__(
        self,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self._stdin = stdin or sys.stdin
        self._stdout = stdout or sys.stdout
        self._on_close = on_close
        self._interactive = self._stdin.isatty()
        self._task: asyncio.Task[None] | None = None
        self._receipts = itertools.count(1)

    owns_channels = True
    channels_end_with_adapter = True

    def configured_channels(self) -> list[tuple[Target, ChannelFilter]]:
        return [(CONSOLE_TARGET, ChannelFilter())]

    async def start(self, commands: Commands) -> None:
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def read_lines() -> None:
            for line in self._stdin:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=read_lines, name="console-stdin", daemon=True).start()
        self._write(
            "filmbot console. Type /help for commands, /quit to leave. "
            "New stories are announced here as they arrive."
        )
        self._prompt()
        self._task = asyncio.create_task(self._serve(commands, lines), name="console")

    async def _serve(self, commands: Commands, lines: asyncio.Queue[str | None]) -> None:
        while True:
            line = await lines.get()
            if line is None or line.strip().lower() in _QUIT_WORDS:
                break
            invocation = parse_command_line(line)
            if invocation is not None:
                self._write(render_reply(await commands.dispatch(invocation)))
            self._prompt()
        if self._on_close is not None:
            self._on_close()

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self._task = None

    async def send(self, target: Target, message: Message, idempotency_key: str) -> str:
        self._write("\n" + render(message))
        self._prompt()
        return f"console-{next(self._receipts)}"

    def _write(self, text: str) -> None:
        self._stdout.write(text + "\n")
        self._stdout.flush()

    def _prompt(self) -> None:
        if self._interactive:
            self._stdout.write("filmbot> ")
            self._stdout.flush()
