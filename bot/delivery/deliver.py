"""Sending what the outbox holds, through the adapters that are running."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery import codec
from bot.delivery.adapter import Adapter, PermanentFailure, RateLimited, TransientFailure
from bot.store import OutboxStore

_LOGGER = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30.0
MAX_RETRY_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    dead: int = 0


def retry_delay(attempts: int) -> float:
    return min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)


class Deliverer:
    def __init__(
        self, outbox: OutboxStore, adapters: Mapping[str, Adapter], clock: Callable[[], datetime]
    ) -> None:
        self._outbox = outbox
        self._adapters = adapters
        self._clock = clock

    async def run_once(self) -> DeliveryStats:
        sent = retried = dead = 0
        for row in await self._outbox.due(self._adapters.keys(), self._clock()):
            adapter = self._adapters[row.target.platform]
            try:
                receipt = await adapter.send(
                    row.target, codec.loads(row.payload), row.idempotency_key
                )
            except RateLimited as exc:
                retried += 1
                await self._outbox.mark_retry(
                    row.id, str(exc), self._clock() + timedelta(seconds=exc.retry_after)
                )
            except PermanentFailure as exc:
                dead += 1
                _LOGGER.warning(
                    "delivery %s to %s failed for good: %s", row.id, row.target.key, exc
                )
                await self._outbox.mark_dead(row.id, str(exc))
            except TransientFailure as exc:
                if row.attempts + 1 >= MAX_ATTEMPTS:
                    dead += 1
                    await self._outbox.mark_dead(
                        row.id, f"gave up after {MAX_ATTEMPTS} attempts: {exc}"
                    )
                else:
                    retried += 1
                    delay = retry_delay(row.attempts + 1)
                    await self._outbox.mark_retry(
                        row.id, str(exc), self._clock() + timedelta(seconds=delay)
                    )
            else:
                sent += 1
                await self._outbox.mark_sent(row.id, receipt, self._clock())
        return DeliveryStats(sent=sent, retried=retried, dead=dead)
