"""Delivery: who hears of a story, the outbox, sending through adapters, retries."""

from bot.delivery.adapter import (
    Adapter,
    AdapterStartError,
    DeliveryError,
    PermanentFailure,
    RateLimited,
    TransientFailure,
)

__all__ = [
    "Adapter",
    "AdapterStartError",
    "DeliveryError",
    "PermanentFailure",
    "RateLimited",
    "TransientFailure",
]
