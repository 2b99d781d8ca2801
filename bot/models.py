"""The shared words of filmbot: plain frozen dataclasses that every part speaks.

Raw platform payloads and database rows never travel past their own part;
these types do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of one feed, normalised: every text field is plain, untrusted text."""

    feed: str  # the feed's name
    key: str  # stable identity within the feed (guid, canonical link, or a content hash)
    url: str  # the entry's link, "" when the feed gives none
    title: str
    summary: str  # plain text: HTML stripped, entities decoded, whitespace folded
    published: datetime  # UTC; the fetch time when the feed gives none or an absurd one
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Target:
    """Where a message goes: a channel in a place, or a user for a direct message."""

    platform: str  # "console", "discord", "slack", "webhook"
    place: str = ""  # guild / workspace id; "" where the platform has none
    channel: str = ""  # channel id; "" for a direct message
    user: str = ""  # user id for a direct message; "" for a channel

    @property
    def key(self) -> str:
        """A stable text form, used in idempotency keys and the database."""
        if self.user:
            return f"{self.platform}:{self.place}:@{self.user}"
        return f"{self.platform}:{self.place}:#{self.channel}"

    @classmethod
    def from_key(cls, key: str) -> Target:
        platform, place, rest = key.split(":", 2)
        if rest.startswith("@"):
            return cls(platform=platform, place=place, user=rest[1:])
        return cls(platform=platform, place=place, channel=rest.removeprefix("#"))


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True, slots=True)
class StoryInfo:
    """The facts behind a story message, for formats that carry data (JSON webhooks)."""

    id: int
    kind: str
    films: tuple[str, ...] = ()
    release_date: str | None = None  # ISO, as precise as known: 2026-12-18, 2026-12 or 2026
    sources: tuple[str, ...] = ()  # URLs


@dataclass(frozen=True, slots=True)
class Message:
    """Neutral rich text. Every adapter renders it natively and sanitises it for its platform."""

    title: str = ""
    url: str = ""
    body: str = ""
    fields: tuple[Field, ...] = ()
    footer: str = ""
    lines: tuple[str, ...] = ()  # plain list lines under the body (tables, listings)
    story: StoryInfo | None = None


class Visibility(Enum):
    PUBLIC = "public"  # everyone in the channel sees it
    PRIVATE = "private"  # only the person who asked (ephemeral where the platform can)


@dataclass(frozen=True, slots=True)
class Reply:
    """What a command answers: one message and who may see it."""

    message: Message
    visibility: Visibility = Visibility.PRIVATE
    ok: bool = True  # False when the command refused or failed; the text says why


@dataclass(frozen=True, slots=True)
class Invocation:
    """A command call from any platform, already translated out of the platform's payload."""

    command: str  # top-level command name without the slash, e.g. "feeds"
    text: str = ""  # the raw argument text after the command ("add https://... Deadline")
    options: dict[str, str] | None = None  # typed options when the platform parsed them
    subcommand: str | None = None  # set when the platform parsed a subcommand
    user: str = ""
    user_name: str = ""
    target: Target = field(default_factory=lambda: Target(platform="console"))
    can_manage: bool = False  # may this person manage the place (admin commands)


class StoryKind(Enum):
    SEQUEL_ANNOUNCED = (
        "sequel_announced"  # sequel, prequel, spin-off, remake or adaptation announced
    )
    RELEASE_DATE = "release_date"  # a date is set for a film
    DELAY = "delay"  # a film's date moves later, or it is pulled
    CASTING = "casting"
    TRAILER = "trailer"
    BOX_OFFICE = "box_office"
    REVIEW = "review"
    OTHER = "other"  # film news of another kind
    NOT_FILM = "not_film"  # TV, music, games, anything else


class Precision(Enum):
    DAY = "day"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ReleaseMention:
    """A date the text gives as a film's release, with the exact words it came from."""

    film: str  # canonical title, as in Understanding.films
    date: date | None  # first day of the period (2026-06-01 for "June 2026"); None when unknown
    precision: Precision
    words: str  # the exact words of the text, e.g. "December 18, 2026" or "next summer"
    region: str = ""  # "US", "UK", "worldwide"... when the text says
    medium: str = ""  # "theaters", "IMAX", "Netflix", "streaming"... when the text says


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str = ""  # "director", "star", "writer", "producer"... when the text gives it


@dataclass(frozen=True, slots=True)
class Understanding:
    """What one item says: the output of bot.news.understand()."""

    kind: StoryKind
    films: tuple[str, ...]  # canonical titles, the main one first
    people: tuple[Person, ...]
    releases: tuple[ReleaseMention, ...]
    summary: str  # one or two plain sentences, key fact first
    status: str = (
        ""  # the film's status in a few words ("planned as a feature"), when the item says
    )
