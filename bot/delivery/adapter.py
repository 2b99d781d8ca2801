"""The one interface every platform adapter implements, and the errors its send() may raise."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

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

    def default_announce_channel(self) -> Target | None:
        """A channel subscribed to announcements while this adapter runs (only the console has one)."""
        return None
