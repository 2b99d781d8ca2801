"""Who must hear of what: turns new stories into outbox rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.delivery import codec
from bot.delivery.filters import ChannelSubscription
from bot.delivery.follows import Follow
from bot.feeds.text import truncate
from bot.films.facts import describe_date
from bot.models import Field, Message, Precision, StoryInfo, StoryKind
from bot.store import NewStory, PlannedDelivery, StoryPlan

SUMMARY_LIMIT = 500

KIND_LABELS = {
    StoryKind.SEQUEL_ANNOUNCED: "Sequel announced",
    StoryKind.RELEASE_DATE: "Release date",
    StoryKind.DELAY: "Delay",
    StoryKind.CASTING: "Casting",
    StoryKind.TRAILER: "Trailer",
    StoryKind.BOX_OFFICE: "Box office",
    StoryKind.REVIEW: "Review",
    StoryKind.OTHER: "Film news",
    StoryKind.NOT_FILM: "Not film",
}


def story_message(story: NewStory) -> Message:
    item, understanding = story.item, story.understanding
    fields = [Field("Kind", KIND_LABELS[understanding.kind])]
    if understanding.films:
        fields.append(Field("Film", understanding.films[0]))
    for release in understanding.releases[:1]:
        where = ", ".join(part for part in (release.region, release.medium) if part)
        when = describe_date(release.date, release.precision)
        fields.append(Field("Release", f"{when} ({where})" if where else when))
    first = understanding.releases[0] if understanding.releases else None
    return Message(
        title=item.title,
        url=item.url,
        body=truncate(understanding.summary or item.summary, SUMMARY_LIMIT),
        fields=tuple(fields),
        footer=f"{item.feed} · {item.published:%d %b %Y %H:%M} UTC",
        story=StoryInfo(
            id=story.id,
            kind=understanding.kind.value,
            films=understanding.films,
            release_date=iso_release(first.date, first.precision) if first else None,
            sources=(item.url,) if item.url else (),
        ),
    )


def iso_release(day: date | None, precision: Precision) -> str | None:
    """A release date as precise as it is known: 2026-12-18, 2026-12 or 2026."""
    if day is None or precision is Precision.UNKNOWN:
        return None
    if precision is Precision.DAY:
        return day.isoformat()
    if precision is Precision.YEAR:
        return str(day.year)
    return f"{day:%Y-%m}"


def plan_story_announcements(
    stories: list[NewStory], channels: list[ChannelSubscription]
) -> StoryPlan:
    """One delivery per (story, channel that wants it), and each story's message for its
    followers, whose deliveries are expanded later in batches (plan_follower_messages)."""
    deliveries = []
    messages = {}
    for story in stories:
        payload = codec.dumps(story_message(story))
        messages[story.id] = payload
        for channel in channels:
            if channel.filter.matches(story.item.title, story.item.summary, story.understanding):
                deliveries.append(
                    PlannedDelivery(
                        f"story:{story.id}:{channel.target.key}", channel.target, payload
                    )
                )
    return StoryPlan(deliveries, messages)


def plan_follower_messages(
    story_id: int, payload: str, followers: list[Follow]
) -> list[PlannedDelivery]:
    """One direct message per follower; the key makes it once per person and story however
    many of their follows match, and whichever batch finds them."""
    message = codec.loads(payload)
    personal: dict[str, str] = {}  # one payload per followed thing, not per follower
    deliveries = []
    for follow in followers:
        if follow.value not in personal:
            footer = f"{message.footer} · you follow {follow.value}"
            personal[follow.value] = codec.dumps(replace(message, footer=footer))
        deliveries.append(
            PlannedDelivery(
                f"story:{story_id}:{follow.user.key}", follow.user, personal[follow.value]
            )
        )
    return deliveries


def reminder_message(film_title: str, release_day: date, url: str, outlet: str) -> Message:
    return Message(
        title=f"{film_title} is out tomorrow",
        url=url,
        body=f"{film_title} releases on {describe_date(release_day, Precision.DAY)}, per {outlet}.",
        footer="You follow this film. /follow <film> --no-reminders turns these off.",
    )
