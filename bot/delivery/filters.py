"""What a channel asked to hear: every story, or only some kinds, films or keywords."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.films.normalise import normalise_title
from bot.models import StoryKind, Target, Understanding

# Words people type for kinds, besides the kinds' own names.
KIND_WORDS: dict[str, StoryKind] = {
    **{kind.value: kind for kind in StoryKind},
    "sequel": StoryKind.SEQUEL_ANNOUNCED,
    "sequels": StoryKind.SEQUEL_ANNOUNCED,
    "date": StoryKind.RELEASE_DATE,
    "dates": StoryKind.RELEASE_DATE,
    "release": StoryKind.RELEASE_DATE,
    "releases": StoryKind.RELEASE_DATE,
    "delays": StoryKind.DELAY,
    "trailers": StoryKind.TRAILER,
    "reviews": StoryKind.REVIEW,
    "boxoffice": StoryKind.BOX_OFFICE,
}


@dataclass(frozen=True, slots=True)
class ChannelFilter:
    kinds: frozenset[StoryKind] = frozenset()  # empty: every kind of film news
    keywords: tuple[str, ...] = ()  # empty: every story; else one must match

    def matches(self, title: str, summary: str, understanding: Understanding) -> bool:
        if self.kinds and understanding.kind not in self.kinds:
            return False
        if not self.keywords:
            return True
        films = {normalise_title(film) for film in understanding.films}
        text = f"{title} {summary}".casefold()
        for keyword in self.keywords:
            if normalise_title(keyword) in films:
                return True
            if re.search(rf"(?<!\w){re.escape(keyword.casefold())}(?!\w)", text):
                return True
        return False

    def describe(self) -> str:
        parts = []
        if self.kinds:
            parts.append("kinds: " + ", ".join(sorted(kind.value for kind in self.kinds)))
        if self.keywords:
            parts.append("matching: " + ", ".join(self.keywords))
        return "; ".join(parts) or "every film story"


@dataclass(frozen=True, slots=True)
class ChannelSubscription:
    target: Target
    filter: ChannelFilter = ChannelFilter()
