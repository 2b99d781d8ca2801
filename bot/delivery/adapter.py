"""The one interface every platform adapter implements, and the errors its send() may raise."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from bot.delivery.filters import ChannelFilter
from bot.models import Message, Target

if TYPE_CHECKING:
    from bot.commands.dispatch import Commands


class DeliveryError(Exception):
    """Base of what send() raises; the message is for the operator's log."""


class RateLimited(DeliveryError):
    def __init__(self, retry_after: float, detail: str = "") -> None:
        super().__init__(detail or f"rate limited; retry after {retry_after:.1f} s")
        self.retry_after = retry_after


class PermanentFailure(DeliveryError):
    """The target can never receive this (deleted channel, DMs closed): do not retry."""


class TransientFailure(DeliveryError):
    """A passing problem (network, 5xx): retry later with backoff."""


class AdapterStartError(Exception):
    """An adapter could not connect (a refused token, a busy port); the message says which."""

    def __init__(self, platform: str, cause: BaseException) -> None:
        super().__init__(f"{platform} did not start: {cause}")
        self.platform = platform


class Adapter(ABC):
    """A chat platform: it turns native events into Invocations and renders Messages natively."""

    platform: str

    @abstractmethod
    async def start(self, commands: Commands) -> None:
        """Connect and begin answering commands through `commands`."""

    @abstractmethod
    async def stop(self) -> None:
        """Disconnect; must be safe to call twice."""

    @abstractmethod
    async def send(self, target: Target, message: Message, idempotency_key: str) -> str:
        """Post a message; return a receipt (the platform's message id). Raise DeliveryError subclasses."""

    # When True, every announcing channel of this platform comes from configuration (the
    # console, webhook targets): at start the subscriptions are made to match it exactly.
    owns_channels: bool = False
    # When True, those channels hear news only while the adapter runs (the console).
    channels_end_with_adapter: bool = False

    @property
    def connected(self) -> bool:
        """Whether the adapter is connected to its platform now (health readiness)."""
        return True

    def min_send_interval(self, target: Target) -> float:
        """Seconds between two messages to one target that the platform allows (0: no pace)."""
        return 0.0

    def configured_channels(self) -> list[tuple[Target, ChannelFilter]]:
        """Channels announced to by configuration, each with its filter."""
        return []
