"""Who must hear of what: turns new stories into outbox rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.delivery import codec
from bot.delivery.filters import ChannelSubscription
from bot.delivery.follows import Follow
from bot.feeds.text import truncate
from bot.films.facts import describe_date
from bot.models import Field, Message, Precision, StoryInfo, StoryKind, Target
from bot.store import DisabledChannel, NewStory, PlannedDelivery, StoryPlan

SUMMARY_LIMIT = 500
ERROR_LIMIT = 300  # the platform's error text quoted in a disabled-channel notice

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


def disabled_channel_notice(
    channel: DisabledChannel, failures: int, error: str
) -> PlannedDelivery | None:
    """A direct message to the person who turned the channel's announcements on, saying they
    were turned off, why, and how to turn them back on; None when nobody is known (old
    subscriptions, channels from configuration, platforms without people). Neutral text:
    no platform mention syntax, the channel named by its id."""
    if not channel.subscriber:
        return None
    where = channel.target
    fields = [Field("Channel", where.channel)]
    if where.place:
        fields.append(Field("Server or workspace", where.place))
    fields.append(Field("Last error", truncate(error, ERROR_LIMIT), inline=False))
    again = "Run /announce here in that channel again"
    if channel.filter.kinds or channel.filter.keywords:
        again += f", with the filter it had ({channel.filter.describe()})"
    message = Message(
        title="Announcements stopped",
        body=(
            f"filmbot turned off its announcements to the channel {where.channel}, which you "
            f"turned on: {failures} deliveries to it in a row failed for good."
        ),
        fields=tuple(fields),
        lines=(
            "To turn them back on:",
            "1. Give filmbot access to that channel: invite it, or let it view the channel "
            "and send messages there.",
            f"2. {again}.",
        ),
    )
    return PlannedDelivery(
        # One notice per disabling: a replay of the same disabling writes nothing, a later
        # disabling (after /announce here again) is a new one.
        f"disabled:{where.key}:{channel.disabled_at.isoformat()}",
        Target(platform=where.platform, place=where.place, user=channel.subscriber),
        codec.dumps(message),
    )
