"""Who must hear of what: turns new stories into outbox rows."""

from __future__ import annotations

from bot.delivery import codec
from bot.delivery.filters import ChannelSubscription
from bot.feeds.text import truncate
from bot.films.facts import describe_date
from bot.models import Field, Message, StoryKind
from bot.store import NewStory, PlannedDelivery

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
    return Message(
        title=item.title,
        url=item.url,
        body=truncate(understanding.summary or item.summary, SUMMARY_LIMIT),
        fields=tuple(fields),
        footer=f"{item.feed} · {item.published:%d %b %Y %H:%M} UTC",
    )


def plan_story_announcements(
    stories: list[NewStory], channels: list[ChannelSubscription]
) -> list[PlannedDelivery]:
    """One delivery per (story, channel that wants it); the key makes planning the same pair
    twice a no-op."""
    deliveries = []
    for story in stories:
        payload = codec.dumps(story_message(story))
        for channel in channels:
            if channel.filter.matches(story.item.title, story.item.summary, story.understanding):
                deliveries.append(
                    PlannedDelivery(
                        idempotency_key=f"story:{story.id}:{channel.target.key}",
                        target=channel.target,
                        payload=payload,
                    )
                )
    return deliveries
