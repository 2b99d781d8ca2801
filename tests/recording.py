"""A recording adapter: the errbot-style fake platform that core tests deliver through."""

from __future__ import annotations

from bot.commands.dispatch import Commands
from bot.delivery import Adapter, DeliveryError
from bot.delivery.filters import ChannelFilter
from bot.models import Invocation, Message, Reply, Target

RECORDING_CHANNEL = Target(platform="recording", place="guild", channel="news")


class RecordingAdapter(Adapter):
    platform = "recording"

    def __init__(self, *, announce_channel: Target | None = RECORDING_CHANNEL) -> None:
        self.sent: list[tuple[Target, Message, str]] = []
        self.failures: list[DeliveryError] = []  # raised by the next sends, in order
        self.commands: Commands | None = None
        self._announce_channel = announce_channel
        self.started = self.stopped = False

    async def start(self, commands: Commands) -> None:
        self.commands = commands
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    owns_channels = True
    channels_end_with_adapter = True

    def configured_channels(self) -> list[tuple[Target, ChannelFilter]]:
        return [(self._announce_channel, ChannelFilter())] if self._announce_channel else []

    async def send(self, target: Target, message: Message, idempotency_key: str) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((target, message, idempotency_key))
        return f"msg-{len(self.sent)}"

    async def push(
        self,
        line: str,
        *,
        can_manage: bool = False,
        user: str = "u1",
        target: Target = RECORDING_CHANNEL,
    ) -> Reply:
        """Type a command as a user of this platform would."""
        assert self.commands is not None, "adapter not started"
        name, _, text = line.removeprefix("/").partition(" ")
        return await self.commands.dispatch(
            Invocation(
                command=name,
                text=text,
                user=user,
                user_name=user,
                target=target,
                can_manage=can_manage,
            )
        )
