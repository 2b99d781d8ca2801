"""Reminders: the day before a followed film's known release day, its followers hear of it."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.delivery import codec
from bot.delivery.plan import reminder_message
from bot.store import PlannedDelivery, Store


async def plan_reminders(store: Store, now: datetime) -> int:
    """Plan tomorrow's reminders; each is planned once per fact and person, however often
    this runs."""
    tomorrow = (now + timedelta(days=1)).date()
    planned = [
        (
            due.fact_id,
            PlannedDelivery(
                f"reminder:{due.fact_id}:{due.follow.user.key}",
                due.follow.user,
                codec.dumps(reminder_message(due.film_title, tomorrow, due.url, due.outlet)),
            ),
        )
        for due in await store.follows.due_reminders(tomorrow)
    ]
    return await store.follows.plan_reminders(planned, now) if planned else 0
